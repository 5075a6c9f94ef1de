/**
 * Detection over a matrix of configurations: several `koban detect --eval` results, one per simulated
 * set (a _cell_, with the configuration it was simulated with), summarised per detector — worst and
 * median precision and recall over the cells, the median of the cells' median delays, the worst
 * cell named with why it is bad, the cells where recall is undefined, and the episodes below the
 * noise floor (docs/methods.md#the-noise-floor).
 *
 * Recall is computed here again from the truth and the result's `missed` list, over the episodes
 * above the floor only: a weak episode (strength below the floor) or one that left no trace in the
 * files (every event of it fell in a gap or an outage) is not a recall target; whether it was found
 * anyway is reported separately. A cell with no positive episode above the floor has no recall
 * ("n/a"), never 1.0. Precision is the result's own: an alert that found a weak episode is still a
 * true alert. The summary takes the results as plain data (`parseEvalResult` at the boundary), so
 * it can score the JSON of another build (the "before" of a benchmark) the same way.
 */
import { z } from 'zod';
import { KobanError } from '../core/index.js';
import { SCORED_KIND, type TruthLike } from './eval.js';
import { median } from './stats.js';

/**
 * The default floor on the simulator's `strength` (0 near the noise … 1 strong, geometric in the
 * magnitude): the lowest quarter of the scale is "near the noise" (docs/methods.md#the-noise-floor).
 */
export const DEFAULT_NOISE_FLOOR = 0.25;

const DetectorResultSchema = z.object({
  name: z.string(),
  tp: z.number().int().min(0),
  fp: z.number().int().min(0),
  fn: z.number().int().min(0),
  precision: z.number().nullable(),
  recall: z.number().nullable(),
  median_delay_s: z.number().nullable(),
  missed: z.array(z.object({ id: z.string() })),
  false_positives: z.array(z.object({ title: z.string(), detected: z.string() })),
});

/** The part of `koban detect --eval --json` the summary reads. */
export const EvalResultSchema = z.object({ detectors: z.array(DetectorResultSchema) });
export type EvalResult = z.infer<typeof EvalResultSchema>;

/** Validates one `koban detect --eval --json` document (E_FORMAT naming `source` when it is not one). */
export function parseEvalResult(json: unknown, source: string): EvalResult {
  const parsed = EvalResultSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KobanError(
      'E_FORMAT',
      `${source}: not a koban detect --eval result (${issue?.path.join('.')}: ${issue?.message})`,
    );
  }
  return parsed.data;
}

export type CellConfig = Readonly<Record<string, string | number | boolean | null>>;

export interface MatrixCell {
  /** How the cell is named in reports, e.g. "12 sensors, 14 d, rate 5000, outages, seed 3". */
  readonly label: string;
  readonly config: CellConfig;
  readonly result: EvalResult;
  readonly truth: TruthLike;
}

/** Why an episode is not a recall target. */
export type BelowFloor = 'weak' | 'no-trace';

export interface CellScore {
  readonly label: string;
  readonly config: CellConfig;
  readonly precision: number | null;
  /** Over the episodes above the floor; null when there is none. */
  readonly recall: number | null;
  readonly median_delay_s: number | null;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly below_floor: readonly { id: string; reason: BelowFloor; detected: boolean }[];
  /** One line: which alerts were false and which episodes above the floor were missed. */
  readonly why: string;
}

export interface Spread {
  readonly worst: number | null;
  readonly median: number | null;
  /** Cells in which the figure is defined. */
  readonly cells: number;
}

export interface DetectorMatrix {
  readonly name: string;
  readonly precision: Spread;
  readonly recall: Spread;
  /** Median over the cells of each cell's median detection delay. */
  readonly median_delay_s: number | null;
  readonly totals: { readonly tp: number; readonly fp: number; readonly fn: number };
  readonly below_floor: { readonly episodes: number; readonly detected: number };
  /** Cells with no positive episode above the floor for this detector (recall n/a). */
  readonly recall_na: readonly string[];
  /** The cell with the lowest of its precision and recall; null when neither is defined anywhere. */
  readonly worst: CellScore | null;
  readonly cells: readonly CellScore[];
}

export interface MatrixSummary {
  readonly noise_floor: number;
  readonly cells: number;
  readonly detectors: readonly DetectorMatrix[];
}

type Episode = TruthLike['episodes'][number];

