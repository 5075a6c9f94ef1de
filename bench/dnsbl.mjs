#!/usr/bin/env node
// The DNSBL (`koban dnsbl serve`) against rbldnsd (Debian `rbldnsd`) serving the same list, both
// measured with dnsperf (Debian `dnsperf`) in the same run: queries/s and p99 latency (from
// dnsperf -v's per-query latencies), and the resident memory of each server with the list loaded.
// The list: BENCH_DNSBL_ADDRESSES synthetic IPv4 addresses (default 1,000,000), imported with
// `koban anonymizer import` and exported for rbldnsd with `koban anonymizer export --format rbldnsd`
// (so both serve the same data); the queries: half listed, half not, BENCH_DNSBL_SECONDS each
// (default 10). Koban is measured with each of BENCH_DNSBL_THREADS (`--threads`, default "1,2"),
// the whole set BENCH_DNSBL_RUNS times (default 1) on one import, rbldnsd in every run. Each row
// also gives the CPU seconds the server and dnsperf used during the measurement (from /proc: on a
// small machine dnsperf competes with the server for the cores), the server's CPU per query, and
// the load average around it. BENCH_DNSBL_RATE caps dnsperf's rate (-Q), to compare CPU per query.
// Skips, saying so, when rbldnsd or dnsperf is missing. After `npm run build`.
// Prints a Markdown section and writes it to bench/out/dnsbl.md.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'dist', 'cli', 'main.js');
const N = Number(process.env.BENCH_DNSBL_ADDRESSES ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_DNSBL_SECONDS ?? 10);
const THREADS = (process.env.BENCH_DNSBL_THREADS ?? '1,2').split(',').map(Number);
const RUNS = Number(process.env.BENCH_DNSBL_RUNS ?? 1);
/** dnsperf -Q: a fixed rate, at which the CPU per query compares the servers' costs; 0: flat out. */
const RATE = Number(process.env.BENCH_DNSBL_RATE ?? 0);
const ZONE = 'tor.dnsbl.koban.invalid';
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });

const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
if (!have('rbldnsd') || !have('dnsperf')) {
  console.log('dnsbl benchmark skipped: rbldnsd and dnsperf are needed (apt-get install rbldnsd dnsperf)');
  process.exit(0);
}

/** The i-th synthetic address: spread over 1.0.0.0–223.255.255.255 by a multiplicative hash. */
const addr = (i) => {
  const x = (Math.imul(i + 1, 2654435761) >>> 0) % (222 * 2 ** 24);
  const n = x + 2 ** 24;
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
};
const rev = (a) => a.split('.').reverse().join('.');

const dir = mkdtempSync(join(tmpdir(), 'koban-bench-dnsbl-'));
chmodSync(dir, 0o755);
const data = join(dir, 'data');
const list = join(dir, 'exits.txt');
const lines = [];
for (let i = 0; i < N; i++) lines.push(addr(i));
writeFileSync(list, `${lines.join('\n')}\n`);
const queries = [];
for (let i = 0; i < 100_000; i++) queries.push(`${rev(i % 2 === 0 ? addr(i * 7) : addr(N + i))}.${ZONE} A`);
writeFileSync(join(dir, 'queries.txt'), `${queries.join('\n')}\n`);

const t0 = performance.now();
execFileSync(
  process.execPath,
  [bin, 'anonymizer', 'import', list, '--published', new Date().toISOString(), '--data', data],
  {
    stdio: 'ignore',
  },
);
const importS = (performance.now() - t0) / 1000;
const zone = join(dir, 'exits.zone');
execFileSync(process.execPath, [
  bin,
  'anonymizer',
  'export',
  '--format',
  'rbldnsd',
  '--out',
  zone,
  '--data',
  data,
]);
chmodSync(zone, 0o644);

const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const wait = (ms) => new Promise((r) => setTimeout(r, ms));
async function ready(port) {
  // A listed address, not the RFC 5782 test entry: rbldnsd answers only what its data file holds.
  for (let i = 0; i < 600; i++) {
    if (
      spawnSync('dig', [
        '@127.0.0.1',
        '-p',
        String(port),
        '+short',
        '+time=1',
        '+tries=1',
        `${rev(addr(0))}.${ZONE}`,
      ])
        .stdout?.toString()
        .includes('127.0.0.2')
    )
      return;
    await wait(1000);
  }
  throw new Error(`no answer on port ${port}`);
}

