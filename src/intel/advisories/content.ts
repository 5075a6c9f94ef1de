/**
 * The content of an alert, built from what its sources may share — the same function makes the
 * sanitisation preview and what is sent, so the preview is exactly what recipients will see:
 * - shareable data only: each report's shareable view and its indicators, never its private part
 *   (which only supplies strings to remove);
 * - atomic indicators only (fuzzy keys link reports and are never published), warning-listed
 *   values left out (they are never published as malicious), and values naming a recipient or a
 *   reporter left out;
 * - lures by their sender-side facts (subject, sender address, mailer, attachment names and
 *   hashes) — the sender's display name is left out, being a person's name (docs/background.md#sharing-schemes);
 * - recipient names and addresses and, unless it consented, the reporting organisation removed
 *   from every string, the analyst's own text included (scrub.ts);
 * - reporting organisations counted, and named only when every report of theirs quoted consents.
 * Pure: sources and the draft in, content and the analyst's notes out.
 */
import { z } from 'zod';
import { KobanError } from '../../core/index.js';
import { type IndicatorRole, isFuzzy } from '../indicators/types.js';
import type { Tlp } from '../labels/tlp.js';
import { labelFloor } from './label-rules.js';
import { scrubberFor } from './scrub.js';
import type { AdvisorySources, SourceReport } from './sources.js';
import type {
  AdvisoryContent,
  AdvisoryIndicator,
  AdvisoryLure,
  ExcludedValue,
  NamedReporter,
} from './types.js';

export interface DraftSpec {
  readonly title: string;
  readonly bodyJa: string | null;
  readonly bodyEn: string | null;
  readonly tlp: Tlp;
  /** `type:value` keys of the values to share, or null for every eligible one. */
  readonly picks: readonly string[] | null;
}

export interface BuiltAdvisory {
  readonly content: AdvisoryContent;
  /** The most restrictive label among the quoted campaign and reports. */
  readonly floor: Tlp;
  readonly sources: readonly { readonly reportId: number; readonly tlp: Tlp; readonly orgId: number }[];
  readonly excluded: readonly ExcludedValue[];
  readonly redactions: number;
  readonly anonymisedReporters: number;
}

/** Most telling first: where the malware calls, what it drops, where the lure links, what it attaches. */
const ROLE_ORDER: readonly IndicatorRole[] = [
  'c2',
  'payload',
  'link',
  'attachment',
  'sender',
  'relay',
  'mentioned',
  'template',
];

export function indicatorKey(type: string, value: string): string {
  return `${type}:${value}`;
}

const SharedEmailSchema = z.object({
  headers: z.object({
    subject: z.object({ value: z.string() }).nullable().optional(),
    from: z.array(z.object({ address: z.string().nullable().optional() })).default([]),
    xMailer: z.object({ value: z.string() }).nullable().optional(),
    date: z.object({ value: z.string() }).nullable().optional(),
  }),
  attachments: z
    .array(
      z.object({
        fileName: z.string().nullable().optional(),
        hashes: z.object({ sha256: z.string() }).nullable().optional(),
        archive: z
          .object({ entries: z.array(z.object({ path: z.string() })).default([]) })
          .nullable()
          .optional(),
      }),
    )
    .default([]),
});

/** An organisation is named only if every quoted report of it consents. */
function consentingOrgs(reports: readonly SourceReport[]): Set<number> {
  const yes = new Set<number>();
  const no = new Set<number>();
  for (const r of reports) (r.consent ? yes : no).add(r.org.id);
  for (const id of no) yes.delete(id);
  return yes;
}

/** The most restrictive label among the quoted campaign and reports: the alert's label floor. */
export function sourcesFloor(src: AdvisorySources): Tlp {
  return labelFloor([...(src.campaign ? [src.campaign.tlp] : []), ...src.reports.map((r) => r.tlp)]);
}

