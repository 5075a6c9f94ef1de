#!/usr/bin/env node
// Detection over a matrix of simulated configurations (`node bench/detect-matrix.mjs`, after the
// build). Every set is SIMULATED by this checkout's `koban simulate` with every scenario injected
// (`--episodes`, default 3: strengths 0, 0.5, 1), a working-day cycle in the background, and then
// scored by `koban detect --eval --json` of one or more builds; the per-detector summary (worst and
// median precision and recall, median delay, worst cell, episodes below the noise floor) comes from
// src/detect/eval-matrix.ts of this checkout's build, for every build alike.
//
// Factors: sensors {6, 12, 20, 57} × days {7, 14, 30} × background rate {1500, 5000, 15000}
// (×0.3, ×1, ×3 the default) × sensor outages {no, yes} × data gaps {no, yes}.
//   BENCH_MATRIX=full     the full grid (144 cells per seed; seeds from BENCH_MATRIX_SEEDS, default 1)
//   default               the 12-cell covering design below: every sensors×days pair once; the
//                         rate is a permutation over days for every sensor count (so every
//                         sensors×rate and days×rate pair appears too) chosen to keep the biggest
//                         fleet on the lowest rate for the longest run; outages and gaps each in 6
//                         cells, each of their 4 combinations 3 times, and every level of both paired
//                         with every level of sensors, days and rate; each cell its own seed (1–12).
//   BENCH_KOBAN           builds under test, `label=path,…` (a plain path is labelled "build");
//                         default `after=dist/cli/main.js` of this checkout. The same sets (and the
//                         same imported store, bench/out/matrix/work) are scored by each build.
//   BENCH_SIM             the simulating build (default dist/cli/main.js; needs --daily-cycle, data-gap)
//   BENCH_MATRIX_CELLS    only these cells, by their number in the design (e.g. `1,4,7`); the
//                         summary covers every cell whose results are all cached, and the report
//                         lists the others as not run
//   BENCH_MATRIX_EPISODES episodes per scenario (default 3)
//   BENCH_MATRIX_FLOOR    noise floor on the simulator's strength (default: eval-matrix's, 0.25)
// Sets, stores and each build's eval JSON are cached under bench/out/matrix/ keyed by configuration
// (and build label): a rerun only does what is missing. Cells run smallest first.
// A build whose truth schema predates `data-gap` (main before issue 12 item 3) is given a scoring
// view of a gap set: the same files (symlinks) and the truth without its data-gap episodes, which no
// detector is scored against; every build scores that same view, so the numbers stay comparable.
// Writes bench/out/detect-matrix.md and bench/out/detect-matrix.json.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
const base = join(out, 'matrix');
// The simulator (BENCH_SIM: a snapshot of this build, so rebuilding meanwhile changes nothing).
const simBin = resolve(root, process.env.BENCH_SIM ?? join('dist', 'cli', 'main.js'));
const episodes = Number(process.env.BENCH_MATRIX_EPISODES ?? 3);
const full = process.env.BENCH_MATRIX === 'full';
const builds = (process.env.BENCH_KOBAN ?? `after=${simBin}`)
  .split(',')
  .filter((s) => s.length > 0)
  .map((s) => {
    const [label, path] = s.includes('=') ? s.split('=') : ['build', s];
    return { label, bin: isAbsolute(path) ? path : resolve(root, path) };
  });

const SENSORS = [6, 12, 20, 57];
const DAYS = [7, 14, 30];
const RATES = [1500, 5000, 15000];
const OTHER_KINDS = [
  'port-surge',
  'backscatter',
  'scan',
  'worm-outbreak',
  'messenger-spam',
  'botnet-infection',
];

// The covering design: row = sensors, column = days, entry = rate index; outages and gaps per cell.
const RATE_OF = [
  [1, 0, 2], // 6 sensors: 7 d ×1, 14 d ×0.3, 30 d ×3
  [0, 2, 1], // 12
  [2, 1, 0], // 20
  [2, 1, 0], // 57
];
const OUTAGES = [0, 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0];
const GAPS = [1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0];