/** CPU seconds (user + system) a process has used so far, every thread included. */
const cpuS = (pid) => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return Number.NaN;
  }
};
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0];

async function perf(port, serverPid) {
  const server0 = cpuS(serverPid);
  const child = spawn(
    'dnsperf',
    [
      '-s',
      '127.0.0.1',
      '-p',
      String(port),
      '-d',
      join(dir, 'queries.txt'),
      '-l',
      String(SECONDS),
      '-c',
      '4',
      '-q',
      '200',
      ...(RATE > 0 ? ['-Q', String(RATE)] : []),
      '-v',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  // dnsperf's own CPU time: the last reading before it exits.
  let perfCpu = 0;
  const poll = setInterval(() => {
    const c = cpuS(child.pid);
    if (Number.isFinite(c)) perfCpu = c;
  }, 100);
  await new Promise((r) => child.on('close', r));
  clearInterval(poll);
  const serverCpu = cpuS(serverPid) - server0;
  const r = { stdout };
  const qps = Number(/Queries per second:\s+([\d.]+)/.exec(r.stdout)?.[1]);
  const lat = [...r.stdout.matchAll(/^> \S+ \S+ \S+ ([\d.]+)$/gm)]
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const p99 = lat.length ? lat[Math.floor(lat.length * 0.99)] * 1000 : Number.NaN;
  const lost = /Queries lost:\s+(\d+)/.exec(r.stdout)?.[1];
  return { qps, p99, lost, serverCpu, perfCpu };
}

async function measure(name, cmd, args, port) {
  const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', process.env.BENCH_DEBUG ? 'inherit' : 'ignore'] });
  if (process.env.BENCH_DEBUG) console.error(name, cmd, args.join(' '));
  try {
    await ready(port);
    const mem = rssMb(p.pid);
    const load0 = loadavg();
    const r = await perf(port, p.pid);
    return { name, ...r, mem, load: `${load0}–${loadavg()}` };
  } finally {
    p.kill('SIGTERM');
    await wait(500);
  }
}

const rows = [];
for (let run = 1; run <= RUNS; run++) {
  for (const t of THREADS)
    rows.push({
      run,
      ...(await measure(
        `koban dnsbl serve --threads ${t}`,
        process.execPath,
        [bin, 'dnsbl', 'serve', '--listen', '127.0.0.1:25353', '--data', data, '--threads', String(t)],
        25353,
      )),
    });
  rows.push({
    run,
    ...(await measure(
      'rbldnsd',
      'rbldnsd',
      ['-n', '-b', '127.0.0.1/25354', '-r', dir, '-u', 'rbldns', `${ZONE}:ip4set:exits.zone`],
      25354,
    )),
  });
}
const fmt = (x, d = 0) =>
  Number.isFinite(x)
    ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
    : '—';
const md = [
  `### DNSBL: koban dnsbl serve vs rbldnsd (${fmt(N)} listed addresses, synthetic)`,
  '',
  `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), shared; dnsperf -c 4 -q 200${RATE > 0 ? ` -Q ${RATE}` : ''} for ${SECONDS} s each, 100,000 names (half listed); import ${fmt(importS, 1)} s.`,
  '',
  '| run | server | queries/s | × rbldnsd | p99 latency (ms) | lost | RSS with the list (MiB) | server CPU s | CPU µs/query | dnsperf CPU s | load average |',
  '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ...rows.map((r) => {
    const base = rows.find((b) => b.run === r.run && b.name === 'rbldnsd');
    const ratio = `${fmt(r.qps / base.qps, 2)}×`;
    return `| ${r.run} | ${r.name} | ${fmt(r.qps)} | ${ratio} | ${fmt(r.p99, 2)} | ${r.lost ?? '—'} | ${fmt(r.mem)} | ${fmt(r.serverCpu, 1)} | ${fmt((r.serverCpu * 1e6) / (r.qps * SECONDS), 1)} | ${fmt(r.perfCpu, 1)} | ${r.load} |`;
  }),
  '',
];
console.log(md.join('\n'));
writeFileSync(join(out, 'dnsbl.md'), md.join('\n'));
rmSync(dir, { recursive: true, force: true });