/** Whether an episode is below the floor, and why (null: it is a recall target). */
export function belowFloor(e: Episode, truth: TruthLike, floor: number): BelowFloor | null {
  if (e.kind === 'sensor-outage') {
    // An outage has no events by definition; it leaves no trace only inside a gap of every sensor.
    const s = Date.parse(e.start);
    const t = Date.parse(e.end);
    const hidden = truth.episodes.some(
      (g) => g.kind === 'data-gap' && Date.parse(g.start) <= s && Date.parse(g.end) >= t,
    );
    if (hidden) return 'no-trace';
  } else if (e.observed.events + e.observed.alerts === 0) return 'no-trace';
  return e.strength < floor ? 'weak' : null;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

function why(d: EvalResult['detectors'][number], missed: readonly Episode[], fp: number): string {
  const parts: string[] = [];
  if (fp > 0) {
    const titles = d.false_positives.slice(0, 3).map((f) => `"${f.title}" at ${f.detected}`);
    parts.push(`${fp} false: ${titles.join('; ')}${fp > titles.length ? '; …' : ''}`);
  }
  if (missed.length > 0) {
    const list = missed.map((e) => `${e.id} (strength ${e.strength}, ${e.observed.events} events)`);
    parts.push(`missed ${list.join(', ')}`);
  }
  return parts.length > 0 ? parts.join('; ') : 'no false alert, no episode above the floor missed';
}

/** One detector's figures in one cell. */
export function scoreCell(cell: MatrixCell, name: string, floor: number): CellScore | null {
  const d = cell.result.detectors.find((x) => x.name === name);
  if (!d) return null;
  const kind = (SCORED_KIND as Readonly<Record<string, string | null>>)[name] ?? null;
  const missedIds = new Set(d.missed.map((m) => m.id));
  const positives =
    kind === null ? [] : cell.truth.episodes.filter((e) => e.kind === kind && e.alert !== false);
  const targets: Episode[] = [];
  const below: { id: string; reason: BelowFloor; detected: boolean }[] = [];
  for (const e of positives) {
    const reason = belowFloor(e, cell.truth, floor);
    if (reason === null) targets.push(e);
    else below.push({ id: e.id, reason, detected: !missedIds.has(e.id) });
  }
  const missed = targets.filter((e) => missedIds.has(e.id));
  const tp = targets.length - missed.length;
  return {
    label: cell.label,
    config: cell.config,
    precision: d.tp + d.fp > 0 ? r3(d.tp / (d.tp + d.fp)) : null,
    recall: targets.length > 0 ? r3(tp / targets.length) : null,
    median_delay_s: d.median_delay_s,
    tp,
    fp: d.fp,
    fn: missed.length,
    below_floor: below,
    why: why(d, missed, d.fp),
  };
}

function spread(xs: readonly (number | null)[]): Spread {
  const v = xs.filter((x): x is number => x !== null);
  return {
    worst: v.length > 0 ? Math.min(...v) : null,
    median: v.length > 0 ? r3(median(v)) : null,
    cells: v.length,
  };
}

/** The cell with the lowest of its defined precision and recall (more errors first on a tie). */
function worstCell(cells: readonly CellScore[]): CellScore | null {
  let worst: CellScore | null = null;
  let key = Number.POSITIVE_INFINITY;
  for (const c of cells) {
    const v = [c.precision, c.recall].filter((x): x is number => x !== null);
    if (v.length === 0) continue;
    const k = Math.min(...v);
    if (k < key || (k === key && worst !== null && c.fp + c.fn > worst.fp + worst.fn)) {
      worst = c;
      key = k;
    }
  }
  return worst;
}

/** Summarises the cells per detector, in the order the first cell's result lists them. */
export function summarizeMatrix(
  cells: readonly MatrixCell[],
  options: { noiseFloor?: number } = {},
): MatrixSummary {
  const floor = options.noiseFloor ?? DEFAULT_NOISE_FLOOR;
  if (!(floor >= 0 && floor <= 1)) throw new KobanError('E_USAGE', 'the noise floor must be in 0–1');
  const names = [...new Set(cells.flatMap((c) => c.result.detectors.map((d) => d.name)))];
  const detectors = names.map((name): DetectorMatrix => {
    const scored = cells.map((c) => scoreCell(c, name, floor)).filter((c): c is CellScore => c !== null);
    const delays = scored.map((c) => c.median_delay_s).filter((x): x is number => x !== null);
    return {
      name,
      precision: spread(scored.map((c) => c.precision)),
      recall: spread(scored.map((c) => c.recall)),
      median_delay_s: delays.length > 0 ? median(delays) : null,
      totals: {
        tp: scored.reduce((a, c) => a + c.tp, 0),
        fp: scored.reduce((a, c) => a + c.fp, 0),
        fn: scored.reduce((a, c) => a + c.fn, 0),
      },
      below_floor: {
        episodes: scored.reduce((a, c) => a + c.below_floor.length, 0),
        detected: scored.reduce((a, c) => a + c.below_floor.filter((b) => b.detected).length, 0),
      },
      recall_na: scored.filter((c) => c.recall === null).map((c) => c.label),
      worst: worstCell(scored),
      cells: scored,
    };
  });
  return { noise_floor: floor, cells: cells.length, detectors };
}
