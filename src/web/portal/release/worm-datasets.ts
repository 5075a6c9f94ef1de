/**
 * The data of the release's two worm figures (docs/background.md#observation): IDS Worm detections
 * per row of the span by source country (the annual report's figure 2.5) and the neighbour-octet
 * share — how many accesses and sources share the first octet, or the first two, with the sensor
 * address they hit, the worm habit of probing nearby addresses (§2.1.1). Both read the observe
 * views `worm-countries` and `neighbours`, and are made public like the rest (public-stats.ts):
 * small cells and counts withheld, a country named only when its total over the span is not small.
 */
import type { ViewRow } from '../../../observe/index.js';
import { thresholdCells, thresholdRows } from '../../public-stats.js';
import type { Dataset } from './data.js';

/** Countries drawn one by one; the rest (and detections of no known country) are `other`. */
export const WORM_TOP = 5;
export const OTHER = 'other';

/**
 * A grid by bucket (`keyOf` a view row's bucket) with one column per named country and `other`.
 * `days`: the keys of the span's rows, in order.
 */
export function wormCountriesDataset(
  days: readonly string[],
  rows: readonly ViewRow[],
  min: number,
): Dataset {
  const totals = new Map<string, number>();
  for (const r of rows)
    if (typeof r.country === 'string' && typeof r.count === 'number')
      totals.set(r.country, (totals.get(r.country) ?? 0) + r.count);
  const named = [...totals]
    .filter(([, n]) => n >= min)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, WORM_TOP)
    .map(([c]) => c);
  const columns = [...named, OTHER];
  const grid = new Map<string, ViewRow>(
    days.map((d) => [d, { date: d, ...Object.fromEntries(columns.map((c) => [c, 0])) }]),
  );
  for (const r of rows) {
    const row = grid.get(String(r.bucket).slice(0, 10));
    if (!row || typeof r.count !== 'number') continue;
    const column = typeof r.country === 'string' && named.includes(r.country) ? r.country : OTHER;
    row[column] = (row[column] as number) + r.count;
  }
  return {
    id: 'worm-countries',
    columns: ['date', ...columns],
    rows: thresholdCells([...grid.values()], columns, min),
  };
}

/** The three classes, always present (a fixed table: its small counts are withheld, not its rows). */
export function neighboursDataset(rows: readonly ViewRow[], min: number): Dataset {
  const columns = ['match', 'count', 'share', 'sources', 'source_share'];
  const kept = thresholdRows(rows, min, { fixedRows: true }).map((r) =>
    Object.fromEntries(columns.map((c) => [c, (r[c] as ViewRow[string] | undefined) ?? null])),
  );
  return { id: 'neighbours', columns, rows: kept };
}
