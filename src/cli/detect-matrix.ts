/**
 * `koban detect --eval DIR DIR…` — score several simulated sets (cells) and summarise per detector:
 * worst and median precision and recall over the cells, median delay, the worst cell and why,
 * episodes below the noise floor (src/detect/eval-matrix.ts, docs/methods.md#the-noise-floor).
 */
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { KobanError } from '../core/index.js';
import {
  type CellConfig,
  DEFAULT_NOISE_FLOOR,
  type MatrixCell,
  type MatrixSummary,
  parseEvalResult,
  summarizeMatrix,
  type TruthLike,
} from '../detect/index.js';
import type { Manifest } from '../sim/index.js';
import { printJson, table } from './_output.js';
import type { DetectFlags } from './detect.js';

/** What `koban detect --eval` computed for one set. */
export interface EvaluatedSet {
  readonly doc: unknown;
  readonly truth: TruthLike;
  readonly manifest: Manifest;
}

type EvaluateOne = (dir: string, flags: DetectFlags, print: boolean) => Promise<EvaluatedSet>;

// The options a manifest records (src/sim/documents.ts); older manifests may lack some.
const ManifestOptions = z.object({
  sensors: z.number().optional(),
  days: z.number().optional(),
  rate_per_sensor_per_day: z.number().optional(),
  seed: z.number().optional(),
  episodes: z.number().optional(),
  scenarios: z.array(z.object({ kind: z.string() })).optional(),
  daily_cycle: z.object({ shape: z.string(), ratio: z.number().optional() }).optional(),
});

/** A cell's configuration, from what its manifest says it was simulated with. */
export function cellConfig(manifest: Pick<Manifest, 'options' | 'seed'>): CellConfig {
  const o = ManifestOptions.safeParse(manifest.options);
  const opts = o.success ? o.data : {};
  const kinds = (opts.scenarios ?? []).map((s) => s.kind);
  const cycle = opts.daily_cycle;
  return {
    sensors: opts.sensors ?? null,
    days: opts.days ?? null,
    rate: opts.rate_per_sensor_per_day ?? null,
    daily_cycle: cycle ? `${cycle.shape}${cycle.ratio === undefined ? '' : `:${cycle.ratio}`}` : null,
    outages: kinds.includes('sensor-outage'),
    gaps: kinds.includes('data-gap'),
    episodes: opts.episodes ?? null,
    seed: manifest.seed,
  };
}

/** "12 sensors, 14 d, rate 5000, working-day, outages, gaps, seed 3". */
export function describeConfig(c: CellConfig): string {
  const parts = [
    c.sensors === null ? null : `${c.sensors} sensors`,
    c.days === null ? null : `${c.days} d`,
    c.rate === null ? null : `rate ${c.rate}`,
    c.daily_cycle === null ? null : String(c.daily_cycle),
    c.outages ? 'outages' : 'no outages',
    c.gaps ? 'gaps' : 'no gaps',
    `seed ${c.seed}`,
  ];
  return parts.filter((p) => p !== null).join(', ');
}

function noiseFloor(value: string | undefined): number {
  if (value === undefined) return DEFAULT_NOISE_FLOOR;
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1)) {
    throw new KobanError('E_USAGE', `--noise-floor must be a strength in 0–1, not "${value}"`);
  }
  return n;
}

/** Scores every set in turn (each in its own work store under --work), then prints the summary. */
export async function evaluateMatrix(
  dirs: readonly string[],
  flags: DetectFlags,
  evaluate: EvaluateOne,
): Promise<void> {
  const floor = noiseFloor(flags.noiseFloor);
  const cells: MatrixCell[] = [];
  for (const [i, dir] of dirs.entries()) {
    const work =
      flags.work === undefined ? undefined : join(flags.work, `${i + 1}-${basename(resolve(dir))}`);
    const one = await evaluate(dir, { ...flags, work, json: false }, false);
    const config = cellConfig(one.manifest);
    cells.push({
      label: `${dir} (${describeConfig(config)})`,
      config,
      result: parseEvalResult(one.doc, dir),
      truth: one.truth,
    });
  }
  const summary = summarizeMatrix(cells, { noiseFloor: floor });
  if (flags.json) printJson({ ...summary, sets: cells.map((c) => ({ label: c.label, config: c.config })) });
  else process.stdout.write(`${formatMatrix(summary)}\n`);
}

/** The summary as a text table, with the cells where recall is n/a and each worst cell's reason. */
export function formatMatrix(s: MatrixSummary): string {
  const r3 = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
  const out = [
    table(
      [
        'detector',
        'worst P',
        'median P',
        'worst R',
        'median R',
        'median delay s',
        'tp/fp/fn',
        'below floor found',
      ],
      s.detectors.map((d) => [
        d.name,
        r3(d.precision.worst),
        r3(d.precision.median),
        r3(d.recall.worst),
        r3(d.recall.median),
        d.median_delay_s === null ? 'n/a' : String(d.median_delay_s),
        `${d.totals.tp}/${d.totals.fp}/${d.totals.fn}`,
        `${d.below_floor.detected}/${d.below_floor.episodes}`,
      ]),
    ),
  ];
  for (const d of s.detectors) {
    // Named only when something went wrong in it (with no error anywhere, every cell is as good).
    if (d.worst && d.worst.fp + d.worst.fn > 0)
      out.push(`${d.name} worst cell: ${d.worst.label}: ${d.worst.why}`);
    if (d.recall_na.length > 0)
      out.push(`${d.name} recall n/a (no episode above the floor): ${d.recall_na.join('; ')}`);
  }
  out.push(
    `${s.cells} sets; recall over episodes of strength ≥ ${s.noise_floor} that left a trace in the files (docs/methods.md#the-noise-floor)`,
  );
  return out.join('\n');
}
