/**
 * Reports that come from another system (a partner's STIX 2.1 report, the indicators of a bundle):
 * their shareable content is what the partner shared, attributed to its source; there is no
 * private part and no evidence file. Each value must be valid for its type (canonicalised as
 * intake stores every value); the caller has already rejected the invalid ones object by object.
 */
import { z } from 'zod';
import { KobanError } from '../../core/index.js';
import type { Organisation } from '../identity/orgs.js';
import { canonicalIndicator } from '../indicators/canonical.js';
import { type Candidate, IndicatorRoleSchema, IndicatorTypeSchema } from '../indicators/types.js';
import type { NewReport } from './new-report.js';
import type { SharingSchema } from './submissions.js';

type ParsedSharing = z.output<typeof SharingSchema>;

export const ImportedReportSchema = z.object({
  title: z.string().trim().min(1).max(1000),
  description: z
    .string()
    .max(1024 * 1024)
    .nullable()
    .default(null),
  /** The format it came in (`stix-2.1`) and who it came from (a partner, a feed). */
  format: z.string().min(1).max(50),
  source: z.string().min(1).max(500),
  /** The partner's id for it (a STIX id): exports of the report keep it. */
  externalId: z.string().max(200).nullable().default(null),
  /** What kind of report the partner said it was (its labels), kept for re-export. */
  labels: z.array(z.string().max(200)).max(50).default([]),
  observedMs: z.number().int().nonnegative(),
  campaignId: z.number().int().positive().nullable().default(null),
  values: z
    .array(
      z.object({
        type: IndicatorTypeSchema,
        value: z.string().min(1).max(8192),
        role: IndicatorRoleSchema.default('mentioned'),
        confidence: z.number().int().min(0).max(100).default(50),
      }),
    )
    .max(100_000),
});
export type ImportedReport = z.input<typeof ImportedReportSchema>;
export type ParsedImportedReport = z.output<typeof ImportedReportSchema>;

function importedCandidates(r: ParsedImportedReport): Candidate[] {
  return r.values.map((v, i) => {
    const c = canonicalIndicator(v.type, v.value);
    if (!c) throw new KobanError('E_FORMAT', `value ${i + 1}: "${v.value}" is not a valid ${v.type}`);
    return {
      type: c.type,
      value: c.value,
      role: v.role,
      confidence: v.confidence,
      context: { imported: true },
    };
  });
}

function importedShared(r: ParsedImportedReport): Record<string, unknown> {
  return {
    format: r.format,
    source: r.source,
    externalId: r.externalId,
    labels: r.labels,
    ...(r.description ? { description: r.description } : {}),
  };
}

/** What intake stores for it: no private part, no evidence; observed no later than received. */
export function importedNewReport(
  r: ParsedImportedReport,
  org: Organisation,
  s: ParsedSharing,
  receivedMs: number,
): NewReport {
  return {
    kind: 'imported',
    org,
    tlp: s.tlp,
    consent: s.consent,
    audience: s.audience,
    title: r.title,
    receivedMs,
    observedMs: Math.min(r.observedMs, receivedMs),
    sharedJson: JSON.stringify(importedShared(r)),
    privateJson: '{}',
    evidence: null,
    candidates: importedCandidates(r),
    campaignId: r.campaignId,
  };
}
