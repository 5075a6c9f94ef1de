/**
 * The public view of the observation data (docs/public-statistics.md): what a caller without the
 * operator token or `observations:read` sees. Three rules from the probe-response attack on
 * telescopes (Bethencourt et al., USENIX Security 2005: a marker sent at an address shows up in
 * the published figures if the address is a sensor), each removing what that attack reads:
 *
 * - delayed: nothing newer than `delayHours` (cut at a whole hour, the precision of the rollups),
 *   so a marker cannot be watched for within a probing session;
 * - aggregated: no per-sensor view or sensor filter;
 * - thresholded: a row counting fewer than `minCount` is left out (its mere presence would say
 *   "something arrived here"), and smaller parts of a kept row are withheld (null).
 */
import { HOUR_MS, KobanError, type PublicStatsConfig } from '../core/index.js';
import type { ViewName, ViewRow } from '../observe/index.js';

/** Views that are per-sensor by nature. */
const PER_SENSOR_VIEWS: ReadonlySet<ViewName> = new Set(['sensor-rate']);

/** Count fields of view rows, with the share fields that reveal the same number. */
const COUNT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  count: ['share'],
  sources: ['source_share'],
  domestic: [],
  foreign: [],
  unattributed: [],
  // The front page's hourly table (home.ts).
  firewall: [],
  darknet: [],
  ids: [],
};

/** Whether the public view offers the view at all (per-sensor ones it does not). */
export function isPublicView(view: ViewName): boolean {
  return !PER_SENSOR_VIEWS.has(view);
}

/** The first instant the public may not see: `delayHours` ago, down to the whole hour. */
export function publicCutoffMs(nowMs: number, policy: PublicStatsConfig): number {
  return Math.floor((nowMs - policy.delayHours * HOUR_MS) / HOUR_MS) * HOUR_MS;
}

/** Refuses what the public view does not offer, with the reason. */
export function checkPublicRequest(view: ViewName, sensor: string | undefined): void {
  const why =
    'needs the operator token or a token with the scope observations:read; the public view is aggregated over all sensors';
  if (PER_SENSOR_VIEWS.has(view)) throw new KobanError('E_FORBIDDEN', `the ${view} view ${why}`);
  if (sensor !== undefined) throw new KobanError('E_FORBIDDEN', `a sensor filter ${why}`);
}

/** The public's time range: the caller's, ending at the cutoff at the latest. */
export function publicRange(
  range: { readonly fromMs?: number | undefined; readonly toMs?: number | undefined },
  cutoffMs: number,
): { fromMs: number | undefined; toMs: number } {
  return { fromMs: range.fromMs, toMs: Math.min(range.toMs ?? cutoffMs, cutoffMs) };
}

/**
 * Rows as the public may see them: small rows left out, small parts of kept rows withheld. Rows of
 * a fixed grid (every hour of a table, present whatever the data) say nothing by being there:
 * with `fixedRows` they are kept and their small counts withheld instead.
 */
export function thresholdRows(
  rows: readonly ViewRow[],
  minCount: number,
  opts: { readonly fixedRows?: boolean } = {},
): ViewRow[] {
  const out: ViewRow[] = [];
  for (const row of rows) {
    if (!opts.fixedRows && typeof row.count === 'number' && row.count < minCount) continue;
    const kept: ViewRow = {};
    for (const [k, v] of Object.entries(row)) kept[k] = Array.isArray(v) ? thresholdRows(v, minCount) : v;
    for (const [field, shares] of Object.entries(COUNT_FIELDS)) {
      const v = kept[field];
      if (typeof v !== 'number' || v >= minCount) continue;
      kept[field] = null;
      for (const s of shares) if (s in kept) kept[s] = null;
    }
    out.push(kept);
  }
  return out;
}

/**
 * A fixed grid of counts (a row per day of a month, a column per kind or technique) as the public
 * may see it: every count cell below `minCount` withheld (null). The rows stay — a day is there
 * whatever the data — so only the small numbers themselves would have told anything.
 */
export function thresholdCells(
  rows: readonly ViewRow[],
  columns: readonly string[],
  minCount: number,
): ViewRow[] {
  return rows.map((row) => {
    const kept: ViewRow = { ...row };
    for (const c of columns) {
      const v = kept[c];
      if (typeof v === 'number' && v < minCount) kept[c] = null;
    }
    return kept;
  });
}
