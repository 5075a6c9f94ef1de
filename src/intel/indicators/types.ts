/**
 * Indicator vocabulary. Atomic types are facts an alert or a blocklist can carry; fuzzy types are
 * keys that only link reports (a subject template, an attachment-name pattern, a mailer with its
 * sender domain) and are never exported as indicators of compromise.
 */
import { z } from 'zod';

export const ATOMIC_TYPES = [
  'ipv4',
  'ipv6',
  'cidr',
  'domain',
  'url',
  'email',
  'md5',
  'sha1',
  'sha256',
] as const;
export const FUZZY_TYPES = ['subject-template', 'attachment-pattern', 'mailer-domain'] as const;
export const INDICATOR_TYPES = [...ATOMIC_TYPES, ...FUZZY_TYPES] as const;
export const IndicatorTypeSchema = z.enum(INDICATOR_TYPES);
export type IndicatorType = z.infer<typeof IndicatorTypeSchema>;
export type AtomicType = (typeof ATOMIC_TYPES)[number];
export type FuzzyType = (typeof FUZZY_TYPES)[number];

export function isFuzzy(t: IndicatorType): t is FuzzyType {
  return (FUZZY_TYPES as readonly string[]).includes(t);
}

/** Where in a report a value was found, which says what it is evidence of. */
export const INDICATOR_ROLES = [
  'sender',
  'relay',
  'link',
  'attachment',
  'c2',
  'payload',
  'mentioned',
  'template',
] as const;
export const IndicatorRoleSchema = z.enum(INDICATOR_ROLES);
export type IndicatorRole = z.infer<typeof IndicatorRoleSchema>;

/** A value about to be recorded on a report. */
export interface Candidate {
  readonly type: IndicatorType;
  readonly value: string;
  readonly role: IndicatorRole;
  /** 0–100. */
  readonly confidence: number;
  readonly context: Record<string, unknown>;
  /** Set when the value must not correlate whatever the lists say (e.g. a mail provider's relay). */
  readonly warning?: string;
}

/**
 * Link weight of one shared value: an atomic indicator alone links two reports, fuzzy keys need a
 * pair. MD5 and SHA-1 name the same file as its SHA-256, which alone carries the link (a shared
 * attachment is one fact, not three).
 */
export function linkWeight(t: IndicatorType): number {
  if (t === 'md5' || t === 'sha1') return 0;
  return isFuzzy(t) ? 0.5 : 1;
}

/**
 * How long a sighting keeps an indicator current (expiry = last seen + this): addresses and URLs
 * churn within weeks, domains within months; a file hash never stops naming the same file.
 */
export function ttlMs(t: IndicatorType): number | null {
  const day = 86_400_000;
  switch (t) {
    case 'ipv4':
    case 'ipv6':
    case 'cidr':
    case 'url':
      return 30 * day;
    case 'domain':
      return 90 * day;
    case 'email':
      return 180 * day;
    case 'md5':
    case 'sha1':
    case 'sha256':
      return null;
    default:
      return 365 * day;
  }
}
