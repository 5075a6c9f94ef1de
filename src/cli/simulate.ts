/** `koban simulate --out DIR` — generate SIMULATED sensor data with ground truth (src/sim). */
import type { Command } from 'commander';
import { KobanError } from '../core/index.js';
import {
  DAILY_CYCLES,
  type DailyCycle,
  DEFAULT_RATE,
  DEFAULT_START,
  SCENARIO_KINDS,
  SIM_FORMATS,
  type SimFormat,
  type SimulationOptions,
  simulate,
} from '../sim/index.js';
import { fmtInt, printJson, progress } from './_output.js';

interface SimulateFlags {
  out: string;
  sensors: string;
  days: string;
  start: string;
  seed: string;
  rate: string;
  scenario: string[];
  episodes: string;
  formats: string;
  warmup?: string;
  /** `true` when the option is given without a shape. */
  dailyCycle?: string | true;
  workers?: string;
  json?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').filter((s) => s.length > 0)];
}

function number(flag: string, value: string, integer: boolean): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isSafeInteger(n))) {
    throw new KobanError('E_USAGE', `${flag} must be ${integer ? 'an integer' : 'a number'}, not "${value}"`);
  }
  return n;
}

/**
 * `--daily-cycle [SHAPE[:RATIO]]`, e.g. `working-day:2.3`. Without a shape, `working-day`: the flag
 * asks for a pronounced daily cycle (the background already has the mild `evening` one without it).
 */
function dailyCycle(value: string | true | undefined): DailyCycle | undefined {
  if (value === undefined) return undefined;
  if (value === true) return { shape: 'working-day' };
  const [shape, ratio] = value.split(':');
  if (!(DAILY_CYCLES as readonly string[]).includes(shape ?? '')) {
    throw new KobanError(
      'E_USAGE',
      `--daily-cycle must be ${DAILY_CYCLES.join(', ')} (optionally :RATIO), not "${value}"`,
    );
  }
  return {
    shape: shape as DailyCycle['shape'],
    ...(ratio === undefined ? {} : { ratio: number('--daily-cycle ratio', ratio, false) }),
  };
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('generate SIMULATED firewall, IDS and darknet data with ground truth (truth.json)')
    .requiredOption('--out <dir>', 'output directory (created; must be empty or hold an earlier simulation)')
    .option('--sensors <n>', 'number of sensors (every 4th is a darknet sensor)', '57')
    .option('--days <n>', 'days simulated', '30')
    .option('--start <date>', 'start date or ISO 8601 time (JST unless an offset is given)', DEFAULT_START)
    .option('--seed <n>', 'seed: same seed and options give byte-identical output', '1')
    .option('--rate <n>', 'mean packets per sensor per day, before scenarios', String(DEFAULT_RATE))
    .option(
      '--scenario <name>',
      `scenario to inject (repeatable): ${SCENARIO_KINDS.join(', ')}, all (every one but data-gap)`,
      collect,
      [],
    )
    .option('--episodes <k>', 'episodes per scenario, from weak to strong', '1')
    .option('--formats <list>', `formats written (${SIM_FORMATS.join(',')})`, SIM_FORMATS.join(','))
    .option(
      '--warmup <days>',
      'days without episodes at the start (default: a quarter of the run, at most 7)',
    )
    .option(
      '--daily-cycle [shape]',
      `the background's day: ${DAILY_CYCLES.join(', ')}, optionally :RATIO (busiest hour over quietest); without the option evening, without a shape working-day`,
    )
    .option('--workers <n>', 'worker threads (default 2 when built; the output does not depend on it)')
    .option('--json', 'print one JSON document')
    .action(async (flags: SimulateFlags) => {
      const formats = flags.formats.split(',').filter((f) => f.length > 0);
      for (const f of formats) {
        if (!(SIM_FORMATS as readonly string[]).includes(f)) {
          throw new KobanError('E_USAGE', `unknown format "${f}" (${SIM_FORMATS.join(', ')})`);
        }
      }
      const bar = progress();
      const options: SimulationOptions = {
        outDir: flags.out,
        sensors: number('--sensors', flags.sensors, true),
        days: number('--days', flags.days, false),
        start: flags.start,
        seed: number('--seed', flags.seed, true),
        ratePerSensorPerDay: number('--rate', flags.rate, false),
        scenarios: flags.scenario as SimulationOptions['scenarios'],
        episodes: number('--episodes', flags.episodes, true),
        formats: formats as SimFormat[],
        warmupDays: flags.warmup === undefined ? undefined : number('--warmup', flags.warmup, false),
        dailyCycle: dailyCycle(flags.dailyCycle),
        workers: flags.workers === undefined ? undefined : number('--workers', flags.workers, true),
        onProgress: (p) => bar.update(p.done, p.total, `${fmtInt(p.events)} packets`),
      };
      const t0 = performance.now();
      const r = await simulate(options).finally(() => bar.stop());
      const seconds = (performance.now() - t0) / 1000;
      if (flags.json) {
        printJson({
          out: r.outDir,
          simulated: true,
          seed: r.manifest.seed,
          sensors: r.manifest.sensors.length,
          start: r.manifest.start,
          end: r.manifest.end,
          events: r.events,
          alerts: r.alerts,
          bytes: r.bytes,
          seconds: Math.round(seconds * 1000) / 1000,
          episodes: r.truth.episodes.map((e) => ({
            id: e.id,
            kind: e.kind,
            start: e.start,
            end: e.end,
            magnitude: e.magnitude,
            observed_events: e.observed.events,
          })),
        });
        return;
      }
      const lines = [
        `SIMULATED data for ${r.manifest.sensors.length} sensors, ${r.manifest.start} – ${r.manifest.end}, seed ${r.manifest.seed}`,
        ...r.truth.episodes.map(
          (e) =>
            `  ${e.id}: ${e.start} – ${e.end}, magnitude ${e.magnitude} (${e.magnitude_unit}), ` +
            `${fmtInt(e.observed.events)} packets observed`,
        ),
        `wrote ${fmtInt(r.events)} packets and ${fmtInt(r.alerts)} IDS alerts (${fmtInt(Math.round(r.bytes / 1e6))} MB) ` +
          `to ${r.outDir} in ${seconds.toFixed(1)} s (${fmtInt(Math.round(r.events / Math.max(seconds, 1e-3)))} packets/s); ` +
          `see manifest.json and truth.json`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
