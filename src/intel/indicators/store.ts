/**
 * Indicator storage: one row per (type, canonical value) under a unique index, with aggregates
 * kept current on every sighting instead of pairwise links — reports, distinct organisations,
 * sectors and prefectures, first/last seen, best confidence, the most permissive TLP, expiry.
 * MISP stops correlating a value after a few dozen matches, just when it becomes interesting; here
 * a value seen by 5,000 members costs one upsert and three facet inserts per sighting, whatever its
 * history. Distinct counts go through `indicator_facets` (unique per indicator, facet, value): the
 * counter moves only when the insert adds a row.
 *
 * Portable SQL (SQLite ≥ 3.35 and PostgreSQL): multi-row upserts with RETURNING, CASE for
 * min/max (SQLite's scalar max() is PostgreSQL's greatest()).
 */
import { type Kysely, sql } from 'kysely';
import type { Database, RelationalDb } from '../../db/index.js';
import { storedTlp, type Tlp } from '../labels/tlp.js';
import { canonicalIndicator } from './canonical.js';
import {
  type Candidate,
  type IndicatorRole,
  type IndicatorType,
  IndicatorTypeSchema,
  isFuzzy,
  ttlMs,
} from './types.js';
import type { WarningList } from './warning-list.js';

export interface IndicatorRecord {
  readonly id: number;
  readonly type: IndicatorType;
  readonly value: string;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  readonly reportCount: number;
  readonly orgCount: number;
  readonly sectorCount: number;
  readonly prefectureCount: number;
  readonly confidence: number;
  readonly tlp: Tlp;
  readonly expiresMs: number | null;
  readonly warning: string | null;
  readonly fuzzy: boolean;
}

/** A value as recorded on one report, with the aggregates after this sighting. */
export interface Sighted {
  readonly indicatorId: number;
  readonly type: IndicatorType;
  readonly value: string;
  readonly role: IndicatorRole;
  readonly reportCount: number;
  readonly warning: string | null;
}

export interface SightingReport {
  readonly id: number;
  readonly orgId: number;
  readonly sector: string | null;
  readonly prefecture: string | null;
  readonly tlp: Tlp;
  readonly observedMs: number;
  readonly addedBy: number | null;
  readonly addedMs: number;
}

type IndicatorRow = Record<keyof Database['indicators'], unknown>;

export function toIndicator(r: IndicatorRow): IndicatorRecord {
  const type = IndicatorTypeSchema.parse(r.type);
  return {
    id: Number(r.id),
    type,
    value: String(r.value),
    firstSeenMs: Number(r.first_seen_ms),
    lastSeenMs: Number(r.last_seen_ms),
    reportCount: Number(r.report_count),
    orgCount: Number(r.org_count),
    sectorCount: Number(r.sector_count),
    prefectureCount: Number(r.prefecture_count),
    confidence: Number(r.confidence),
    tlp: storedTlp(String(r.tlp)),
    expiresMs: r.expires_ms === null ? null : Number(r.expires_ms),
    warning: r.warning === null ? null : String(r.warning),
    fuzzy: isFuzzy(type),
  };
}

const CHUNK = 400;
const RANK = (col: string) =>
  sql.raw(
    `(case ${col} when 'CLEAR' then 0 when 'GREEN' then 1 when 'AMBER' then 2 when 'AMBER+STRICT' then 3 else 4 end)`,
  );

/** Several candidates for one value (a URL in the body and in an attachment): one, at its best. */
export function dedupe(candidates: readonly Candidate[]): Candidate[] {
  const byKey = new Map<string, Candidate>();
  for (const c of candidates) {
    const key = `${c.type}\u0000${c.value}`;
    const had = byKey.get(key);
    if (!had) byKey.set(key, c);
    else if (c.confidence > had.confidence || (c.warning && !had.warning)) {
      byKey.set(key, {
        ...c,
        warning: had.warning ?? c.warning,
        confidence: Math.max(c.confidence, had.confidence),
      });
    }
  }
  return [...byKey.values()];
}

export class IndicatorStore {
  constructor(private readonly db: RelationalDb) {}

  /** The correlation lookup: one indexed probe for a canonical value (no access check; see queries.ts). */
  async lookup(type: IndicatorType, value: string): Promise<IndicatorRecord | null> {
    const c = canonicalIndicator(type, value);
    if (!c) return null;
    const r = await this.db
      .selectFrom('indicators')
      .selectAll()
      .where('type', '=', c.type)
      .where('value', '=', c.value)
      .executeTakeFirst();
    return r ? toIndicator(r) : null;
  }

  /** Values already on a report, as `type\0value` keys (so re-adding one does not count it twice). */
  async keysOf(tx: Kysely<Database>, reportId: number): Promise<Set<string>> {
    const rows = await tx
      .selectFrom('report_indicators as ri')
      .innerJoin('indicators as i', 'i.id', 'ri.indicator_id')
      .select(['i.type', 'i.value'])
      .where('ri.report_id', '=', reportId)
      .execute();
    return new Set(rows.map((r) => `${r.type}\u0000${r.value}`));
  }

