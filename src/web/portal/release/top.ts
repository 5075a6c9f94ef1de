/**
 * The release's top-5 tables with the change from the previous month (the police's monthly
 * release: rank, count, previous rank, change). Rankings come from the observe views; a port of
 * this month's top 5 below the previous month's top 100 gets its previous count from port-series.
 */
import { type EventStore, runView, type ViewOptions, type ViewRow } from '../../../observe/index.js';

export const TOP_N = 5;
/** Rows of the previous month's port rankings read to find previous ranks (per protocol). */
const PREVIOUS_PORTS = 100;

/** One row of a ranking: its key (port "445/tcp", country label, technique) and count. */
export interface Ranked {
  readonly key: string;
  readonly count: number;
}

/** A top-5 row before thresholding. */
export interface TopRow extends Ranked {
  readonly rank: number;
  readonly previous_rank: number | null;
  /** Previous month's count (0: none — "new"); null once withheld (data.ts). */
  readonly previous_count: number | null;
  /** (count − previous) / previous; null when there was none or it is withheld. */
  readonly change: number | null;
}

export function compareTop(current: readonly Ranked[], previous: readonly Ranked[]): TopRow[] {
  const prevRank = new Map(previous.map((r, i) => [r.key, { rank: i + 1, count: r.count }]));
  return current.slice(0, TOP_N).map((r, i) => {
    const p = prevRank.get(r.key);
    return {
      key: r.key,
      count: r.count,
      rank: i + 1,
      previous_rank: p?.rank ?? null,
      // Rankings list every country and technique with events: absent from one means none.
      previous_count: p?.count ?? 0,
      change: p && p.count > 0 ? Math.round(((r.count - p.count) / p.count) * 1e4) / 1e4 : null,
    };
  });
}

const portKey = (r: ViewRow) => `${r.port}/${r.proto}`;

/** TCP and UDP ports together, most accesses first (ties: the lower port, then TCP). */
export async function portRanking(store: EventStore, o: ViewOptions, top: number): Promise<ViewRow[]> {
  const [tcp, udp] = await Promise.all([
    runView(store, 'ports', { ...o, proto: 'tcp', top }),
    runView(store, 'ports', { ...o, proto: 'udp', top }),
  ]);
  return [...tcp.rows, ...udp.rows]
    .sort(
      (a, b) =>
        (b.count as number) - (a.count as number) ||
        (a.port as number) - (b.port as number) ||
        String(a.proto).localeCompare(String(b.proto)),
    )
    .slice(0, top);
}

/** This month's top-5 ports against the previous month's ranking. */
export async function topPorts(
  store: EventStore,
  current: readonly ViewRow[],
  previousMonth: ViewOptions,
): Promise<TopRow[]> {
  const prev = (await portRanking(store, previousMonth, PREVIOUS_PORTS)).map((r) => ({
    key: portKey(r),
    count: r.count as number,
  }));
  const rows = compareTop(
    current.map((r) => ({ key: portKey(r), count: r.count as number })),
    prev,
  );
  // Beyond the previous top 100: its previous count is still exact, its rank is "not ranked".
  return Promise.all(
    rows.map(async (r) => {
      if (r.previous_rank !== null) return r;
      const [port, proto] = r.key.split('/') as [string, 'tcp' | 'udp'];
      const series = await runView(store, 'port-series', {
        ...previousMonth,
        bucket: 'month',
        port: { port: Number(port), proto },
      });
      const n = series.rows.reduce((s, x) => s + (x.count as number), 0);
      return { ...r, previous_count: n, change: n > 0 ? Math.round(((r.count - n) / n) * 1e4) / 1e4 : null };
    }),
  );
}
