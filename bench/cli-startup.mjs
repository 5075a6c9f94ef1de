#!/usr/bin/env node
// Start-up time of the `koban` command (`node bench/cli-startup.mjs`, after the build; `npm run
// bench` runs it first). Times whole processes: `koban --version`, `koban --help`, `koban stats
// --help` and `koban sensor run --help`, against a baseline in the same run — `node -e 0`, the
// cost of starting Node itself. The commands are run in turns (one of each, then again), so a
// change of load during the run touches them all alike; median and minimum of the runs.
// With each command it reports the native addons the process loaded (a preload that records
// `process.dlopen`), which is what start-up mostly paid for before commands were loaded lazily.
// Env: BENCH_STARTUP_RUNS (default 15); KOBAN_DIST (default dist/) to time another build.
// Prints a Markdown section and writes it to bench/out/cli-startup.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
const dist = resolve(process.env.KOBAN_DIST ?? join(root, 'dist'));
const bin = join(dist, 'cli', 'main.js');
const runs = Number(process.env.BENCH_STARTUP_RUNS ?? 15);
mkdirSync(out, { recursive: true });

const cases = [
  ['node -e 0 (baseline)', ['-e', '0']],
  ['koban --version', [bin, '--version']],
  ['koban --help', [bin, '--help']],
  ['koban stats --help', [bin, 'stats', '--help']],
  ['koban sensor run --help', [bin, 'sensor', 'run', '--help']],
];

function once(args, env = process.env) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${r.stderr.slice(0, 500)}`);
  return s;
}

/** The native addons one run of `args` opens, by package directory. */
function addons(args) {
  const dir = mkdtempSync(join(tmpdir(), 'koban-startup-'));
  try {
    const log = join(dir, 'dlopen.log');
    const preload = join(dir, 'preload.cjs');
    writeFileSync(
      preload,
      `const fs = require('node:fs'); const open = process.dlopen;
process.dlopen = function (m, file, ...rest) { fs.appendFileSync(${JSON.stringify(log)}, file + '\\n'); return open.call(this, m, file, ...rest); };\n`,
    );
    once(['--require', preload, ...args]);
    let files = [];
    try {
      files = readFileSync(log, 'utf8').trim().split('\n');
    } catch {
      files = [];
    }
    return files.map((f) => {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f);
      return m ? m[1] : basename(f);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');

const loadBefore = load();
for (const [, args] of cases) once(args); // warm the page cache: every file read once
const times = cases.map(() => []);
for (let k = 0; k < runs; k++) {
  cases.forEach(([, args], i) => {
    times[i].push(once(args));
  });
}
const loadAfter = load();

const lines = [];
const say = (s = '') => {
  lines.push(s);
  console.log(s);
};
const base = median(times[0]);
say('## CLI start-up');
say();
say(
  `Machine: ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM; Node ${process.version}. ` +
    `Load average (1, 5, 15 min) ${loadBefore} at the start, ${loadAfter} at the end.`,
);
say(
  `Command: \`node bench/cli-startup.mjs\` (build: ${dist === join(root, 'dist') ? 'dist/' : dist}); ${runs} runs of each, in turns, after one warm-up run.`,
);
say();
say('| command | median s | min s | median − baseline s | native addons loaded |');
say('|---|---:|---:|---:|---|');
cases.forEach(([name, args], i) => {
  const med = median(times[i]);
  const loaded = addons(args);
  say(
    `| ${name} | ${med.toFixed(3)} | ${Math.min(...times[i]).toFixed(3)} | ${i === 0 ? '—' : (med - base).toFixed(3)} | ${loaded.length ? loaded.join(', ') : 'none'} |`,
  );
});
say();
writeFileSync(join(out, 'cli-startup.md'), `${lines.join('\n')}\n`);
