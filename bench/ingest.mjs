#!/usr/bin/env node
// Center ingest benchmark (after `npm run build`): `node bench/ingest.mjs`.
//  1. Throughput: gzip'd NDJSON batches of normalised events (from a SIMULATED iptables log,
//     parsed once up front) POSTed to one `koban serve` process over HTTP with 4 connections, as
//     fast as it answers; against `koban import` of the same log file in the same run.
//  2. End-to-end delay: a writer appends kernel LOG lines to a file at a steady rate (each line
//     stamped with the time it is written); `koban sensor run` follows it and ships to the
//     center. Delay = when the event's batch was committed (queryable) − when its line was
//     written, read from the store afterwards (events.ts_ms vs batches.stored_ms). Measured
//     alone and while (1)'s load runs.
// Env: BENCH_INGEST_EVENTS (default 2,000,000), BENCH_DELAY_RATE lines/s (20,000), BENCH_DELAY_S (20),
// BENCH_INGEST_DETECT (1; 0 starts the center with --no-detect).
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { bin, freePort, koban, root, sleep, waitUp } from './_center.mjs';

const out = join(root, 'bench', 'out', 'ingest');
const N = Number(process.env.BENCH_INGEST_EVENTS ?? 2_000_000);
const RATE = Number(process.env.BENCH_DELAY_RATE ?? 20_000);
const SECONDS = Number(process.env.BENCH_DELAY_S ?? 20);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const { simulate } = await import(join(root, 'dist', 'sim', 'index.js'));
const { openInput, parseInput } = await import(join(root, 'dist', 'parse', 'index.js'));
const { encodeEvent } = await import(join(root, 'dist', 'wire', 'index.js'));
const { DuckDBInstance } = await import('@duckdb/node-api');

const addSensor = (data, name) =>
  JSON.parse(
    execFileSync(process.execPath, [bin, 'sensor', 'add', name, '--data', data, '--json'], {
      encoding: 'utf8',
    }),
  ).token;

// Input: a simulated iptables log, parsed once into wire batches of 10,000 events.
const sim = join(out, 'sim');
await simulate({
  outDir: sim,
  sensors: 57,
  days: 1,
  ratePerSensorPerDay: Math.ceil(N / 57),
  seed: 21,
  formats: ['iptables'],
  scenarios: [],
});
const log = join(out, 'input.log');
execFileSync('sh', ['-c', `cat ${sim}/sensors/*/simulated-iptables.log > ${log}`]);
const ctx = { sensor: 'bench', year: 2006, utcOffsetMinutes: 0, nowMs: Date.UTC(2100, 0, 1) };
const { batches: parsed } = parseInput(await openInput(log), 'iptables', ctx, {
  maxLineChars: 65536,
  name: log,
});
const bodies = [];
let lines = [];
let total = 0;
const pushBody = () => {
  bodies.push(
    gzipSync(
      `${JSON.stringify({ v: 1, batch_id: `bench-${bodies.length}`, format: 'events' })}\n${lines.join('\n')}\n`,
      { level: 1 },
    ),
  );
  lines = [];
};
for await (const b of parsed) {
  for (const e of b.events) {
    lines.push(JSON.stringify(encodeEvent(e, null)));
    total++;
    if (lines.length === 10_000) pushBody();
  }
}
if (lines.length) pushBody();

// koban import of the same file, same run.
const importData = join(out, 'import-data');
const t0 = performance.now();
execFileSync(process.execPath, [bin, 'import', '--data', importData, '--sensor', 'bench', log], {
  stdio: 'ignore',
});
const importS = (performance.now() - t0) / 1000;

