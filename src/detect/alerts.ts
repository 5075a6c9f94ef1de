/**
 * Operator alerts: one alert per episode, found by its deduplication key and updated while the
 * episode goes on (never repeated), with a lifecycle open → acknowledged → closed that records
 * who and when. Detectors and the sensor-health check raise them; the CLI, the server and
 * notifiers read them.
 */
import { KobanError } from '../core/index.js';
import type { RelationalDb } from '../db/index.js';

export const ALERT_STATUSES = ['open', 'acknowledged', 'closed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** A severity's rank: lists put the highest first (migration 0007 stores it beside the alert). */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  info: 0,
  low: 1,
  medium: 2,
  high: 3,
  critical: 4,
};
const rankOf = (s: Severity): number => SEVERITY_RANK[s] ?? 0;

export interface OperatorAlert {
  readonly id: number;
  readonly kind: string;
  readonly dedupKey: string;
  readonly severity: Severity;
  readonly title: string;
  readonly status: AlertStatus;
  readonly firstMs: number;
  readonly lastMs: number;
  readonly updatedMs: number;
  readonly evidence: Record<string, unknown>;
  readonly ackedBy: string | null;
  readonly ackedMs: number | null;
  readonly closedBy: string | null;
  readonly closedMs: number | null;
}

/** Whether what an alert reports is still going on: its detector's last word on the episode. */
export function episodeState(a: OperatorAlert): 'ongoing' | 'ended' | '-' {
  const phase = a.evidence.phase;
  if (phase === 'ended') return 'ended';
  if (phase === 'opened' || phase === 'updated') return 'ongoing';
  return '-';
}

/** Which alerts a list or a count is about. */
export interface AlertFilter {
  readonly status?: readonly AlertStatus[] | undefined;
  readonly kind?: string | undefined;
  /** Only these severities (the console's filter: "high and critical only"). */
  readonly severity?: readonly Severity[] | undefined;
  /** Only alerts whose episode began in [firstFromMs, firstToMs) (the public site counts per day). */
  readonly firstFromMs?: number | undefined;
  readonly firstToMs?: number | undefined;
}

/** A place in the list order (severity rank, last sighting, id — all descending). */
export interface AlertPosition {
  readonly rank: number;
  readonly lastMs: number;
  readonly id: number;
}

/** How many alerts a filter selects, by severity (every severity, 0 when none) and by kind. */
export interface AlertCounts {
  readonly total: number;
  readonly severity: Readonly<Record<Severity, number>>;
  readonly kind: Readonly<Record<string, number>>;
}

/** The cursor of the page after `a`: its place in the order, as URL-safe text. */
export function alertCursor(a: OperatorAlert): string {
  return `${rankOf(a.severity)}-${a.lastMs}-${a.id}`;
}

/** A cursor of {@link alertCursor}, or E_USAGE. */
export function parseAlertCursor(s: string): AlertPosition {
  const m = /^([0-4])-(\d{1,15})-(\d{1,15})$/.exec(s);
  if (!m) throw new KobanError('E_USAGE', `cursor: not a cursor of this list ("${s.slice(0, 40)}")`);
  return { rank: Number(m[1]), lastMs: Number(m[2]), id: Number(m[3]) };
}

export interface RaiseAlert {
  readonly kind: string;
  readonly dedupKey: string;
  readonly severity: Severity;
  readonly title: string;
  /** When the episode was seen (first sighting for a new alert, latest for an update). */
  readonly atMs: number;
  readonly evidence: Record<string, unknown>;
}

type Row = {
  id: number;
  kind: string;
  dedup_key: string;
  severity: string;
  title: string;
  status: string;
  first_ms: number;
  last_ms: number;
  updated_ms: number;
  evidence: string;
  acked_by: string | null;
  acked_ms: number | null;
  closed_by: string | null;
  closed_ms: number | null;
};

function toAlert(r: Row): OperatorAlert {
  return {
    id: Number(r.id),
    kind: r.kind,
    dedupKey: r.dedup_key,
    severity: r.severity as Severity,
    title: r.title,
    status: r.status as AlertStatus,
    firstMs: Number(r.first_ms),
    lastMs: Number(r.last_ms),
    updatedMs: Number(r.updated_ms),
    evidence: JSON.parse(r.evidence) as Record<string, unknown>,
    ackedBy: r.acked_by,
    ackedMs: r.acked_ms === null ? null : Number(r.acked_ms),
    closedBy: r.closed_by,
    closedMs: r.closed_ms === null ? null : Number(r.closed_ms),
  };
}

