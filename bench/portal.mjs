#!/usr/bin/env node
// The public portal over a large simulated store: `node bench/portal.mjs` after `npm run build`.
// Builds (once, kept under bench/out/portal-<N>/) a store of BENCH_PORTAL_EVENTS simulated events
// (default 10,000,000; 57 darknet sensors with IDS, every scenario, 30 days from 2026-05-16, so the
// store spans May and June 2026 — the first half of 2026), then starts `koban serve` on it and
// times, over BENCH_PORTAL_REQUESTS sequential requests each (default 50, after one warm-up):
// `/healthz` (the same-run baseline), the release (`/` in Japanese and English, and a past month),
// the advisories list, the reports list and a report page (its first request, which makes it, is
// timed apart). Last, the semiannual PDF: the whole `koban publish semiannual --period 2026-H1
// --format pdf` command, and the site's first `/reports/2026-H1.pdf`. Prints a Markdown section
// for BENCHMARKS.md. Timings are wall clock on whatever else the machine is doing: compare with
// the baseline of the same run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { bin, freePort, koban, root, waitUp } from './_center.mjs';

const env = (k, d) => (process.env[k] ? Number(process.env[k]) : d);
const N_EVENTS = env('BENCH_PORTAL_EVENTS', 10_000_000);
const N_REQ = env('BENCH_PORTAL_REQUESTS', 50);
const DAYS = 30;
const out = join(root, 'bench', 'out');
const data = join(out, `portal-${N_EVENTS}`);
const ready = join(data, 'READY');
const fmt = (n) => n.toLocaleString('en-US');
const say = (s = '') => process.stdout.write(`${s}\n`);

/** Builds the store once: simulate, then `koban import` every file; returns the seconds of each. */
async function buildStore() {
  if (existsSync(ready)) return JSON.parse(readFileSync(ready, 'utf8'));
  rmSync(data, { recursive: true, force: true });
  const dir = join(out, `sim-portal-${N_EVENTS}`);
  rmSync(dir, { recursive: true, force: true });
  const { simulate } = await import(join(root, 'dist', 'sim', 'index.js'));
  const t0 = performance.now();
  await simulate({
    outDir: dir,
    sensors: 57,
    days: DAYS,
    start: '2026-05-16',
    ratePerSensorPerDay: Math.ceil(N_EVENTS / 57 / DAYS),
    seed: 13,
    formats: ['pcap', 'eve'],
    fleet: { darknetEvery: 1 },
    scenarios: ['all'],
    workers: 2,
  });
  const simulateS = (performance.now() - t0) / 1000;
  const files = execFileSync('sh', ['-c', `ls ${dir}/sensors/*/*`], { encoding: 'utf8' })
    .trim()
    .split('\n');
  const t1 = performance.now();
  const r = spawnSync(process.execPath, [bin, 'import', '--data', data, '--json', ...files], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`koban import failed: ${r.stderr}`);
  const importS = (performance.now() - t1) / 1000;
  rmSync(dir, { recursive: true, force: true });
  const built = { simulateS, importS };
  writeFileSync(ready, JSON.stringify(built));
  return built;
}

const p = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

/** One timed GET: milliseconds to the whole body. */
async function get(base, path) {
  const t0 = performance.now();
  const r = await fetch(base + path);
  const body = await r.arrayBuffer();
  if (r.status !== 200)
    throw new Error(`${path}: HTTP ${r.status} ${Buffer.from(body).toString().slice(0, 200)}`);
  return { ms: performance.now() - t0, bytes: body.byteLength };
}

/** N_REQ requests of `pathOf(i)` after one warm-up of `pathOf(-1)`: p50, p95, max. */
async function series(base, label, pathOf) {
  await get(base, pathOf(-1)); // warm-up (and, for a report, its making)
  const times = [];
  let bytes = 0;
  for (let i = 0; i < N_REQ; i++) {
    const r = await get(base, pathOf(i));
    times.push(r.ms);
    bytes = r.bytes;
  }
  times.sort((a, b) => a - b);
  return { path: label, p50: p(times, 0.5), p95: p(times, 0.95), max: times[times.length - 1], bytes };
}

