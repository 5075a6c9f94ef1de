/**
 * The STIX 2.1 objects the importer reads, as zod schemas of the properties it uses (STIX 2.1 §3
 * common properties, §4–5 indicator, report, campaign, relationship, §7.2 marking definitions), and
 * the helpers that read them: canonical JSON (to recognise the same object again) and typing a
 * pattern's values with intel's canonicaliser.
 */
import { z } from 'zod';
import { type AtomicType, canonicalIndicator } from '../../intel/index.js';

/** A value of a type Koban holds. */
export interface PlannedValue {
  readonly type: AtomicType;
  readonly value: string;
}

export const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
export const ID_RE = new RegExp(`^([a-z0-9][a-z0-9-]*[a-z0-9])--${UUID}$`);
// STIX 2.1 §3.2: RFC 3339, UTC, "Z".
export const Timestamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'not a STIX timestamp');

export const Common = z.object({
  type: z.string(),
  id: z.string(),
  spec_version: z.literal('2.1', { message: 'spec_version must be "2.1"' }),
  created: Timestamp,
  modified: Timestamp,
  revoked: z.boolean().optional(),
  created_by_ref: z.string().regex(ID_RE).optional(),
  confidence: z.number().int().min(0).max(100).optional(),
  labels: z.array(z.string()).optional(),
  object_marking_refs: z.array(z.string().regex(ID_RE)).optional(),
  granular_markings: z.array(z.object({ marking_ref: z.string().optional() })).optional(),
});
export const IndicatorSchema = Common.extend({
  pattern: z.string().min(1),
  pattern_type: z.string().min(1),
  valid_from: Timestamp,
  name: z.string().optional(),
});
export const ReportSchema = Common.extend({
  name: z.string().trim().min(1),
  description: z.string().optional(),
  published: Timestamp,
  object_refs: z.array(z.string().regex(ID_RE)).min(1),
});
export const CampaignSchema = Common.extend({ name: z.string().trim().min(1) });
export const RelationshipSchema = Common.extend({
  relationship_type: z.string().min(1),
  source_ref: z.string().regex(ID_RE),
  target_ref: z.string().regex(ID_RE),
});
export const MarkingSchema = z.object({
  type: z.literal('marking-definition'),
  id: z.string(),
  created: Timestamp,
});

export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

export function issues(e: z.ZodError): string {
  return e.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || 'object'}: ${i.message}`)
    .join('; ');
}

/** A pattern's `ip` values typed by what they are: an address of either family, or a network. */
export function typed(v: { type: AtomicType | 'ip'; value: string }): PlannedValue | null {
  if (v.type !== 'ip') {
    const c = canonicalIndicator(v.type, v.value);
    return c ? { type: c.type as AtomicType, value: c.value } : null;
  }
  for (const t of ['ipv4', 'ipv6', 'cidr'] as const) {
    const c = canonicalIndicator(t, v.value);
    if (c) return { type: t, value: c.value };
  }
  return null;
}