function design() {
  const cells = [];
  if (full) {
    const seeds = (process.env.BENCH_MATRIX_SEEDS ?? '1').split(',').map(Number);
    for (const seed of seeds)
      for (const sensors of SENSORS)
        for (const days of DAYS)
          for (const rate of RATES)
            for (const outages of [false, true])
              for (const gaps of [false, true]) cells.push({ sensors, days, rate, outages, gaps, seed });
  } else {
    let i = 0;
    SENSORS.forEach((sensors, s) => {
      DAYS.forEach((days, d) => {
        cells.push({
          sensors,
          days,
          rate: RATES[RATE_OF[s][d]],
          outages: OUTAGES[i] === 1,
          gaps: GAPS[i] === 1,
          seed: i + 1,
        });
        i++;
      });
    });
  }
  return cells.map((c, i) => ({ ...c, n: i + 1 }));
}

const keyOf = (c) =>
  `s${c.sensors}-d${c.days}-r${c.rate}-${c.outages ? 'outages' : 'no-outages'}-${c.gaps ? 'gaps' : 'no-gaps'}-working-day-e${episodes}-seed${c.seed}`;
const labelOf = (c) =>
  `${c.sensors} sensors, ${c.days} d, rate ${c.rate}, ${c.outages ? 'outages' : 'no outages'}, ${c.gaps ? 'gaps' : 'no gaps'}, seed ${c.seed}`;