const built = await buildStore();
const sizeBytes = execFileSync('du', ['-sb', data], { encoding: 'utf8' }).split('\t')[0];
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const center = koban(['serve', '--data', data, '--listen', `127.0.0.1:${port}`, '--no-detect']);
const rows = [];
const firsts = [];
try {
  await waitUp(port);
  // Reports are made once and kept: time the making from a clean cache.
  rmSync(join(data, 'reports'), { recursive: true, force: true });
  for (const path of ['/reports/2026-H1.html?lang=ja', '/reports/2026-05.html?lang=en']) {
    const r = await get(base, path);
    firsts.push({ path, ms: r.ms });
  }
  for (const path of [
    '/healthz',
    '/?lang=ja',
    '/?lang=ja&month=2026-06',
    '/?lang=en&month=2026-06',
    '/release/2026-05/top-ports.csv',
    '/advisories?lang=ja',
    '/reports?lang=ja',
    '/reports/2026-H1.html?lang=ja',
  ])
    rows.push(await series(base, path, () => path));
  // The release's cost without its cache: a port figure nobody asked for yet is a new entry each.
  rows.push(
    await series(
      base,
      '`/?lang=ja&month=2026-05&port=N/tcp`, N new each time (uncached)',
      (i) => `/?lang=ja&month=2026-05&port=${20_000 + i}/tcp`,
    ),
  );
  const pdf = await get(base, '/reports/2026-H1.pdf?lang=ja');
  firsts.push({ path: '/reports/2026-H1.pdf?lang=ja', ms: pdf.ms });
} finally {
  center.kill('SIGTERM');
  await new Promise((r) => center.once('exit', r));
}
const pdfFile = join(out, 'portal-2026-H1.pdf');
mkdirSync(out, { recursive: true });
const t0 = performance.now();
const pub = spawnSync(
  process.execPath,
  [bin, 'publish', 'semiannual', '--period', '2026-H1', '--format', 'pdf', '--data', data, '--out', pdfFile],
  { encoding: 'utf8' },
);
const publishS = (performance.now() - t0) / 1000;
if (pub.status !== 0) throw new Error(`koban publish failed: ${pub.stderr}`);
// pdfinfo (Debian poppler-utils) counts the pages; without it the count is reported missing, not guessed.
let pages = 'unknown (pdfinfo, Debian poppler-utils, not installed)';
try {
  pages = /^Pages:\s+(\d+)/m.exec(execFileSync('pdfinfo', [pdfFile], { encoding: 'utf8' }))?.[1] ?? pages;
} catch (e) {
  if (e.code !== 'ENOENT') throw e;
}

const ms = (x) => x.toFixed(1);
say(
  `Machine: ${cpus().length} vCPU (${cpus()[0]?.model}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average at the end ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}.`,
);
say(
  `Store: ${fmt(N_EVENTS)} simulated events requested (57 darknet sensors with IDS, ${DAYS} days from 2026-05-16), ${(Number(sizeBytes) / 1e9).toFixed(2)} GB; simulated in ${built.simulateS.toFixed(0)} s, imported in ${built.importS.toFixed(0)} s.`,
);
say(`Requests: ${N_REQ} sequential per URL after one warm-up, \`koban serve --no-detect\`, over loopback.`);
say();
say('| URL | p50 ms | p95 ms | max ms | bytes |');
say('|---|---:|---:|---:|---:|');
for (const r of rows)
  say(
    `| ${r.path.startsWith('`') ? r.path : `\`${r.path}\``} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.max)} | ${fmt(r.bytes)} |`,
  );
say();
say('First request (the report is made, then kept on disk):');
say();
for (const f of firsts) say(`- \`${f.path}\`: ${ms(f.ms)} ms`);
say();
say(
  `\`koban publish semiannual --period 2026-H1 --format pdf\` (whole command: process start, store open, report, Chromium): ${publishS.toFixed(1)} s, ${pages} pages, ${fmt(statSync(pdfFile).size)} bytes.`,
);
