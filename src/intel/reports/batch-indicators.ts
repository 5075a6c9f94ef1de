/**
 * The indicators of a batch of new reports, recorded with one statement per table instead of four
 * per report (indicators/store.ts does one report): the values' aggregates are summed over the
 * batch in memory first, so a value on 40 reports of the batch is one upsert row that counts 40
 * sightings. Each report still gets the `Sighted` list that recording it alone, in report order,
 * would have returned — the report count and warning as of its own sighting — because correlation
 * (batch-correlate.ts) must decide exactly as it did one report at a time.
 *
 * Portable SQL as in indicators/store.ts; statements are cut so that none binds more than
 * `MAX_PARAMS` values (SQLite's default bound is 32,766, PostgreSQL's 65,535).
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/index.js';
import type { Sighted, SightingReport } from '../indicators/store.js';
import { type Candidate, ttlMs } from '../indicators/types.js';
import type { WarningList } from '../indicators/warning-list.js';

export const MAX_PARAMS = 8000;

/** One report of the batch: its sighting and its candidates (canonical, de-duplicated). */
export interface BatchSighting {
  readonly report: SightingReport;
  readonly candidates: readonly Candidate[];
}

const TLP_RANK: Readonly<Record<string, number>> = {
  CLEAR: 0,
  GREEN: 1,
  AMBER: 2,
  'AMBER+STRICT': 3,
};
const rank = (tlp: string) => TLP_RANK[tlp] ?? 4;
const keyOf = (type: string, value: string) => `${type}\u0000${value}`;

/** A value's upsert row, summed over the batch's sightings in report order. */
interface Aggregate {
  type: string;
  value: string;
  first_seen_ms: number;
  last_seen_ms: number;
  report_count: number;
  org_count: number;
  sector_count: number;
  prefecture_count: number;
  confidence: number;
  tlp: string;
  expires_ms: number | null;
  warning: string | null;
}

export function rowsPer(columns: number): number {
  return Math.max(1, Math.floor(MAX_PARAMS / columns));
}

export function chunked<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** Each sighting's warning as `IndicatorStore.record` computes it. */
function warningsOf(batch: readonly BatchSighting[], list: WarningList): (string | null)[][] {
  return batch.map((b) => b.candidates.map((c) => list.check(c.type, c.value) ?? c.warning ?? null));
}

function aggregate(batch: readonly BatchSighting[], warnings: (string | null)[][]): Map<string, Aggregate> {
  const byKey = new Map<string, Aggregate>();
  for (const [i, b] of batch.entries()) {
    const r = b.report;
    for (const [j, c] of b.candidates.entries()) {
      const ttl = ttlMs(c.type);
      const expires = ttl === null ? null : r.observedMs + ttl;
      const w = warnings[i]![j]!;
      const k = keyOf(c.type, c.value);
      const a = byKey.get(k);
      if (!a) {
        byKey.set(k, {
          type: c.type,
          value: c.value,
          first_seen_ms: r.observedMs,
          last_seen_ms: r.observedMs,
          report_count: 1,
          org_count: 0,
          sector_count: 0,
          prefecture_count: 0,
          confidence: c.confidence,
          tlp: r.tlp,
          expires_ms: expires,
          warning: w,
        });
        continue;
      }
      a.first_seen_ms = Math.min(a.first_seen_ms, r.observedMs);
      a.last_seen_ms = Math.max(a.last_seen_ms, r.observedMs);
      a.report_count++;
      a.confidence = Math.max(a.confidence, c.confidence);
      if (rank(r.tlp) < rank(a.tlp)) a.tlp = r.tlp;
      // As the upsert: no expiry once any sighting has none, else the latest.
      a.expires_ms = a.expires_ms === null || expires === null ? null : Math.max(a.expires_ms, expires);
      a.warning ??= w;
    }
  }
  return byKey;
}

/** Report count and warning of the values already stored, before this batch. */
async function storedBefore(
  tx: Kysely<Database>,
  aggregates: readonly Aggregate[],
): Promise<Map<string, { count: number; warning: string | null }>> {
  const out = new Map<string, { count: number; warning: string | null }>();
  const byType = new Map<string, string[]>();
  for (const a of aggregates) byType.set(a.type, [...(byType.get(a.type) ?? []), a.value]);
  for (const [type, values] of byType) {
    for (const part of chunked(values, rowsPer(1))) {
      const rows = await tx
        .selectFrom('indicators')
        .select(['value', 'report_count', 'warning'])
        .where('type', '=', type)
        .where('value', 'in', part)
        .execute();
      for (const r of rows)
        out.set(keyOf(type, r.value), { count: Number(r.report_count), warning: r.warning });
    }
  }
  return out;
}