async function httpLoad(port, token, list) {
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const body = list[next++];
      for (;;) {
        const r = await fetch(`http://127.0.0.1:${port}/api/v1/ingest`, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${token}`,
            'Content-Type': 'application/x-ndjson',
            'Content-Encoding': 'gzip',
          },
          body,
        });
        await r.arrayBuffer();
        if (r.ok) break;
        await sleep(Number(r.headers.get('retry-after') ?? 1) * 1000);
      }
    }
  };
  const t = performance.now();
  await Promise.all([worker(), worker(), worker(), worker()]);
  return (performance.now() - t) / 1000;
}

// 1. Throughput over HTTP.
const data = join(out, 'center');
const token = addSensor(data, 'bench-http');
const port = await freePort();
// BENCH_INGEST_DETECT=0 runs the center without its live detectors (the default runs them).
const detectArgs = process.env.BENCH_INGEST_DETECT === '0' ? ['--no-detect'] : [];
const center = koban(['serve', '--data', data, '--listen', `127.0.0.1:${port}`, ...detectArgs]);
await waitUp(port);
const httpS = await httpLoad(port, token, bodies);

// 2. Delay: a log written at RATE lines/s, followed by the agent.
async function delayRun(label, withLoad) {
  const dir = join(out, `delay-${label}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'kern.log');
  writeFileSync(file, '');
  const agentToken = addSensor(data, `agent-${label}`);
  const agent = koban(
    [
      'sensor',
      'run',
      '--center',
      `http://127.0.0.1:${port}`,
      '--spool',
      join(dir, 'spool'),
      '--source',
      `iptables:${file}`,
      '--flush-ms',
      '200',
    ],
    { KOBAN_TOKEN: agentToken },
  );
  await sleep(1000);
  let loadBodies = null;
  if (withLoad) {
    // Fresh batch ids so the center stores (not deduplicates) the background load.
    const { gunzipSync } = await import('node:zlib');
    loadBodies = bodies.map((b, i) => {
      const text = gunzipSync(b).toString();
      return gzipSync(text.replace(/"batch_id":"bench-\d+"/, `"batch_id":"load-${label}-${i}"`), {
        level: 1,
      });
    });
  }
  const bg = withLoad ? httpLoad(port, token, loadBodies) : Promise.resolve(0);
  let written = 0;
  const start = Date.now();
  while (Date.now() - start < SECONDS * 1000) {
    const now = Date.now();
    const due = Math.floor(((now - start) / 1000) * RATE);
    let chunk = '';
    for (; written < due; written++) {
      const iso = new Date(now).toISOString().replace('Z', '000+00:00');
      chunk += `${iso} fw-delay kernel: [UFW BLOCK] IN=eth0 OUT= SRC=198.51.${(written >> 8) & 255}.${written & 255} DST=203.0.113.7 LEN=44 TTL=50 ID=1 PROTO=TCP SPT=${1024 + (written % 60000)} DPT=23 WINDOW=1024 RES=0x00 SYN URGP=0\n`;
    }
    if (chunk) appendFileSync(file, chunk);
    await sleep(20);
  }
  await sleep(5000);
  agent.kill('SIGTERM');
  await bg;
  return written;
}
const wroteAlone = await delayRun('alone', false);
const wroteLoaded = await delayRun('loaded', true);
center.kill('SIGTERM');
await new Promise((r) => center.once('exit', r));

const db = await DuckDBInstance.create(join(data, 'events.duckdb'));
const con = await db.connect();
const q = async (sensor) =>
  (
    await con.runAndReadAll(`SELECT count(*), quantile_cont(b.stored_ms - e.ts_ms, 0.5), quantile_cont(b.stored_ms - e.ts_ms, 0.99), max(b.stored_ms - e.ts_ms)
      FROM events e JOIN batches b ON b.id = e.batch JOIN sensors s ON s.id = e.sensor WHERE s.name = '${sensor}'`)
  )
    .getRows()[0]
    .map(Number);
const alone = await q('agent-alone');
const loaded = await q('agent-loaded');
con.closeSync();
db.closeSync();

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const lines2 = [
  `## Ingest over HTTP (one center process)`,
  '',
  `Input: ${fmt(total)} events (simulated iptables log, parsed once into ${bodies.length} gzip'd NDJSON batches of 10,000).`,
  '',
  '| what | seconds | events/s | ratio |',
  '|---|---:|---:|---:|',
  `| HTTP ingest, 4 connections, events already parsed | ${httpS.toFixed(2)} | ${fmt(total / httpS)} | ${(importS / httpS).toFixed(2)} × import |`,
  `| koban import of the same log (parse + enrich + store) | ${importS.toFixed(2)} | ${fmt(total / importS)} | 1.00 |`,
  '',
  `End-to-end delay, line written → event queryable (batch committed), ${fmt(RATE)} lines/s for ${SECONDS} s through \`koban sensor run\`:`,
  '',
  '| condition | lines | stored | p50 ms | p99 ms | max ms |',
  '|---|---:|---:|---:|---:|---:|',
  `| agent alone | ${fmt(wroteAlone)} | ${fmt(alone[0])} | ${fmt(alone[1])} | ${fmt(alone[2])} | ${fmt(alone[3])} |`,
  `| agent while the HTTP load above runs again | ${fmt(wroteLoaded)} | ${fmt(loaded[0])} | ${fmt(loaded[1])} | ${fmt(loaded[2])} | ${fmt(loaded[3])} |`,
  '',
];
console.log(lines2.join('\n'));
writeFileSync(join(out, 'report.md'), lines2.join('\n'));