export function buildContent(src: AdvisorySources, d: DraftSpec): BuiltAdvisory {
  const named = consentingOrgs(src.reports);
  const scrub = scrubberFor({
    addresses: src.reports.flatMap((r) => [
      ...r.identifying.addresses,
      ...(r.reporterEmail ? [r.reporterEmail] : []),
    ]),
    domains: src.reports.flatMap((r) => [
      ...r.identifying.domains,
      ...(named.has(r.org.id) ? [] : r.org.domains),
    ]),
    names: src.reports.flatMap((r) => r.identifying.names),
    values: src.reports.flatMap((r) => r.identifying.values),
    orgNames: src.reports.filter((r) => !named.has(r.org.id)).map((r) => r.org.name),
  });
  const { indicators, excluded } = shareableIndicators(src, d.picks, (v) => scrub.everywhere(v) !== v);
  const lures = luresOf(src.reports, scrub);
  const orgs = new Map(src.reports.map((r) => [r.org.id, r.org]));
  const namedReporters: NamedReporter[] = [...orgs.values()]
    .filter((o) => named.has(o.id))
    .map((o) => ({ name: o.name, sector: o.sector, prefecture: o.prefecture }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const content: AdvisoryContent = {
    title: scrub.prose(d.title),
    bodyJa: d.bodyJa === null ? null : scrub.prose(d.bodyJa),
    bodyEn: d.bodyEn === null ? null : scrub.prose(d.bodyEn),
    tlp: d.tlp,
    indicators,
    lures,
    reporters: { organisations: orgs.size, named: namedReporters },
  };
  return {
    content,
    floor: sourcesFloor(src),
    sources: src.reports.map((r) => ({ reportId: r.id, tlp: r.tlp, orgId: r.org.id })),
    excluded,
    redactions: scrub.replaced,
    anonymisedReporters: orgs.size - namedReporters.length,
  };
}

function shareableIndicators(
  src: AdvisorySources,
  picks: readonly string[] | null,
  identifies: (value: string) => boolean,
): { indicators: AdvisoryIndicator[]; excluded: ExcludedValue[] } {
  const orgOf = new Map(src.reports.map((r) => [r.id, r.org.id]));
  const byKey = new Map<
    string,
    {
      first: (typeof src.indicators)[number];
      roles: Set<IndicatorRole>;
      reports: Set<number>;
      orgs: Set<number>;
    }
  >();
  for (const i of src.indicators) {
    const key = indicatorKey(i.type, i.value);
    const e = byKey.get(key) ?? { first: i, roles: new Set(), reports: new Set(), orgs: new Set() };
    e.roles.add(i.role);
    e.reports.add(i.reportId);
    e.orgs.add(orgOf.get(i.reportId)!);
    byKey.set(key, e);
  }
  const wanted = picks === null ? null : new Set(picks);
  for (const k of wanted ?? []) {
    const e = byKey.get(k);
    if (!e) throw new KobanError('E_USAGE', `${k} is not a value of the reports the alert quotes`);
    if (isFuzzy(e.first.type))
      throw new KobanError('E_USAGE', `${k} is a link key, not an indicator: link keys are never shared`);
  }
  const indicators: AdvisoryIndicator[] = [];
  const excluded: ExcludedValue[] = [];
  for (const [key, e] of byKey) {
    const { type, value, warning } = e.first;
    if (isFuzzy(type) || (wanted !== null && !wanted.has(key))) continue;
    if (warning !== null) {
      excluded.push({ type, value, reason: `warning list: ${warning}` });
      continue;
    }
    if (identifies(value)) {
      excluded.push({ type, value, reason: 'identifies a recipient or a reporter' });
      continue;
    }
    const role = ROLE_ORDER.find((r) => e.roles.has(r)) ?? e.first.role;
    indicators.push({ type, value, role, reports: e.reports.size, organisations: e.orgs.size });
  }
  indicators.sort(
    (a, b) =>
      ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) ||
      b.reports - a.reports ||
      a.type.localeCompare(b.type) ||
      a.value.localeCompare(b.value),
  );
  excluded.sort((a, b) => a.type.localeCompare(b.type) || a.value.localeCompare(b.value));
  return { indicators, excluded };
}

function luresOf(
  reports: readonly SourceReport[],
  scrub: { everywhere(s: string): string; prose(s: string): string },
): AdvisoryLure[] {
  const byKey = new Map<string, { lure: Omit<AdvisoryLure, 'reports'>; reports: number }>();
  for (const r of reports) {
    if (r.kind !== 'email') continue;
    const parsed = SharedEmailSchema.safeParse(r.shared);
    if (!parsed.success) continue;
    const m = parsed.data;
    const from = m.headers.from
      .map((f) => f.address ?? '')
      .filter((a) => a !== '' && scrub.everywhere(a) === a);
    const lure = {
      subject: m.headers.subject ? scrub.prose(m.headers.subject.value) : null,
      from,
      mailer: m.headers.xMailer ? scrub.everywhere(m.headers.xMailer.value) : null,
      sentAt: m.headers.date?.value ?? null,
      attachments: m.attachments.map((a) => ({
        fileName: a.fileName ? scrub.prose(a.fileName) : null,
        sha256: a.hashes?.sha256 ?? null,
        entries: (a.archive?.entries ?? []).map((e) => scrub.prose(e.path)),
      })),
    };
    // The same lure sent to several members is one lure (its date may differ by the minute).
    const key = JSON.stringify([lure.subject, lure.from, lure.attachments.map((a) => a.sha256)]);
    const had = byKey.get(key);
    if (had) had.reports++;
    else byKey.set(key, { lure, reports: 1 });
  }
  return [...byKey.values()].map(({ lure, reports }) => ({ ...lure, reports }));
}