async function upsert(tx: Kysely<Database>, aggregates: readonly Aggregate[]): Promise<Map<string, number>> {
  const idOf = new Map<string, number>();
  for (const part of chunked(aggregates, rowsPer(12))) {
    const returned = await tx
      .insertInto('indicators')
      .values(part)
      .onConflict((oc) =>
        oc.columns(['type', 'value']).doUpdateSet({
          first_seen_ms: sql`case when excluded.first_seen_ms < indicators.first_seen_ms then excluded.first_seen_ms else indicators.first_seen_ms end`,
          last_seen_ms: sql`case when excluded.last_seen_ms > indicators.last_seen_ms then excluded.last_seen_ms else indicators.last_seen_ms end`,
          report_count: sql`indicators.report_count + excluded.report_count`,
          confidence: sql`case when excluded.confidence > indicators.confidence then excluded.confidence else indicators.confidence end`,
          tlp: sql`case when ${RANK('excluded.tlp')} < ${RANK('indicators.tlp')} then excluded.tlp else indicators.tlp end`,
          expires_ms: sql`case when indicators.expires_ms is null or excluded.expires_ms is null then null when excluded.expires_ms > indicators.expires_ms then excluded.expires_ms else indicators.expires_ms end`,
          warning: sql`coalesce(indicators.warning, excluded.warning)`,
        }),
      )
      .returning(['id', 'type', 'value'])
      .execute();
    for (const r of returned) idOf.set(keyOf(r.type, r.value), Number(r.id));
  }
  return idOf;
}

const RANK = (col: string) =>
  sql.raw(
    `(case ${col} when 'CLEAR' then 0 when 'GREEN' then 1 when 'AMBER' then 2 when 'AMBER+STRICT' then 3 else 4 end)`,
  );

/**
 * Records the batch's values (upsert with aggregates, distinct-count facets, the report links) in
 * `tx`; returns each report's `Sighted` list in its candidates' order.
 */
export async function recordBatch(
  tx: Kysely<Database>,
  batch: readonly BatchSighting[],
  list: WarningList,
): Promise<Sighted[][]> {
  const warnings = warningsOf(batch, list);
  const byKey = aggregate(batch, warnings);
  const aggregates = [...byKey.values()];
  const before = await storedBefore(tx, aggregates);
  const idOf = await upsert(tx, aggregates);
  // Replay the sightings in report order for what each one saw.
  const seen = new Map<string, { count: number; warning: string | null }>();
  const sighted = batch.map((b, i) =>
    b.candidates.map((c, j): Sighted => {
      const k = keyOf(c.type, c.value);
      const s = seen.get(k) ?? before.get(k) ?? { count: 0, warning: null };
      const now = { count: s.count + 1, warning: s.warning ?? warnings[i]![j]! };
      seen.set(k, now);
      return {
        indicatorId: idOf.get(k)!,
        type: c.type,
        value: c.value,
        role: c.role,
        reportCount: now.count,
        warning: now.warning,
      };
    }),
  );
  await countFacets(tx, batch, sighted);
  const links = batch.flatMap((b, i) =>
    sighted[i]!.map((s, j) => ({
      report_id: b.report.id,
      indicator_id: s.indicatorId,
      role: s.role,
      confidence: b.candidates[j]!.confidence,
      context: JSON.stringify(b.candidates[j]!.context),
      added_by: b.report.addedBy,
      added_ms: b.report.addedMs,
    })),
  );
  for (const part of chunked(links, rowsPer(7))) {
    await tx
      .insertInto('report_indicators')
      .values(part)
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  return sighted;
}

/** Distinct organisations, sectors and prefectures per value: counters move by the facet rows added. */
async function countFacets(
  tx: Kysely<Database>,
  batch: readonly BatchSighting[],
  sighted: readonly Sighted[][],
): Promise<void> {
  const facets = new Map<string, { indicator_id: number; facet: string; value: string }>();
  const add = (indicator_id: number, facet: string, value: string | null) => {
    if (value) facets.set(`${indicator_id}\u0000${facet}\u0000${value}`, { indicator_id, facet, value });
  };
  for (const [i, b] of batch.entries()) {
    for (const s of sighted[i]!) {
      add(s.indicatorId, 'org', String(b.report.orgId));
      add(s.indicatorId, 'sector', b.report.sector);
      add(s.indicatorId, 'prefecture', b.report.prefecture);
    }
  }
  const bumps = new Map<number, { org: number; sector: number; prefecture: number }>();
  for (const part of chunked([...facets.values()], rowsPer(3))) {
    const added = await tx
      .insertInto('indicator_facets')
      .values(part)
      .onConflict((oc) => oc.doNothing())
      .returning(['indicator_id', 'facet'])
      .execute();
    for (const a of added) {
      const id = Number(a.indicator_id);
      const b = bumps.get(id) ?? { org: 0, sector: 0, prefecture: 0 };
      if (a.facet === 'org' || a.facet === 'sector' || a.facet === 'prefecture') b[a.facet]++;
      bumps.set(id, b);
    }
  }
  // One statement per chunk for the three counters: `case id when … then n` per indicator.
  for (const part of chunked([...bumps], rowsPer(7))) {
    const by = (facet: 'org' | 'sector' | 'prefecture') => {
      const moved = part.filter(([, b]) => b[facet] > 0);
      if (moved.length === 0) return sql`0`;
      return sql`case id ${sql.join(
        moved.map(([id, b]) => sql`when ${id} then ${b[facet]}`),
        sql` `,
      )} else 0 end`;
    };
    await tx
      .updateTable('indicators')
      .set({
        org_count: sql`org_count + ${by('org')}`,
        sector_count: sql`sector_count + ${by('sector')}`,
        prefecture_count: sql`prefecture_count + ${by('prefecture')}`,
      })
      .where(
        'id',
        'in',
        part.map(([id]) => id),
      )
      .execute();
  }
}
