#!/usr/bin/env node
// Detector benchmark and evaluation (`node bench/detect.mjs`, after the build).
//   1. Simulates a 30-day, 57-sensor set (BENCH_DETECT_DAYS, BENCH_DETECT_SENSORS for a smaller
//      one) with every scenario injected BENCH_DETECT_EPISODES times (default 4) at strengths from
//      weak (near the noise) to strong — SIMULATED data — unless bench/out/detect-set-… already
//      holds it;
//   2. `koban detect --eval` on it: imports it into bench/out/detect-work (kept for reruns) and
//      prints precision, recall and detection delay per detector against truth.json;
//   3. in this process, over the same store: the cost of the detection aggregates (DuckDB) against a
//      baseline in the same run — one GROUP BY pass over the same events (the sensor-volume
//      family) — and the detectors' own CPU over those aggregates held in memory, with peak RSS,
//      heap and the entities each detector holds at the end (its bounded state).
// Writes bench/out/detect.md and bench/out/detect-eval.json.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
const bin = join(root, 'dist', 'cli', 'main.js');
const episodes = Number(process.env.BENCH_DETECT_EPISODES ?? 4);
const sensors = Number(process.env.BENCH_DETECT_SENSORS ?? 57);
const days = Number(process.env.BENCH_DETECT_DAYS ?? 30);
// The default set keeps its old directory names (reused across runs); a smaller one gets its own.
const size = sensors === 57 && days === 30 ? '' : `-${sensors}x${days}`;
const set = join(out, `detect-set-${episodes}${size}`);
const work = join(out, `detect-work-${episodes}${size}`);
mkdirSync(out, { recursive: true });
const report = [];
const say = (s = '') => {
  report.push(s);
  console.log(s);
};
const fmt = (n) => Math.round(n).toLocaleString('en-US');

