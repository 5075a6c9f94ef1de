/**
 * What a member may submit, validated at the boundary (zod; the TypeScript types are inferred):
 * the sharing options every report has, and the non-e-mail report kinds — an incident, C2
 * destinations, malware sample hashes, free text — plus indicators an analyst adds to a report
 * (the analysis of its attachment, say).
 */
import { z } from 'zod';
import { IndicatorRoleSchema, IndicatorTypeSchema } from '../indicators/types.js';
import { TlpSchema } from '../labels/tlp.js';

export const AudienceSchema = z.object({
  orgIds: z.array(z.number().int().positive()).max(1000).default([]),
  userIds: z.array(z.number().int().positive()).max(1000).default([]),
});

export const SharingSchema = z.object({
  /** Member reports default to AMBER: the reporter and the center, until someone decides otherwise. */
  tlp: TlpSchema.default('AMBER'),
  /** Whether the reporter agrees to share the private part with everyone who may read the report. */
  consent: z.boolean().default(false),
  audience: AudienceSchema.default({ orgIds: [], userIds: [] }),
  /** The reporting organisation; only the system actor may name one (users report for their own). */
  orgId: z.number().int().positive().optional(),
});
export type SharingOptions = z.input<typeof SharingSchema>;

const When = z.union([z.number().int().nonnegative(), z.iso.datetime({ offset: true })]).optional();

export const DestinationSchema = z.object({
  /** An IP address, CIDR, domain or URL (defanged forms accepted). */
  value: z.string().min(1).max(8192),
  port: z.number().int().min(1).max(65535).optional(),
  protocol: z.enum(['tcp', 'udp', 'http', 'https', 'dns', 'other']).optional(),
  note: z.string().max(2000).optional(),
});

const Title = z.string().trim().min(1).max(500);
const LongText = z.string().max(4 * 1024 * 1024);

export const ReportInputSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('incident'),
    title: Title,
    description: LongText,
    occurredAt: When,
    fields: z.record(z.string().max(100), z.string().max(10_000)).default({}),
  }),
  z.object({
    kind: z.literal('c2'),
    title: Title.optional(),
    destinations: z.array(DestinationSchema).min(1).max(1000),
    observedAt: When,
    note: LongText.optional(),
  }),
  z.object({
    kind: z.literal('malware'),
    title: Title.optional(),
    hashes: z.array(z.string().min(32).max(64)).min(1).max(100),
    fileName: z.string().max(500).optional(),
    family: z.string().max(200).optional(),
    c2: z.array(DestinationSchema).max(1000).default([]),
    observedAt: When,
    note: LongText.optional(),
  }),
  z.object({
    kind: z.literal('text'),
    title: Title,
    text: LongText,
    observedAt: When,
  }),
]);
export type ReportInput = z.input<typeof ReportInputSchema>;
export type ParsedReportInput = z.output<typeof ReportInputSchema>;

export const AddedIndicatorSchema = z.object({
  value: z.string().min(1).max(8192),
  /** Guessed from the value when absent. */
  type: IndicatorTypeSchema.optional(),
  role: IndicatorRoleSchema.default('c2'),
  confidence: z.number().int().min(0).max(100).default(90),
  port: z.number().int().min(1).max(65535).optional(),
  note: z.string().max(2000).optional(),
});
export type AddedIndicator = z.input<typeof AddedIndicatorSchema>;

export function whenMs(w: number | string | undefined, fallback: number): number {
  if (w === undefined) return fallback;
  return typeof w === 'number' ? w : Date.parse(w);
}
