/**
 * A value's aggregates as one reader may see them. The stored aggregates (store.ts) count every
 * report holding the value — RED and AMBER+STRICT ones included — so answering a member with them
 * would tell it that reports it may not read exist, when they were first and last seen and by how
 * many organisations (the correlation answer to a submitted value is exactly such a probe). For
 * anyone but the center's staff the counts, first and last seen, confidence and expiry are
 * recomputed over the reports the reader may read, through the one access rule (`readableWhere`);
 * center staff, the recipients of every member report, see the stored figures.
 */
import { sql } from 'kysely';
import type { RelationalDb } from '../../db/index.js';
import type { Actor } from '../identity/actor.js';
import { isCenter, readableWhere } from '../labels/access.js';
import { TLP_LABELS, type Tlp } from '../labels/tlp.js';
import type { IndicatorRecord } from './store.js';
import { ttlMs } from './types.js';

/** The fields of a record that depend on which reports are counted. */
export type Aggregates = Pick<
  IndicatorRecord,
  | 'reportCount'
  | 'orgCount'
  | 'sectorCount'
  | 'prefectureCount'
  | 'firstSeenMs'
  | 'lastSeenMs'
  | 'confidence'
  | 'expiresMs'
>;

export interface Visible extends Aggregates {
  /** The most permissive label among the readable reports holding the value. */
  readonly bestTlp: Tlp;
}

/** Whether the reader sees the stored aggregates (the center) or its own (everyone else). */
export function seesStoredAggregates(reader: Actor): boolean {
  return isCenter(reader);
}

const RANK = sql.raw(
  `(case r.tlp when 'CLEAR' then 0 when 'GREEN' then 1 when 'AMBER' then 2 when 'AMBER+STRICT' then 3 else 4 end)`,
);
const CHUNK = 500;

/**
 * Aggregates over the reports `reader` may read, per indicator id; an id no readable report holds
 * is absent. `reader` must carry the scope that reads report labels (see `asLabelReader`).
 */
export async function visibleAggregates(
  db: RelationalDb,
  reader: Actor,
  indicators: readonly { readonly id: number; readonly type: IndicatorRecord['type'] }[],
): Promise<Map<number, Visible>> {
  const out = new Map<number, Visible>();
  const typeOf = new Map(indicators.map((i) => [i.id, i.type]));
  const ids = [...typeOf.keys()];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db
      .selectFrom('report_indicators as ri')
      .innerJoin('reports as r', 'r.id', 'ri.report_id')
      .innerJoin('organisations as o', 'o.id', 'r.org_id')
      .select((eb) => [
        'ri.indicator_id',
        eb.fn.count<number>('ri.report_id').distinct().as('reports'),
        eb.fn.count<number>('r.org_id').distinct().as('orgs'),
        eb.fn.count<number>('o.sector').distinct().as('sectors'),
        eb.fn.count<number>('o.prefecture').distinct().as('prefectures'),
        eb.fn.min<number>('r.observed_ms').as('first'),
        eb.fn.max<number>('r.observed_ms').as('last'),
        eb.fn.max<number>('ri.confidence').as('confidence'),
        sql<number>`min(${RANK})`.as('best'),
      ])
      .where('ri.indicator_id', 'in', ids.slice(i, i + CHUNK))
      .where(readableWhere(reader, 'report', 'r'))
      .groupBy('ri.indicator_id')
      .execute();
    for (const r of rows) {
      const id = Number(r.indicator_id);
      const ttl = ttlMs(typeOf.get(id)!);
      const last = Number(r.last);
      out.set(id, {
        reportCount: Number(r.reports),
        orgCount: Number(r.orgs),
        sectorCount: Number(r.sectors),
        prefectureCount: Number(r.prefectures),
        firstSeenMs: Number(r.first),
        lastSeenMs: last,
        confidence: Number(r.confidence),
        // The stored expiry is the newest sighting plus the type's lifetime: the same over these.
        expiresMs: ttl === null ? null : last + ttl,
        bestTlp: TLP_LABELS[Number(r.best)]!,
      });
    }
  }
  return out;
}
