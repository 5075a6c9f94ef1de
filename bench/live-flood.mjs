#!/usr/bin/env node
// Live detection delay of floods at a sensor's own address (after `npm run build`):
// `node bench/live-flood.mjs`. One `koban serve` center (default detection settings: polls every
// 10 s, a minute judged once its streams have moved past it, and the inbound-flood detector judging
// the minute in progress at every poll) with one sensor (a /16) followed by `koban sensor run`; a
// writer appends kernel LOG lines stamped with the wall clock: SIMULATED background probes
// (BENCH_FLOOD_BG lines/s to random addresses of the /16) and BENCH_FLOOD_COUNT spoofed SYN floods
// at one of the sensor's own addresses each (BENCH_FLOOD_PPS lines/s for 30 s from random forged
// sources, starting at random seconds). Delay: the flood's first line written → the center's
// webhook for the opened inbound-flood alert. Writes bench/out/live-flood.md.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { join } from 'node:path';
import { bin, freePort, koban, root, sleep, waitUp } from './_center.mjs';

const out = join(root, 'bench', 'out', 'live-flood');
const FLOODS = Number(process.env.BENCH_FLOOD_COUNT ?? 4);
const PPS = Number(process.env.BENCH_FLOOD_PPS ?? 1000);
const BG = Number(process.env.BENCH_FLOOD_BG ?? 50);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true, mode: 0o700 });

const arrivals = new Map();
const hookPort = await freePort();
const hooks = createHttpServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    const at = Date.now();
    res.end('ok');
    try {
      const doc = JSON.parse(body);
      const a = doc.alert ?? doc;
      const victim = /198\.18\.7\.\d+/.exec(a.title ?? '')?.[0];
      if (victim && a.kind === 'inbound-flood' && !arrivals.has(victim)) arrivals.set(victim, at);
    } catch {}
  });
});
await new Promise((r) => hooks.listen(hookPort, '127.0.0.1', r));

writeFileSync(
  join(out, 'koban.json'),
  JSON.stringify({ notify: { webhooks: [{ url: `http://127.0.0.1:${hookPort}/`, allowPrivate: true }] } }),
  { mode: 0o600 },
);
const token = JSON.parse(
  execFileSync(
    process.execPath,
    [bin, 'sensor', 'add', 'fw-live', '--address-block', '198.18.0.0/16', '--data', out, '--json'],
    { encoding: 'utf8' },
  ),
).token;
const port = await freePort();
const center = koban(['serve', '--data', out, '--listen', `127.0.0.1:${port}`]);
await waitUp(port);
const log = join(out, 'kern.log');
writeFileSync(log, '');
const agent = koban(
  [
    'sensor',
    'run',
    '--center',
    `http://127.0.0.1:${port}`,
    '--spool',
    join(out, 'spool'),
    '--source',
    `iptables:${log}`,
  ],
  { KOBAN_TOKEN: token },
);

let seed = 11;
const rand = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x80000000;
};
const octet = () => Math.floor(rand() * 256);
const line = (t, src, dst, sport, dport) =>
  `${new Date(t).toISOString().replace('Z', '000+00:00')} fw-live kernel: [UFW BLOCK] IN=eth0 OUT= SRC=${src} DST=${dst} LEN=40 TTL=50 ID=1 PROTO=TCP SPT=${sport} DPT=${dport} WINDOW=512 RES=0x00 SYN URGP=0\n`;

// Flood schedule: the first after a minute of background, then every 90–150 s.
const t0 = Date.now();
const floods = [];
let at = t0 + 60_000 + rand() * 60_000;
for (let k = 1; k <= FLOODS; k++) {
  floods.push({
    victim: `198.18.7.${k}`,
    startMs: Math.round(at),
    endMs: Math.round(at) + 30_000,
    first: null,
    done: 0,
  });
  at += 90_000 + rand() * 60_000;
}
const endMs = floods.at(-1).endMs + 120_000;
let bgDone = 0;
while (Date.now() < endMs) {
  const now = Date.now();
  let chunk = '';
  for (const due = Math.floor(((now - t0) / 1000) * BG); bgDone < due; bgDone++) {
    chunk += line(
      now,
      `${1 + Math.floor(rand() * 222)}.${octet()}.${octet()}.${1 + Math.floor(rand() * 254)}`,
      `198.18.${octet()}.${octet()}`,
      1024 + Math.floor(rand() * 60000),
      [22, 23, 445, 3389, 80][bgDone % 5],
    );
  }
  for (const f of floods) {
    if (now < f.startMs || now >= f.endMs) continue;
    for (const due = Math.floor(((now - f.startMs) / 1000) * PPS) + 1; f.done < due; f.done++) {
      f.first ??= now;
      // A forged source: any 32-bit address.
      chunk += line(
        now,
        `${octet()}.${octet()}.${octet()}.${octet()}`,
        f.victim,
        1024 + Math.floor(rand() * 64000),
        80,
      );
    }
  }
  if (chunk) appendFileSync(log, chunk);
  await sleep(50);
}
agent.kill('SIGTERM');
center.kill('SIGTERM');
await new Promise((r) => center.once('exit', r));
hooks.close();

const rows = floods.map((f) => {
  const a = arrivals.get(f.victim);
  const s = new Date(f.first).getUTCSeconds() + new Date(f.first).getUTCMilliseconds() / 1000;
  return { victim: f.victim, second: s, delay: a === undefined ? null : (a - f.first) / 1000 };
});
const sorted = rows
  .map((r) => r.delay)
  .filter((x) => x !== null)
  .sort((a, b) => a - b);
const median =
  sorted.length === 0
    ? null
    : sorted.length % 2
      ? sorted[(sorted.length - 1) / 2]
      : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
const f1 = (x) => (x === null ? 'not alerted' : x.toFixed(1));
const report = [
  `# Live flood detection delay (${new Date().toISOString().slice(0, 10)})`,
  '',
  `Command: \`node bench/live-flood.mjs\` (BENCH_FLOOD_COUNT=${FLOODS}, BENCH_FLOOD_PPS=${PPS}, BENCH_FLOOD_BG=${BG}). Traffic SIMULATED, written live.`,
  '',
  '| victim | started at second | delay s | the minute’s end + 20 s settle (judged whole minutes) |',
  '| --- | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.victim} | ${r.second.toFixed(1)} | ${f1(r.delay)} | ${(60 - r.second + 20).toFixed(1)} + poll |`,
  ),
  `| median | | ${f1(median)} | |`,
  '',
  'Delay: first flood line written to the sensor log → the center’s webhook for the opened inbound-flood alert.',
];
console.log(report.join('\n'));
writeFileSync(join(out, '..', 'live-flood.md'), report.join('\n'));
