/**
 * `simulate(options)`: plans the episodes, generates every sensor's files (in worker threads when
 * running compiled code), and writes manifest.json, truth.json and a README naming the data
 * simulated. The output depends only on the options, never on the machine, the clock or the number of
 * workers.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { KobanError } from '../core/index.js';
import { buildManifest, buildTruth, type Manifest, readme } from './documents.js';
import {
  buildRun,
  type EpisodeStats,
  generateSensors,
  type SensorResult,
  type SimulationRun,
} from './generate.js';
import { resolveOptions, type SimulationOptions } from './options.js';
import type { Truth } from './truth.js';
import type { WorkerInput, WorkerMessage } from './worker.js';

export interface SimulationResult {
  readonly outDir: string;
  readonly manifest: Manifest;
  readonly truth: Truth;
  /** Packets written (firewall log lines and captured packets). */
  readonly events: number;
  readonly alerts: number;
  readonly bytes: number;
}

/** Creates the output directory, or clears an earlier simulation from it; refuses anything else. */
function prepareOutDir(dir: string): void {
  if (existsSync(dir)) {
    const entries = readdirSync(dir);
    if (entries.length > 0) {
      let earlier = false;
      try {
        earlier =
          (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { simulated?: unknown })
            .simulated === true;
      } catch {
        earlier = false;
      }
      if (!earlier) {
        throw new KobanError(
          'E_USAGE',
          `${dir} is not empty and holds no earlier simulation; choose another --out`,
        );
      }
      for (const name of ['sensors', 'manifest.json', 'truth.json', 'README.txt']) {
        rmSync(join(dir, name), { recursive: true, force: true });
      }
    }
  }
  mkdirSync(join(dir, 'sensors'), { recursive: true });
}

function workerScript(): URL | null {
  const url = new URL('./worker.js', import.meta.url);
  try {
    return existsSync(fileURLToPath(url)) ? url : null;
  } catch {
    return null;
  }
}

interface Generated {
  sensors: SensorResult[];
  episodes: EpisodeStats[];
}

async function generateParallel(
  run: SimulationRun,
  workers: number,
  script: URL,
  progress: (hours: number, events: number) => void,
): Promise<Generated> {
  const n = run.fleet.length;
  const parts: number[][] = Array.from({ length: workers }, () => []);
  for (let i = 0; i < n; i++) parts[i % workers]!.push(i);
  const outs = await Promise.all(
    parts
      .filter((p) => p.length > 0)
      .map(
        (sensors) =>
          new Promise<Generated>((resolve, reject) => {
            const input: WorkerInput = { options: run.options, sensors };
            const w = new Worker(script, { workerData: input });
            let done = false;
            w.on('message', (m: WorkerMessage) => {
              if (m.type === 'progress') progress(m.sensorHours, m.events);
              else {
                done = true;
                resolve(m.result);
              }
            });
            w.on('error', reject);
            w.on('exit', (code) => {
              if (!done) reject(new KobanError('E_INTERNAL', `simulation worker exited with code ${code}`));
            });
          }),
      ),
  );
  return mergeGenerated(run, outs);
}

function mergeGenerated(run: SimulationRun, outs: readonly Generated[]): Generated {
  const sensors = outs.flatMap((o) => o.sensors).sort((a, b) => a.index - b.index);
  const episodes = run.plans.map((_, e): EpisodeStats => {
    const s: EpisodeStats = { events: 0, alerts: 0, sensors: [], sources: [] };
    const names = new Set<string>();
    const sources = new Set<number>();
    for (const o of outs) {
      const x = o.episodes[e]!;
      s.events += x.events;
      s.alerts += x.alerts;
      for (const n of x.sensors) names.add(n);
      for (const a of x.sources) sources.add(a);
    }
    s.sensors = [...names];
    s.sources = [...sources];
    return s;
  });
  return { sensors, episodes };
}

/** Runs a simulation and writes its output directory. */
export async function simulate(options: SimulationOptions): Promise<SimulationResult> {
  const resolved = resolveOptions(options);
  prepareOutDir(resolved.outDir);
  const run = buildRun(resolved);
  const script = workerScript();
  const wanted =
    options.workers ?? (script && run.fleet.length > 1 ? Math.min(2, availableParallelism()) : 0);
  const workers = script ? Math.min(wanted, run.fleet.length) : 0;
  const hoursPerSensor = Math.ceil((resolved.endMs - resolved.startMs) / 3_600_000);
  const total = hoursPerSensor * run.fleet.length;
  let done = 0;
  let events = 0;
  const progress = (h: number, e: number): void => {
    done += h;
    events += e;
    options.onProgress?.({ done, total, events });
  };
  const generated =
    workers > 1
      ? await generateParallel(run, workers, script!, progress)
      : generateSensors(
          run,
          run.fleet.map((s) => s.index),
          progress,
        );
  const truth = buildTruth(run, generated.episodes);
  const manifest = buildManifest(run, generated.sensors);
  writeFileSync(join(resolved.outDir, 'truth.json'), `${JSON.stringify(truth, null, 2)}\n`);
  writeFileSync(join(resolved.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(resolved.outDir, 'README.txt'), readme(run));
  return {
    outDir: resolved.outDir,
    manifest,
    truth,
    events: manifest.totals.events,
    alerts: manifest.totals.alerts,
    bytes: manifest.totals.bytes,
  };
}