if (!existsSync(join(set, 'truth.json'))) {
  console.error(`simulating into ${set} …`);
  execFileSync(
    process.execPath,
    [
      bin,
      'simulate',
      '--out',
      set,
      '--scenario',
      'all',
      '--episodes',
      String(episodes),
      '--sensors',
      String(sensors),
      '--days',
      String(days),
      '--seed',
      '1',
      '--json',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}
const evalJson = JSON.parse(
  execFileSync(process.execPath, [bin, 'detect', '--eval', set, '--work', work, '--json'], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    stdio: ['ignore', 'pipe', 'inherit'],
  }),
);
writeFileSync(join(out, 'detect-eval.json'), JSON.stringify(evalJson, null, 2));

say(`# Detector benchmark (${new Date().toISOString().slice(0, 10)})`);
say();
say(
  `Machine: ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}.`,
);
say(
  `Command: \`node bench/detect.mjs\` (BENCH_DETECT_EPISODES=${episodes}, BENCH_DETECT_SENSORS=${sensors}, BENCH_DETECT_DAYS=${days}).`,
);
say(
  `Set: SIMULATED, ${evalJson.set.sensors} sensors, ${evalJson.set.start} → ${evalJson.set.end}, ${fmt(evalJson.set.events)} events, ${evalJson.set.episodes} episodes, seed ${evalJson.set.seed}.`,
);
say();
say('## Quality against ground truth (`koban detect --eval`)');
say();
say('| detector | tp | fp | fn | precision | recall | median delay s | missed (strength, magnitude) |');
say('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const d of evalJson.detectors) {
  const r = (x) => (x === null ? '–' : x.toFixed(3));
  const missed = d.missed.map((m) => `${m.id} (${m.strength}, ${m.magnitude})`).join('; ') || '–';
  say(
    `| ${d.name} | ${d.tp} | ${d.fp} | ${d.fn} | ${r(d.precision)} | ${r(d.recall)} | ${d.median_delay_s ?? '–'} | ${missed} |`,
  );
}
say();

const { openEventStore } = await import(join(root, 'dist', 'observe', 'index.js'));
const { addressCounts, DetectorSet, bucketRows, emptyMinute, DETECTOR_NAMES } = await import(
  join(root, 'dist', 'detect', 'index.js')
);
const truth = JSON.parse(readFileSync(join(set, 'truth.json'), 'utf8'));
const manifest = JSON.parse(readFileSync(join(set, 'manifest.json'), 'utf8'));
const store = await openEventStore({ dataDir: work });
const from = Date.parse(truth.start);
const to = Date.parse(truth.end);
const CHUNK = 3 * 3_600_000;
// The row families a run of every detector reads (derived from the registry, detect/detectors.ts).
const families = new DetectorSet().families;

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

// Baseline: one GROUP BY pass over the same events (the sensor-volume family alone).
let t0 = performance.now();
let events = 0;
for (let a = from; a < to; a += CHUNK) {
  for (const r of await store.detectionRows('sensor-volume', { fromMs: a, toMs: Math.min(a + CHUNK, to) }))
    events += r.packets;
}
const baselineS = (performance.now() - t0) / 1000;

// The detection aggregates, all families, held per minute (as runHistory does chunk by chunk).
t0 = performance.now();
const chunks = [];
const perFamily = new Map();
let rows = 0;
for (let a = from; a < to; a += CHUNK) {
  const b = Math.min(a + CHUNK, to);
  const m = new Map();
  for (const f of families) {
    const tf = performance.now();
    const list = await store.detectionRows(f, { fromMs: a, toMs: b });
    const fs = perFamily.get(f) ?? { s: 0, rows: 0 };
    fs.s += (performance.now() - tf) / 1000;
    fs.rows += list.length;
    perFamily.set(f, fs);
    rows += list.length;
    bucketRows(m, f, list);
  }
  chunks.push([b, m]);
}
const queryS = (performance.now() - t0) / 1000;
await store.close();

// The detectors alone over the aggregates in memory.
const blocks = Object.fromEntries(manifest.sensors.map((s) => [s.name, s.blocks]));
const detectors = new DetectorSet({ addresses: addressCounts(blocks) });
global.gc?.();
const heap0 = process.memoryUsage().heapUsed;
const cpu0 = process.cpuUsage();
t0 = performance.now();
let findings = 0;
detectors.feedUpTo(from, new Map());
for (const [b, m] of chunks) findings += detectors.feedUpTo(b, m).length;
const detectS = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
clearInterval(sampler);
void emptyMinute;
const state = detectors.stateSizes();

say('## Throughput (history mode, one process)');
say();
say('| stage | seconds | events/s | ratio to baseline |');
say('| --- | ---: | ---: | ---: |');
say(
  `| baseline: one GROUP BY pass over the events (DuckDB) | ${baselineS.toFixed(1)} | ${fmt(events / baselineS)} | 1.00 |`,
);
say(
  `| detection aggregates, ${families.length} families (DuckDB; ${fmt(rows)} rows) | ${queryS.toFixed(1)} | ${fmt(events / queryS)} | ${(queryS / baselineS).toFixed(2)} |`,
);
say(
  `| detectors over the aggregates (JavaScript, one thread) | ${detectS.toFixed(1)} | ${fmt(events / detectS)} | ${(detectS / baselineS).toFixed(2)} |`,
);
say();
say(
  `Aggregates by family (seconds, rows): ${[...perFamily]
    .map(([f, v]) => `${f} ${v.s.toFixed(1)} s, ${fmt(v.rows)}`)
    .join('; ')}.`,
);
say(
  `Detector CPU: user ${(cpu.user / 1e6).toFixed(1)} s, system ${(cpu.system / 1e6).toFixed(1)} s for ${fmt(events)} events (${fmt(events / ((cpu.user + cpu.system) / 1e6))} events per CPU-second); ${findings} findings.`,
);
say(
  `Memory: peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (the month's aggregates are held in memory for this measurement; runHistory holds one 3-hour chunk); detector heap growth ${((process.memoryUsage().heapUsed - heap0) / 2 ** 20).toFixed(0)} MiB.`,
);
say(
  `State at the end (entities held): ${Object.entries(state)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ')}.`,
);

// Each detector alone over the same aggregates (coverage, which every run steps, included in each).
say();
say('## Each detector alone (same aggregates, one thread; coverage included in each)');
say();
say('| detector | seconds | events/s | rows of its families | state at the end |');
say('| --- | ---: | ---: | ---: | ---: |');
for (const name of DETECTOR_NAMES) {
  const one = new DetectorSet({ addresses: addressCounts(blocks), only: [name] });
  global.gc?.();
  const t1 = performance.now();
  one.feedUpTo(from, new Map());
  for (const [b, m] of chunks) one.feedUpTo(b, m);
  const s = (performance.now() - t1) / 1000;
  let own = 0;
  for (const [, m] of chunks) {
    for (const v of m.values()) {
      for (const f of one.families) if (f !== 'sensor-volume') own += v[f]?.length ?? 0;
    }
  }
  say(
    `| ${name} | ${s.toFixed(1)} | ${fmt(events / s)} | ${fmt(own)} | ${fmt(one.stateSizes()[name] ?? 0)} |`,
  );
}
writeFileSync(join(out, 'detect.md'), `${report.join('\n')}\n`);
