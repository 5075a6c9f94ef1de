#!/usr/bin/env node
// Compression bombs against the center (after `npm run build`): `node bench/ingest-bomb.mjs`.
// Starts one `koban serve` (--no-detect), registers four sensors, and probes GET /healthz every
// 20 ms: first with no load (the baseline, same run), then while four senders — one per sensor
// token — each POST gzip bombs back to back (SYNTHETIC: a valid batch header followed by 127 MiB of
// blanks and newlines, about 130 KB compressed; the shape that froze the center for 30 s). Reports
// /healthz latency (median, p99, max), the bombs' answers, and the center's peak RSS (VmHWM).
// Env: BENCH_BOMB_S (seconds of load, default 10), BENCH_BOMB_MIB (inflated size, default 127).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { bin, freePort, koban, root, sleep, waitUp } from './_center.mjs';

const out = join(root, 'bench', 'out', 'ingest-bomb');
const SECONDS = Number(process.env.BENCH_BOMB_S ?? 10);
const MIB = Number(process.env.BENCH_BOMB_MIB ?? 127);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const data = join(out, 'center');
const addSensor = (name) =>
  JSON.parse(
    execFileSync(process.execPath, [bin, 'sensor', 'add', name, '--data', data, '--json'], {
      encoding: 'utf8',
    }),
  ).token;
const tokens = ['bomb-1', 'bomb-2', 'bomb-3', 'bomb-4'].map(addSensor);

const head = Buffer.from(`${JSON.stringify({ v: 1, batch_id: 'bomb', format: 'events' })}\n`);
const bomb = gzipSync(Buffer.concat([head, Buffer.alloc(MIB * 1024 * 1024, ' \n\t ')]), { level: 9 });

const port = await freePort();
const center = koban(['serve', '--data', data, '--listen', `127.0.0.1:${port}`, '--no-detect']);
await waitUp(port);
const url = `http://127.0.0.1:${port}`;

/** Probes /healthz every 20 ms until `until()` is false; returns the latencies in ms. */
async function probe(until) {
  const ms = [];
  while (until()) {
    const t = performance.now();
    const r = await fetch(`${url}/healthz`);
    await r.arrayBuffer();
    ms.push(performance.now() - t);
    await sleep(20);
  }
  return ms;
}
const stats = (ms) => {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, p50: q(0.5), p99: q(0.99), max: s[s.length - 1] };
};

// Baseline: no load.
let end = Date.now() + 3000;
const idle = stats(await probe(() => Date.now() < end));

// Load: four senders, bombs back to back.
end = Date.now() + SECONDS * 1000;
const answers = new Map();
const sender = async (token) => {
  while (Date.now() < end) {
    const t = performance.now();
    const r = await fetch(`${url}/api/v1/ingest`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Encoding': 'gzip' },
      body: bomb,
    });
    await r.arrayBuffer();
    const a = answers.get(r.status) ?? { count: 0, ms: [] };
    a.count++;
    a.ms.push(performance.now() - t);
    answers.set(r.status, a);
  }
};
const [loaded] = await Promise.all([probe(() => Date.now() < end), ...tokens.map(sender)]);
const underLoad = stats(loaded);
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${center.pid}/status`, 'utf8'))?.[1];
center.kill('SIGTERM');
await new Promise((r) => center.once('exit', r));

const f = (n) => n.toFixed(1);
const lines = [
  '## Compression bombs against the center',
  '',
  `Machine: ${cpus().length} × ${cpus()[0]?.model}; load average at the end ${loadavg()[0].toFixed(2)}.`,
  `Bomb (SYNTHETIC): a batch header and ${MIB} MiB of blanks and newlines, ${Math.round(bomb.length / 1024)} KB gzip'd; four senders (one token each) posting bombs back to back for ${SECONDS} s; /healthz probed every 20 ms.`,
  '',
  '| /healthz | probes | p50 ms | p99 ms | max ms |',
  '|---|---:|---:|---:|---:|',
  `| no load (baseline) | ${idle.n} | ${f(idle.p50)} | ${f(idle.p99)} | ${f(idle.max)} |`,
  `| 4 senders of bombs | ${underLoad.n} | ${f(underLoad.p50)} | ${f(underLoad.p99)} | ${f(underLoad.max)} |`,
  '',
  '| bomb answer | count | median ms per bomb |',
  '|---|---:|---:|',
  ...[...answers].map(([status, a]) => `| HTTP ${status} | ${a.count} | ${f(stats(a.ms).p50)} |`),
  '',
  `Center peak RSS (VmHWM): ${hwm ? Math.round(Number(hwm) / 1024) : '?'} MiB.`,
  '',
];
console.log(lines.join('\n'));
writeFileSync(join(out, 'report.md'), lines.join('\n'));