  /**
   * Records candidates (already canonical, de-duplicated, not yet on the report) on a report inside
   * its transaction: upserts the values with their aggregates, counts new organisations, sectors
   * and prefectures, links them to the report.
   */
  async record(
    tx: Kysely<Database>,
    report: SightingReport,
    candidates: readonly Candidate[],
    list: WarningList,
  ): Promise<Sighted[]> {
    const out: Sighted[] = [];
    for (let i = 0; i < candidates.length; i += CHUNK) {
      // The SQLite driver answers synchronously, so a report with thousands of values (a zip's
      // entry hashes) would hold the event loop for its whole write: let other requests (health
      // checks, ingest) in between chunks. The transaction keeps the connection meanwhile.
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      out.push(...(await this.recordChunk(tx, report, candidates.slice(i, i + CHUNK), list)));
    }
    return out;
  }

  private async recordChunk(
    tx: Kysely<Database>,
    report: SightingReport,
    chunk: readonly Candidate[],
    list: WarningList,
  ): Promise<Sighted[]> {
    if (chunk.length === 0) return [];
    const rows = chunk.map((c) => {
      const ttl = ttlMs(c.type);
      return {
        type: c.type,
        value: c.value,
        first_seen_ms: report.observedMs,
        last_seen_ms: report.observedMs,
        report_count: 1,
        org_count: 0,
        sector_count: 0,
        prefecture_count: 0,
        confidence: c.confidence,
        tlp: report.tlp,
        expires_ms: ttl === null ? null : report.observedMs + ttl,
        warning: list.check(c.type, c.value) ?? c.warning ?? null,
      };
    });
    const returned = await tx
      .insertInto('indicators')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['type', 'value']).doUpdateSet({
          first_seen_ms: sql`case when excluded.first_seen_ms < indicators.first_seen_ms then excluded.first_seen_ms else indicators.first_seen_ms end`,
          last_seen_ms: sql`case when excluded.last_seen_ms > indicators.last_seen_ms then excluded.last_seen_ms else indicators.last_seen_ms end`,
          report_count: sql`indicators.report_count + 1`,
          confidence: sql`case when excluded.confidence > indicators.confidence then excluded.confidence else indicators.confidence end`,
          tlp: sql`case when ${RANK('excluded.tlp')} < ${RANK('indicators.tlp')} then excluded.tlp else indicators.tlp end`,
          expires_ms: sql`case when indicators.expires_ms is null or excluded.expires_ms is null then null when excluded.expires_ms > indicators.expires_ms then excluded.expires_ms else indicators.expires_ms end`,
          warning: sql`coalesce(indicators.warning, excluded.warning)`,
        }),
      )
      .returning(['id', 'type', 'value', 'report_count', 'warning'])
      .execute();
    const idOf = new Map(returned.map((r) => [`${r.type}\u0000${r.value}`, r]));
    const sighted: Sighted[] = chunk.map((c) => {
      const r = idOf.get(`${c.type}\u0000${c.value}`)!;
      return {
        indicatorId: Number(r.id),
        type: c.type,
        value: c.value,
        role: c.role,
        reportCount: Number(r.report_count),
        warning: r.warning,
      };
    });
    await this.countFacets(tx, report, sighted);
    await tx
      .insertInto('report_indicators')
      .values(
        sighted.map((s, i) => ({
          report_id: report.id,
          indicator_id: s.indicatorId,
          role: s.role,
          confidence: chunk[i]!.confidence,
          context: JSON.stringify(chunk[i]!.context),
          added_by: report.addedBy,
          added_ms: report.addedMs,
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
    return sighted;
  }

  private async countFacets(
    tx: Kysely<Database>,
    report: SightingReport,
    sighted: readonly Sighted[],
  ): Promise<void> {
    const facets: { indicator_id: number; facet: string; value: string }[] = [];
    for (const s of sighted) {
      facets.push({ indicator_id: s.indicatorId, facet: 'org', value: String(report.orgId) });
      if (report.sector) facets.push({ indicator_id: s.indicatorId, facet: 'sector', value: report.sector });
      if (report.prefecture)
        facets.push({ indicator_id: s.indicatorId, facet: 'prefecture', value: report.prefecture });
    }
    const added = await tx
      .insertInto('indicator_facets')
      .values(facets)
      .onConflict((oc) => oc.doNothing())
      .returning(['indicator_id', 'facet'])
      .execute();
    if (added.length === 0) return;
    // One statement for the three counters: each goes up by one where its facet row was new.
    const bump = (facet: string) => {
      const ids = added.filter((a) => a.facet === facet).map((a) => Number(a.indicator_id));
      return ids.length === 0 ? sql`0` : sql`case when id in (${sql.join(ids)}) then 1 else 0 end`;
    };
    await tx
      .updateTable('indicators')
      .set({
        org_count: sql`org_count + ${bump('org')}`,
        sector_count: sql`sector_count + ${bump('sector')}`,
        prefecture_count: sql`prefecture_count + ${bump('prefecture')}`,
      })
      .where('id', 'in', [...new Set(added.map((a) => Number(a.indicator_id)))])
      .execute();
  }
}
