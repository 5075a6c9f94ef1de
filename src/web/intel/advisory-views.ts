/**
 * Advisories (alerts to members) as the API answers them: the service's views with every time as
 * an ISO 8601 UTC string (`sentAt`, `updatedAt`, `withdrawn.at` …) instead of epoch milliseconds,
 * like every other answer of the API (views.ts), and the schemas that declare them.
 */
import { z } from 'zod';
import type { AlertSummary, AlertView } from '../../intel/index.js';
import { iso } from './views.js';

const Timestamp = z.iso.datetime();
const Tlp = z.string().describe('TLP 2.0 label, e.g. TLP:GREEN');

export const AdvisoryContentSchema = z.looseObject({
  title: z.string(),
  bodyJa: z.string().nullable(),
  bodyEn: z.string().nullable(),
  tlp: Tlp,
  indicators: z.array(
    z.looseObject({ type: z.string(), value: z.string(), reports: z.number(), organisations: z.number() }),
  ),
  lures: z.array(
    z.looseObject({
      subject: z.string().nullable(),
      sentAt: z.string().nullable().describe('The lure’s own Date header, as the attacker wrote it.'),
    }),
  ),
  reporters: z.looseObject({ organisations: z.number() }),
});

export const AdvisorySummarySchema = z.strictObject({
  id: z.number().int(),
  status: z.string(),
  version: z.number().int(),
  tlp: Tlp,
  title: z.string(),
  createdAt: Timestamp,
  sentAt: Timestamp.nullable(),
  updatedAt: Timestamp,
});

export const AdvisoryViewSchema = z.strictObject({
  id: z.number().int(),
  status: z.string(),
  version: z.number().int(),
  tlp: Tlp,
  title: z.string(),
  content: AdvisoryContentSchema,
  sentAt: Timestamp.nullable(),
  updatedAt: Timestamp,
  withdrawn: z.strictObject({ at: Timestamp, reason: z.string() }).nullable(),
  unread: z.boolean(),
  receivedToo: z
    .strictObject({ at: Timestamp, reportId: z.number().int().nullable() })
    .nullable()
    .describe('The caller’s organisation’s "received too" answer, if any.'),
  analysis: z
    .looseObject({
      createdAt: Timestamp,
      sightings: z.array(z.looseObject({ orgId: z.number().int(), at: Timestamp })),
    })
    .nullable()
    .describe('Center staff only: source, audience, counts, sightings and deliveries.'),
});

const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function advisorySummaryBody(s: AlertSummary): z.output<typeof AdvisorySummarySchema> {
  return {
    id: s.id,
    status: s.status,
    version: s.version,
    tlp: s.tlp,
    title: s.title,
    createdAt: iso(s.createdMs),
    sentAt: isoOrNull(s.sentMs),
    updatedAt: iso(s.updatedMs),
  };
}

function analysisBody(a: NonNullable<AlertView['analysis']>) {
  const { createdMs, sightings, ...rest } = a;
  return {
    ...rest,
    createdAt: iso(createdMs),
    sightings: sightings.map(({ atMs, ...s }) => ({ ...s, at: iso(atMs) })),
  };
}

/** The advisory as the API answers it (declared by {@link AdvisoryViewSchema}). */
export function advisoryViewBody(v: AlertView) {
  return {
    id: v.id,
    status: v.status,
    version: v.version,
    tlp: v.tlp,
    title: v.title,
    content: v.content,
    sentAt: isoOrNull(v.sentMs),
    updatedAt: iso(v.updatedMs),
    withdrawn: v.withdrawn ? { at: iso(v.withdrawn.atMs), reason: v.withdrawn.reason } : null,
    unread: v.unread,
    receivedToo: v.receivedToo ? { at: iso(v.receivedToo.atMs), reportId: v.receivedToo.reportId } : null,
    analysis: v.analysis ? analysisBody(v.analysis) : null,
  };
}