function run(bin, args) {
  return execFileSync('nice', ['-n', '10', process.execPath, bin, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function simulateCell(c, dir) {
  if (existsSync(join(dir, 'truth.json'))) return;
  const scenarios = c.outages ? ['all'] : [OTHER_KINDS.join(',')];
  if (c.gaps) scenarios.push('data-gap');
  run(simBin, [
    'simulate',
    '--out',
    dir,
    '--sensors',
    String(c.sensors),
    '--days',
    String(c.days),
    '--rate',
    String(c.rate),
    ...scenarios.flatMap((s) => ['--scenario', s]),
    '--episodes',
    String(episodes),
    '--daily-cycle',
    'working-day',
    '--seed',
    String(c.seed),
    '--json',
  ]);
}

/** The directory every build scores: the set itself, or for a gap set its view without data-gap truth. */
function scoringDir(c, dir) {
  if (!c.gaps) return dir;
  const view = join(base, 'views', keyOf(c));
  if (existsSync(join(view, 'truth.json'))) return view;
  mkdirSync(view, { recursive: true });
  for (const name of readdirSync(dir)) {
    if (name !== 'truth.json' && !existsSync(join(view, name)))
      symlinkSync(join(dir, name), join(view, name));
  }
  const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
  truth.episodes = truth.episodes.filter((e) => e.kind !== 'data-gap');
  writeFileSync(join(view, 'truth.json'), JSON.stringify(truth, null, 2));
  return view;
}

const cells = design();
const only = process.env.BENCH_MATRIX_CELLS?.split(',').map(Number);
const toRun = cells
  .filter((c) => !only || only.includes(c.n))
  .sort((a, b) => a.sensors * a.days * a.rate - b.sensors * b.days * b.rate);
const t0 = performance.now();
const timings = {};
for (const c of toRun) {
  const key = keyOf(c);
  const dir = join(base, 'sets', key);
  const ts = performance.now();
  simulateCell(c, dir);
  const scoring = scoringDir(c, dir);
  for (const b of builds) {
    const file = join(base, 'eval', b.label, `${key}.json`);
    if (existsSync(file)) continue;
    mkdirSync(dirname(file), { recursive: true });
    const te = performance.now();
    const doc = run(b.bin, ['detect', '--eval', scoring, '--work', join(base, 'work', key), '--json']);
    writeFileSync(file, doc);
    console.error(`${b.label} ${key}: ${((performance.now() - te) / 1000).toFixed(0)} s`);
  }
  timings[key] = Math.round((performance.now() - ts) / 1000);
}
const wallS = Math.round((performance.now() - t0) / 1000);

// The summary, by this checkout's eval-matrix for every build.
const { summarizeMatrix, DEFAULT_NOISE_FLOOR } = await import(join(root, 'dist', 'detect', 'index.js'));
const floor = Number(process.env.BENCH_MATRIX_FLOOR ?? DEFAULT_NOISE_FLOOR);
const done = cells.filter((c) =>
  builds.every((b) => existsSync(join(base, 'eval', b.label, `${keyOf(c)}.json`))),
);
const summaries = {};
for (const b of builds) {
  const inputs = done.map((c) => {
    const key = keyOf(c);
    return {
      label: labelOf(c),
      config: { ...c, daily_cycle: 'working-day', episodes },
      result: JSON.parse(readFileSync(join(base, 'eval', b.label, `${key}.json`), 'utf8')),
      truth: JSON.parse(readFileSync(join(base, 'sets', key, 'truth.json'), 'utf8')),
    };
  });
  summaries[b.label] = summarizeMatrix(inputs, { noiseFloor: floor });
}

const commit = (dir) => {
  try {
    return execFileSync('git', ['-C', dir, 'log', '-1', '--format=%h %cI'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
};
const r3 = (x) => (x === null ? 'n/a' : x.toFixed(3));
const lines = [];
const say = (s = '') => lines.push(s);
say(`# Detection over a matrix of configurations (${new Date().toISOString().slice(0, 10)})`);
say();
say(
  `Machine: ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; shared, nice -n 10.`,
);
say(
  `Command: \`BENCH_KOBAN=${builds.map((b) => `${b.label}=${b.bin}`).join(',')} node bench/detect-matrix.mjs\`` +
    `${full ? ' (BENCH_MATRIX=full)' : ''}; ${done.length} of the design's ${cells.length} cells scored by every build, --episodes ${episodes}, --daily-cycle working-day; ` +
    `noise floor: strength < ${floor} or no trace in the files; wall ${wallS} s this run (cached work skipped).`,
);
for (const b of builds) say(`Build "${b.label}": ${b.bin} (${commit(dirname(dirname(dirname(b.bin))))}).`);
say();
say('| cell | sensors | days | rate | outages | gaps | seed | scored | seconds (this run) |');
say('| --- | ---: | ---: | ---: | --- | --- | ---: | --- | ---: |');
for (const c of cells) {
  say(
    `| ${c.n} | ${c.sensors} | ${c.days} | ${c.rate} | ${c.outages ? 'yes' : 'no'} | ${c.gaps ? 'yes' : 'no'} | ${c.seed} | ${done.includes(c) ? 'yes' : 'not run'} | ${timings[keyOf(c)] ?? '–'} |`,
  );
}
// A worst cell is worth naming only when something in it went wrong.
const flawed = (d) => d.worst !== null && d.worst.fp + d.worst.fn > 0;
const worstOf = (d) => (flawed(d) ? d.worst.label : '– (no error in any cell)');
for (const b of builds) {
  const s = summaries[b.label];
  say();
  say(`## ${b.label}`);
  say();
  say(
    '| detector | worst P | median P | worst R | median R | median delay s | tp / fp / fn (above floor) | below floor: detected / all | recall n/a in cells | worst cell |',
  );
  say('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |');
  for (const d of s.detectors) {
    say(
      `| ${d.name} | ${r3(d.precision.worst)} | ${r3(d.precision.median)} | ${r3(d.recall.worst)} | ${r3(d.recall.median)} | ${d.median_delay_s ?? 'n/a'} | ${d.totals.tp} / ${d.totals.fp} / ${d.totals.fn} | ${d.below_floor.detected} / ${d.below_floor.episodes} | ${d.recall_na.length === 0 ? '–' : d.recall_na.join('; ')} | ${worstOf(d)} |`,
    );
  }
  say();
  for (const d of s.detectors)
    if (flawed(d)) say(`- ${d.name}, worst cell (${d.worst.label}): ${d.worst.why}`);
}
writeFileSync(join(out, 'detect-matrix.md'), `${lines.join('\n')}\n`);
writeFileSync(
  join(out, 'detect-matrix.json'),
  JSON.stringify(
    {
      cells: cells.map((c) => ({ ...c, key: keyOf(c), scored: done.includes(c) })),
      builds,
      floor,
      summaries,
    },
    null,
    2,
  ),
);
console.log(lines.join('\n'));