export interface AlertChange {
  readonly alert: OperatorAlert;
  readonly change: 'opened' | 'updated';
}

export class AlertStore {
  constructor(
    private readonly db: RelationalDb,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Opens an alert for a new episode, or updates the not-yet-closed alert with the same key
   * (its last time, severity, title and evidence). Returns the alert and what happened.
   */
  async raise(a: RaiseAlert): Promise<AlertChange> {
    const nowMs = this.now();
    return this.db.transaction().execute(async (tx) => {
      const current = await tx
        .selectFrom('operator_alerts')
        .selectAll()
        .where('dedup_key', '=', a.dedupKey)
        .where('status', '!=', 'closed')
        .orderBy('id', 'desc')
        .executeTakeFirst();
      if (current) {
        await tx
          .updateTable('operator_alerts')
          .set({
            last_ms: Math.max(Number(current.last_ms), a.atMs),
            updated_ms: nowMs,
            severity: a.severity,
            severity_rank: rankOf(a.severity),
            title: a.title,
            evidence: JSON.stringify(a.evidence),
          })
          .where('id', '=', current.id)
          .execute();
        const row = await tx
          .selectFrom('operator_alerts')
          .selectAll()
          .where('id', '=', current.id)
          .executeTakeFirstOrThrow();
        return { alert: toAlert(row as Row), change: 'updated' as const };
      }
      const inserted = await tx
        .insertInto('operator_alerts')
        .values({
          kind: a.kind,
          dedup_key: a.dedupKey,
          severity: a.severity,
          severity_rank: rankOf(a.severity),
          title: a.title,
          status: 'open',
          first_ms: a.atMs,
          last_ms: a.atMs,
          updated_ms: nowMs,
          evidence: JSON.stringify(a.evidence),
          acked_by: null,
          acked_ms: null,
          closed_by: null,
          closed_ms: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const row = await tx
        .selectFrom('operator_alerts')
        .selectAll()
        .where('id', '=', inserted.id)
        .executeTakeFirstOrThrow();
      return { alert: toAlert(row as Row), change: 'opened' as const };
    });
  }

  /**
   * The alerts a filter selects, most severe first, then the most recently seen (the episode's
   * last sighting), then the newest: low-severity noise never hides a critical alert. `after`
   * continues after a position (keyset paging: pages neither skip nor repeat an alert that did not
   * change meanwhile, and the store reads one page however many alerts there are).
   */
  async list(filter: AlertFilter & { limit?: number; after?: AlertPosition } = {}): Promise<OperatorAlert[]> {
    let q = this.filtered(filter).selectAll();
    const after = filter.after;
    if (after) {
      q = q.where((eb) =>
        eb.or([
          eb('severity_rank', '<', after.rank),
          eb.and([eb('severity_rank', '=', after.rank), eb('last_ms', '<', after.lastMs)]),
          eb.and([
            eb('severity_rank', '=', after.rank),
            eb('last_ms', '=', after.lastMs),
            eb('id', '<', after.id),
          ]),
        ]),
      );
    }
    const rows = await q
      .orderBy('severity_rank', 'desc')
      .orderBy('last_ms', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 1000)
      .execute();
    return rows.map((r) => toAlert(r as Row));
  }

  /** One page of {@link list}: `cursor` from the previous page's `nextCursor` (null: no more). */
  async page(
    filter: AlertFilter & { limit: number; cursor?: string | undefined },
  ): Promise<{ alerts: OperatorAlert[]; nextCursor: string | null }> {
    const after = filter.cursor === undefined ? undefined : parseAlertCursor(filter.cursor);
    // One more than the page: whether there is a next page, without counting them all.
    const rows = await this.list({ ...filter, limit: filter.limit + 1, ...(after ? { after } : {}) });
    const alerts = rows.slice(0, filter.limit);
    const last = alerts.at(-1);
    return { alerts, nextCursor: rows.length > alerts.length && last ? alertCursor(last) : null };
  }

  /** How many alerts the filter selects, by severity and by kind (kinds most numerous first). */
  async counts(filter: AlertFilter = {}): Promise<AlertCounts> {
    const rows = await this.filtered(filter)
      .select((eb) => ['kind', 'severity', eb.fn.countAll<number | string | bigint>().as('n')])
      .groupBy(['kind', 'severity'])
      .execute();
    const severity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
    const kind = new Map<string, number>();
    let total = 0;
    for (const r of rows) {
      const n = Number(r.n);
      total += n;
      if (r.severity in severity) severity[r.severity as Severity] += n;
      kind.set(r.kind, (kind.get(r.kind) ?? 0) + n);
    }
    const byKind = [...kind].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return { total, severity, kind: Object.fromEntries(byKind) };
  }

  private filtered(filter: AlertFilter) {
    let q = this.db.selectFrom('operator_alerts');
    if (filter.status && filter.status.length > 0) q = q.where('status', 'in', [...filter.status]);
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    if (filter.severity && filter.severity.length > 0) q = q.where('severity', 'in', [...filter.severity]);
    if (filter.firstFromMs !== undefined) q = q.where('first_ms', '>=', filter.firstFromMs);
    if (filter.firstToMs !== undefined) q = q.where('first_ms', '<', filter.firstToMs);
    return q;
  }

  async get(id: number): Promise<OperatorAlert | null> {
    const r = await this.db.selectFrom('operator_alerts').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toAlert(r as Row) : null;
  }

  /** Whether any alert (whatever its status) was raised under an episode key. */
  async known(dedupKey: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('operator_alerts')
      .select('id')
      .where('dedup_key', '=', dedupKey)
      .executeTakeFirst();
    return r !== undefined;
  }

  /** The open or acknowledged alert of an episode key, if any. */
  async active(dedupKey: string): Promise<OperatorAlert | null> {
    const r = await this.db
      .selectFrom('operator_alerts')
      .selectAll()
      .where('dedup_key', '=', dedupKey)
      .where('status', '!=', 'closed')
      .executeTakeFirst();
    return r ? toAlert(r as Row) : null;
  }

  async acknowledge(id: number, by: string): Promise<OperatorAlert> {
    return this.transition(id, 'acknowledged', by);
  }

  async close(id: number, by: string): Promise<OperatorAlert> {
    return this.transition(id, 'closed', by);
  }

  /**
   * Closes the open and acknowledged alerts whose episode has ended (their detector's last word was
   * `ended`), as `by`: all of them, or those of one kind, or those whose end was recorded (wall
   * clock) at or before `endedBeforeMs` — the center's `detection.closeEndedAfterHours`. An episode
   * that starts again later is a new alert. Returns the alerts closed.
   */
  async closeEnded(o: { by: string; kind?: string; endedBeforeMs?: number }): Promise<OperatorAlert[]> {
    let q = this.db
      .selectFrom('operator_alerts')
      .select(['id', 'evidence', 'updated_ms'])
      .where('status', '!=', 'closed')
      .where('evidence', 'like', '%"phase":"ended"%');
    if (o.kind) q = q.where('kind', '=', o.kind);
    if (o.endedBeforeMs !== undefined) q = q.where('updated_ms', '<=', o.endedBeforeMs);
    const closed: OperatorAlert[] = [];
    for (const r of await q.execute()) {
      // The LIKE is a coarse filter over the JSON text; the parsed phase decides.
      if ((JSON.parse(r.evidence) as { phase?: unknown }).phase !== 'ended') continue;
      try {
        closed.push(await this.transition(Number(r.id), 'closed', o.by));
      } catch (e) {
        // Closed meanwhile by an operator: nothing to do.
        if (!(e instanceof KobanError && e.code === 'E_CONFLICT')) throw e;
      }
    }
    return closed;
  }

  private async transition(id: number, to: 'acknowledged' | 'closed', by: string): Promise<OperatorAlert> {
    const current = await this.get(id);
    if (!current) throw new KobanError('E_NOT_FOUND', `no alert ${id}`);
    if (current.status === 'closed') throw new KobanError('E_CONFLICT', `alert ${id} is already closed`);
    if (to === 'acknowledged' && current.status === 'acknowledged') return current;
    const nowMs = this.now();
    await this.db
      .updateTable('operator_alerts')
      .set(
        to === 'acknowledged'
          ? { status: to, acked_by: by, acked_ms: nowMs, updated_ms: nowMs }
          : { status: to, closed_by: by, closed_ms: nowMs, updated_ms: nowMs },
      )
      .where('id', '=', id)
      .execute();
    return (await this.get(id))!;
  }
}
