/**
 * Indicators as actors see them. A value is readable by whoever may read at least one report
 * holding it (labels/access.ts), and it is readable at the most permissive label among those
 * reports: a read that only AMBER-or-stricter reports justify is audited. The aggregates (reports,
 * organisations, sectors, prefectures, first/last seen) are counts, never names, and count only
 * the reports the reader may read (visible.ts) — the center's staff see the stored totals, and
 * which sectors and prefectures. Lists for exports leave warning-listed values and fuzzy keys out
 * unless asked: they are never published as malicious.
 */
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import { KobanError } from '../../core/index.js';
import type { RelationalDb } from '../../db/index.js';
import { appendAudit } from '../audit/audit.js';
import type { Actor } from '../identity/actor.js';
import { asLabelReader, isCenter, readableWhere, requireScope } from '../labels/access.js';
import { isAuditedRead, storedTlp, type Tlp, tlpRank } from '../labels/tlp.js';
import { canonicalIndicator, guessIndicator } from './canonical.js';
import { type IndicatorRecord, toIndicator } from './store.js';
import { FUZZY_TYPES, type IndicatorRole, type IndicatorType } from './types.js';
import { type Aggregates, seesStoredAggregates, type Visible, visibleAggregates } from './visible.js';

export interface IndicatorView extends IndicatorRecord {
  /** The label this actor reads it under (the most permissive readable report's). */
  readonly readAs: Tlp;
  /** Center only: the sectors and prefectures that reported it. */
  readonly sectors?: readonly string[];
  readonly prefectures?: readonly string[];
}

export interface IndicatorFilter {
  readonly type?: IndicatorType;
  /** Only values some report holds in this role (`c2` for the blocklist of the prevention council). */
  readonly role?: IndicatorRole;
  readonly minOrgs?: number;
  readonly sinceMs?: number;
  /** Include unexpired values only (default true). */
  readonly current?: boolean;
  readonly includeWarningListed?: boolean;
  readonly includeFuzzy?: boolean;
  readonly afterId?: number;
  readonly limit?: number;
  /**
   * Values containing this text (the analysts' search): matched as typed and, when it reads as an
   * indicator, in its canonical form too (a defanged URL, an upper-case hash).
   */
  readonly contains?: string;
}

export class IndicatorService {
  constructor(
    private readonly db: RelationalDb,
    private readonly now: () => number = Date.now,
  ) {}

  /** The best label among readable reports holding the value, or null when none is readable. */
  private async readLabel(
    actor: Actor,
    indicatorId: number,
    overall: Tlp,
    role?: IndicatorRole,
  ): Promise<Tlp | null> {
    if (role === undefined && (overall === 'CLEAR' || (overall === 'GREEN' && actor.kind !== 'anonymous'))) {
      return overall;
    }
    let q = this.db
      .selectFrom('report_indicators as ri')
      .innerJoin('reports as r', 'r.id', 'ri.report_id')
      .select('r.tlp')
      .distinct()
      .where('ri.indicator_id', '=', indicatorId)
      .where(readableWhere(actor, 'report', 'r'));
    if (role !== undefined) q = q.where('ri.role', '=', role);
    const labels = (await q.limit(5).execute()).map((r) => storedTlp(r.tlp));
    if (labels.length === 0) return null;
    return labels.sort((a, b) => tlpRank(a) - tlpRank(b))[0]!;
  }

  /** Looks one value up (type guessed when not given); null when unknown or not readable. */
  async lookup(actor: Actor, value: string, type?: IndicatorType): Promise<IndicatorView | null> {
    requireScope(actor, 'indicators:read');
    const reader = asLabelReader(actor, 'indicators:read');
    const c = type ? canonicalIndicator(type, value) : guessIndicator(value);
    if (!c) throw new KobanError('E_USAGE', `"${value}" is not a valid ${type ?? 'indicator'}`);
    const r = await this.db
      .selectFrom('indicators')
      .selectAll()
      .where('type', '=', c.type)
      .where('value', '=', c.value)
      .executeTakeFirst();
    if (!r) return null;
    const rec = toIndicator(r);
    let view: IndicatorView;
    if (seesStoredAggregates(actor)) {
      const readAs = await this.readLabel(reader, rec.id, rec.tlp);
      if (readAs === null) return null;
      view = { ...rec, readAs };
    } else {
      const own = (await visibleAggregates(this.db, reader, [rec])).get(rec.id);
      if (own === undefined) return null;
      view = { ...rec, ...withoutBest(own), readAs: own.bestTlp };
    }
    const readAs = view.readAs;
    if (isCenter(actor)) {
      const facets = await this.db
        .selectFrom('indicator_facets')
        .select(['facet', 'value'])
        .where('indicator_id', '=', rec.id)
        .where('facet', '!=', 'org')
        .orderBy('value')
        .execute();
      view = {
        ...view,
        sectors: facets.filter((f) => f.facet === 'sector').map((f) => f.value),
        prefectures: facets.filter((f) => f.facet === 'prefecture').map((f) => f.value),
      };
    }
    if (isAuditedRead(readAs)) {
      await appendAudit(
        this.db,
        actor,
        { action: 'indicator.read', targetType: 'indicator', targetId: rec.id, tlp: readAs },
        this.now(),
      );
    }
    return view;
  }

