#!/usr/bin/env node
// Live detection delay (after `npm run build`): `node bench/live-detect.mjs`.
// Two `koban serve` centers run side by side, each with one sensor (a /16) followed by its own
// `koban sensor run` agent; a writer appends the same kernel LOG lines, stamped with the wall
// clock, to both sensors' logs: SIMULATED background probes (BENCH_LIVE_RATE lines/s) and
// BENCH_LIVE_FLOODS SYN floods' backscatter (SYN-ACKs from one victim to random addresses of the
// /16, 2 a second, 90 s each, starting at random seconds). One center judges a minute as soon as
// its sensor's stream has moved past it (`detection.waitForStreams`, the default), the other waits
// the fixed 2-minute grace — the baseline, in the same run. Each center notifies a local webhook;
// the delay is the webhook's arrival − the flood's first line written.
// Writes bench/out/live-detect.md.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { join } from 'node:path';
import { bin, freePort, koban, root, sleep, waitUp } from './_center.mjs';

const out = join(root, 'bench', 'out', 'live-detect');
const FLOODS = Number(process.env.BENCH_LIVE_FLOODS ?? 4);
const RATE = Number(process.env.BENCH_LIVE_RATE ?? 50);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// Webhook receiver: arrival time of each opened backscatter alert, per center.
const arrivals = { streams: new Map(), grace: new Map() };
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
      const mode = req.url === '/streams' ? 'streams' : 'grace';
      const victim = /192\.0\.2\.\d+/.exec(JSON.stringify(a))?.[0];
      if (victim && a.kind === 'backscatter' && !arrivals[mode].has(victim)) arrivals[mode].set(victim, at);
    } catch {}
  });
});
await new Promise((r) => hooks.listen(hookPort, '127.0.0.1', r));

const centers = [];
for (const mode of ['streams', 'grace']) {
  const data = join(out, mode);
  mkdirSync(data, { recursive: true });
  writeFileSync(
    join(data, 'koban.json'),
    JSON.stringify({
      detection: { waitForStreams: mode === 'streams', pollSeconds: 10, graceSeconds: 120 },
      notify: { webhooks: [{ url: `http://127.0.0.1:${hookPort}/${mode}`, allowPrivate: true }] },
    }),
  );
  const token = JSON.parse(
    execFileSync(
      process.execPath,
      [bin, 'sensor', 'add', 'fw-live', '--address-block', '198.18.0.0/16', '--data', data, '--json'],
      { encoding: 'utf8' },
    ),
  ).token;
  const port = await freePort();
  const center = koban(['serve', '--data', data, '--listen', `127.0.0.1:${port}`]);
  await waitUp(port);
  const log = join(data, 'kern.log');
  writeFileSync(log, '');
  const agent = koban(
    [
      'sensor',
      'run',
      '--center',
      `http://127.0.0.1:${port}`,
      '--spool',
      join(data, 'spool'),
      '--source',
      `iptables:${log}`,
    ],
    { KOBAN_TOKEN: token },
  );
  centers.push({ mode, center, agent, log });
}

let seed = 7;
const rand = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x80000000;
};
const addr = () => `198.18.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}`;
const line = (t, src, dst, sport, dport, flags) =>
  `${new Date(t).toISOString().replace('Z', '000+00:00')} fw-live kernel: [UFW BLOCK] IN=eth0 OUT= SRC=${src} DST=${dst} LEN=44 TTL=50 ID=1 PROTO=TCP SPT=${sport} DPT=${dport} WINDOW=1024 RES=0x00 ${flags} URGP=0\n`;

// Flood schedule: the first after a minute of background, then every 150–210 s.
const t0 = Date.now();
const floods = [];
let at = t0 + 60_000 + rand() * 60_000;
for (let k = 1; k <= FLOODS; k++) {
  floods.push({
    victim: `192.0.2.${k}`,
    startMs: Math.round(at),
    endMs: Math.round(at) + 90_000,
    firstWritten: null,
  });
  at += 150_000 + rand() * 60_000;
}
const endMs = floods.at(-1).endMs + 200_000;
let bgDone = 0;
const floodDone = new Map(floods.map((f) => [f.victim, 0]));
while (Date.now() < endMs) {
  const now = Date.now();
  let chunk = '';
  for (const due = Math.floor(((now - t0) / 1000) * RATE); bgDone < due; bgDone++) {
    const src = `${1 + Math.floor(rand() * 222)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${1 + Math.floor(rand() * 254)}`;
    chunk += line(
      now,
      src,
      addr(),
      1024 + Math.floor(rand() * 60000),
      [22, 23, 445, 3389, 80][bgDone % 5],
      'SYN',
    );
  }
  for (const f of floods) {
    if (now < f.startMs || now >= f.endMs) continue;
    for (const due = Math.floor(((now - f.startMs) / 1000) * 2) + 1; floodDone.get(f.victim) < due; ) {
      floodDone.set(f.victim, floodDone.get(f.victim) + 1);
      f.firstWritten ??= now;
      chunk += line(now, f.victim, addr(), 80, 1024 + Math.floor(rand() * 60000), 'ACK SYN');
    }
  }
  if (chunk) for (const c of centers) appendFileSync(c.log, chunk);
  await sleep(50);
}
for (const c of centers) {
  c.agent.kill('SIGTERM');
  c.center.kill('SIGTERM');
  await new Promise((r) => c.center.once('exit', r));
}
hooks.close();

const rows = floods.map((f) => {
  const d = (mode) => {
    const a = arrivals[mode].get(f.victim);
    return a === undefined ? null : (a - f.firstWritten) / 1000;
  };
  return {
    victim: f.victim,
    startSecond: new Date(f.firstWritten).getUTCSeconds(),
    streams: d('streams'),
    grace: d('grace'),
  };
});
const med = (xs) => {
  const s = xs.filter((x) => x !== null).sort((a, b) => a - b);
  if (s.length === 0) return null;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f1 = (x) => (x === null ? 'not alerted' : x.toFixed(1));
const report = [
  `# Live detection delay (${new Date().toISOString().slice(0, 10)})`,
  '',
  `Command: \`node bench/live-detect.mjs\` (BENCH_LIVE_FLOODS=${FLOODS}, BENCH_LIVE_RATE=${RATE}). Traffic SIMULATED, written live.`,
  '',
  '| flood | started at second | delay s, wait for streams | delay s, fixed 2-min grace (baseline) |',
  '| --- | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.victim} | ${r.startSecond} | ${f1(r.streams)} | ${f1(r.grace)} |`),
  `| median | | ${f1(med(rows.map((r) => r.streams)))} | ${f1(med(rows.map((r) => r.grace)))} |`,
  '',
  'Delay: first backscatter line written to the sensor log → the center’s webhook for the opened alert.',
];
console.log(report.join('\n'));
writeFileSync(join(out, '..', 'live-detect.md'), report.join('\n'));
