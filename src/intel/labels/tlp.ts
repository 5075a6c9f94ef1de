/**
 * Traffic Light Protocol 2.0 labels (FIRST, "Traffic Light Protocol (TLP) — FIRST Standards
 * Definitions and Usage Guidance, Version 2.0", August 2022). Who may read what under each label
 * is decided in access.ts; this file only names the labels, orders them and reads them.
 */
import { z } from 'zod';
import { KobanError } from '../../core/index.js';

/** From most to least permissive. */
export const TLP_LABELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export const TlpSchema = z.enum(TLP_LABELS);
export type Tlp = z.infer<typeof TlpSchema>;

/** 0 for CLEAR … 4 for RED. */
export function tlpRank(t: Tlp): number {
  return TLP_LABELS.indexOf(t);
}

/** The more permissive of two labels (what a value seen under both may be shared at). */
export function mostPermissive(a: Tlp, b: Tlp): Tlp {
  return tlpRank(a) <= tlpRank(b) ? a : b;
}

/** Labels whose every read is written to the audit log (the brief: AMBER, AMBER+STRICT and RED). */
export function isAuditedRead(t: Tlp): boolean {
  return tlpRank(t) >= tlpRank('AMBER');
}

/**
 * Reads `TLP:AMBER+STRICT`, `amber+strict`, `amber-strict` or `AMBER`. TLP 1.0's WHITE is read
 * as CLEAR, which replaced it (TLP 2.0 §"Changes"); anything else is a usage error.
 */
export function parseTlp(s: string): Tlp {
  const t = s
    .trim()
    .toUpperCase()
    .replace(/^TLP:\s*/, '')
    .replace(/[-_ ]STRICT$/, '+STRICT');
  if (t === 'WHITE') return 'CLEAR';
  const parsed = TlpSchema.safeParse(t);
  if (!parsed.success) {
    throw new KobanError('E_USAGE', `unknown TLP label "${s}" (expected one of ${TLP_LABELS.join(', ')})`);
  }
  return parsed.data;
}

/** Narrows a stored label; a corrupt row is an internal error, not a reason to widen access. */
export function storedTlp(s: string): Tlp {
  const parsed = TlpSchema.safeParse(s);
  if (!parsed.success) throw new KobanError('E_INTERNAL', `stored TLP label "${s}" is not a TLP 2.0 label`);
  return parsed.data;
}