  /** Readable indicators in id order (for exports and feeds: page with `afterId`). */
  async list(actor: Actor, f: IndicatorFilter = {}): Promise<IndicatorView[]> {
    requireScope(actor, 'indicators:read');
    const reader = asLabelReader(actor, 'indicators:read');
    const nowMs = this.now();
    let q = this.db.selectFrom('indicators as i').selectAll('i');
    if (f.type) q = q.where('i.type', '=', f.type);
    if (!f.includeWarningListed) q = q.where('i.warning', 'is', null);
    if (!f.includeFuzzy) q = q.where('i.type', 'not in', [...FUZZY_TYPES]);
    // The stored figures bound the reader's own from above: cheap filters first, exact ones below.
    if (f.minOrgs !== undefined) q = q.where('i.org_count', '>=', f.minOrgs);
    if (f.sinceMs !== undefined) q = q.where('i.last_seen_ms', '>=', f.sinceMs);
    if (f.current ?? true)
      q = q.where((eb) => eb.or([eb('i.expires_ms', 'is', null), eb('i.expires_ms', '>', nowMs)]));
    if (f.afterId !== undefined) q = q.where('i.id', '>', f.afterId);
    if (f.contains !== undefined) q = q.where(containsWhere(f.contains));
    const role = f.role === undefined ? sql`` : sql` and ri.role = ${f.role}`;
    const readable = readableWhere(reader, 'report', 'r');
    q = q.where(
      sql<SqlBool>`exists (select 1 from report_indicators ri join reports r on r.id = ri.report_id where ri.indicator_id = i.id${role} and ${readable})`,
    );
    const own = !seesStoredAggregates(actor);
    if (own) q = q.where(ownFilters(f, readable, nowMs));
    const rows = await q
      .orderBy('i.id')
      .limit(Math.min(f.limit ?? 1000, 10_000))
      .execute();
    const recs = rows.map(toIndicator);
    const visible = own ? await visibleAggregates(this.db, reader, recs) : null;
    const out: IndicatorView[] = [];
    for (const rec of recs) {
      const mine = visible?.get(rec.id);
      // Gone since the page was read (a report relabelled meanwhile): not the stored figures then.
      if (visible !== null && mine === undefined) continue;
      const readAs =
        f.role === undefined && mine
          ? mine.bestTlp
          : ((await this.readLabel(reader, rec.id, rec.tlp, f.role)) ?? rec.tlp);
      out.push(mine ? { ...rec, ...withoutBest(mine), readAs } : { ...rec, readAs });
    }
    const audited = out.filter((v) => isAuditedRead(v.readAs)).map((v) => v.id);
    if (audited.length > 0) {
      await appendAudit(
        this.db,
        actor,
        { action: 'indicator.list', targetType: 'indicator', details: { ids: audited.slice(0, 10_000) } },
        nowMs,
      );
    }
    return out;
  }
}

function withoutBest(v: Visible): Aggregates {
  const { bestTlp: _, ...rest } = v;
  return rest;
}

/**
 * The list filters over the reports the reader may read (minimum organisations, seen since, still
 * current): the stored figures may count reports the reader must not learn of. A value's lifetime
 * is its stored expiry minus its stored last sighting (the type's TTL), so "current" means a
 * readable sighting within that lifetime.
 */
function ownFilters(f: IndicatorFilter, readable: RawBuilder<SqlBool>, nowMs: number): RawBuilder<SqlBool> {
  const from = sql`from report_indicators ri join reports r on r.id = ri.report_id where ri.indicator_id = i.id and ${readable}`;
  const parts: RawBuilder<SqlBool>[] = [];
  if (f.minOrgs !== undefined)
    parts.push(sql<SqlBool>`(select count(distinct r.org_id) ${from}) >= ${f.minOrgs}`);
  if (f.sinceMs !== undefined)
    parts.push(sql<SqlBool>`exists (select 1 ${from} and r.observed_ms >= ${f.sinceMs})`);
  if (f.current ?? true)
    parts.push(
      sql<SqlBool>`(i.expires_ms is null or exists (select 1 ${from} and r.observed_ms > ${nowMs} - (i.expires_ms - i.last_seen_ms)))`,
    );
  return parts.length === 0 ? sql<SqlBool>`1 = 1` : sql<SqlBool>`(${sql.join(parts, sql` and `)})`;
}

/** LIKE patterns for a search text: `%`, `_` and the escape character match only themselves. */
function containsWhere(text: string): RawBuilder<SqlBool> {
  const typed = text.trim();
  if (typed.length === 0 || typed.length > 500)
    throw new KobanError('E_USAGE', 'a search text has 1 to 500 characters');
  let canonical: string | undefined;
  try {
    canonical = guessIndicator(typed)?.value;
  } catch {
    canonical = undefined;
  }
  const forms = [...new Set([typed, typed.toLowerCase(), ...(canonical ? [canonical] : [])])];
  const like = (v: string) =>
    sql<SqlBool>`i.value like ${`%${v.replace(/[\\%_]/g, (m) => `\\${m}`)}%`} escape '\\'`;
  return sql<SqlBool>`(${sql.join(forms.map(like), sql` or `)})`;
}
