#!/usr/bin/env node
// Koban benchmarks (`npm run bench`, after the build). Measures, on inputs written by the
// simulator (labelled simulated) or by this script (labelled synthetic):
//   1. end-to-end `koban import` (parse + enrich + store) of iptables text, EVE JSON and pcap,
//      each against reference tools on the same file in the same run (mawk counting destination
//      ports; tcpdump reading with a BPF filter; tshark with a full dissector);
//   2. the latency of every `koban stats` view over a store of BENCH_VIEW_EVENTS events;
//   3. first, the start-up time of the `koban` command (bench/cli-startup.mjs, BENCH_STARTUP_RUNS);
//   4. last, the e-mail parser on hostile inputs against benign ones of the same size
//      (bench/email-hostile.mjs, BENCH_HOSTILE_RUNS; 0 skips it);
//   5. e-mail intake end to end and its store + correlate step (bench/intel.mjs, 5,000 e-mails).
// Prints a Markdown report and writes it to bench/out/report.md. Scale with environment:
//   BENCH_IPTABLES_LINES (default 3,000,000), BENCH_EVE_LINES (1,000,000),
//   BENCH_PCAP_PACKETS (5,000,000), BENCH_VIEW_EVENTS (100,000,000; 0 skips the views).
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
const bin = join(root, 'dist', 'cli', 'main.js');
const env = (k, d) => Number(process.env[k] ?? d);
const N_IPT = env('BENCH_IPTABLES_LINES', 3_000_000);
const N_EVE = env('BENCH_EVE_LINES', 1_000_000);
const N_PCAP = env('BENCH_PCAP_PACKETS', 5_000_000);
const N_VIEW = env('BENCH_VIEW_EVENTS', 100_000_000);
mkdirSync(out, { recursive: true });

const report = [];
const say = (s = '') => {
  report.push(s);
  console.log(s);
};
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const mb = (p) => (statSync(p).size / 1e6).toFixed(0);

function timed(cmd, args, opts = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr?.slice(0, 500)}`);
  return { s, stdout: r.stdout };
}
const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

const { simulate } = await import(join(root, 'dist', 'sim', 'index.js'));

/** Simulated inputs: one format, 57 sensors, rate chosen to reach about `n` records. */
async function simulated(format, n, days) {
  const dir = join(out, `sim-${format}-${n}`);
  if (!existsSync(join(dir, 'manifest.json'))) {
    rmSync(dir, { recursive: true, force: true });
    await simulate({
      outDir: dir,
      sensors: 57,
      days,
      ratePerSensorPerDay: Math.ceil(n / 57 / days),
      seed: 11,
      formats: [format],
      scenarios: [],
      workers: 2,
    });
  }
  return dir;
}

/** Concatenates every sensor's file of one format into one input (time order per sensor). */
function concat(dir, name, target) {
  if (existsSync(target)) return target;
  execFileSync('sh', ['-c', `cat ${dir}/sensors/*/${name} > ${target}`]);
  return target;
}

function importRun(file, format) {
  const data = join(out, `data-${format}`);
  rmSync(data, { recursive: true, force: true });
  const r = timed(process.execPath, [bin, 'import', '--data', data, '--format', format, '--json', file]);
  const j = JSON.parse(r.stdout);
  rmSync(data, { recursive: true, force: true });
  return { ...r, j };
}

say(`# Koban benchmark run, ${new Date().toISOString()}`);
say();
say(
  `Machine: ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM; Node ${process.version}.`,
);
say('Command: `npm run bench` (bench/run.mjs). All inputs are SIMULATED (koban simulate) or synthetic.');
say();

// 0. start-up of the command itself, against `node -e 0` (its own script: whole processes)
{
  const r = timed(process.execPath, [join(root, 'bench', 'cli-startup.mjs')]);
  for (const line of r.stdout.trimEnd().split('\n')) say(line);
  say();
}

// 1. iptables
{
  const dir = await simulated('iptables', N_IPT, 2);
  const file = concat(dir, 'simulated-iptables.log', join(out, 'bench-iptables.log'));
  const r = importRun(file, 'iptables');
  const lines = r.j.read;
  const awk = have('mawk')
    ? timed('mawk', [
        '{for(i=1;i<=NF;i++) if (substr($i,1,4)=="DPT=") c[$i]++} END{for(k in c) n++; print n}',
        file,
      ])
    : null;
  say('## Import: iptables LOG text');
  say();
  say(`Input: ${fmt(lines)} lines, ${mb(file)} MB (simulated, 57 sensors).`);
  say();
  say('| what | seconds | lines/s | ratio to koban |');
  say('|---|---:|---:|---:|');
  say(`| koban import (parse + enrich + store) | ${r.s.toFixed(2)} | ${fmt(lines / r.s)} | 1.00 |`);
  if (awk)
    say(
      `| mawk counting DPT= values | ${awk.s.toFixed(2)} | ${fmt(lines / awk.s)} | ${(r.s / awk.s).toFixed(2)} |`,
    );
  say();
}

// 2. EVE (synthetic alert lines: the simulator writes alerts only for a small share of traffic)
{
  const file = join(out, 'bench-eve.json');
  if (!existsSync(file)) {
    const ws = createWriteStream(file);
    const t0 = Date.UTC(2026, 0, 1);
    let buf = '';
    for (let i = 0; i < N_EVE; i++) {
      const ts = new Date(t0 + i * 7).toISOString().replace('Z', '000+0000');
      buf +=
        `{"timestamp":"${ts}","flow_id":${1e12 + i},"in_iface":"eth0","event_type":"alert","src_ip":"61.${i % 250}.${(i >> 8) % 250}.${i % 199}",` +
        `"src_port":${1024 + (i % 60000)},"dest_ip":"133.250.30.${i % 16}","dest_port":1434,"proto":"UDP","alert":{"action":"allowed","gid":1,` +
        `"signature_id":2003,"rev":8,"signature":"MS-SQL Worm propagation attempt","category":"Misc Attack","severity":2},"host":"sensor-${i % 57}"}\n`;
      if (buf.length > 1 << 20) {
        ws.write(buf);
        buf = '';
      }
    }
    ws.end(buf);
    await new Promise((r) => ws.on('finish', r));
  }
  const r = importRun(file, 'eve');
  say('## Import: Suricata EVE JSON alerts');
  say();
  say(`Input: ${fmt(r.j.read)} alert lines, ${mb(file)} MB (synthetic, written by bench/run.mjs).`);
  say();
  say('| what | seconds | lines/s |');
  say('|---|---:|---:|');
  say(`| koban import (parse + enrich + store) | ${r.s.toFixed(2)} | ${fmt(r.j.read / r.s)} |`);
  say();
}

// 3. pcap
{
  const dir = await simulated('pcap', N_PCAP, 2);
  const parts = join(dir, 'sensors');
  const files = execFileSync('sh', ['-c', `ls ${parts}/*/simulated-darknet.pcap`], { encoding: 'utf8' })
    .trim()
    .split('\n');
  const merged = join(out, 'bench-darknet.pcap');
  if (!existsSync(merged)) {
    // mergecap is not always installed; the darknet sensors' captures are concatenated per sensor
    // into one classic pcap (same link type and snaplen), packets in per-sensor time order.
    execFileSync(process.execPath, [
      '-e',
      `const fs=require('fs');const out=fs.openSync(${JSON.stringify(merged)},'w');let first=true;for(const f of ${JSON.stringify(files)}){const b=fs.readFileSync(f);fs.writeSync(out,first?b:b.subarray(24));first=false}fs.closeSync(out)`,
    ]);
  }
  const r = importRun(merged, 'pcap');
  const packets = r.j.read;
  say('## Import: darknet pcap');
  say();
  say(`Input: ${fmt(packets)} packets, ${mb(merged)} MB (simulated darknet sensors).`);
  say();
  say('| what | seconds | packets/s | koban time ÷ its time |');
  say('|---|---:|---:|---:|');
  say(`| koban import (parse + enrich + store) | ${r.s.toFixed(2)} | ${fmt(packets / r.s)} | 1.00 |`);
  if (have('tcpdump')) {
    const t = timed('tcpdump', ['-r', merged, '-w', '/dev/null', 'tcp or udp'], {
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    say(
      `| tcpdump -r FILE -w /dev/null 'tcp or udp' | ${t.s.toFixed(2)} | ${fmt(packets / t.s)} | ${(r.s / t.s).toFixed(2)} |`,
    );
  }
  if (have('tshark')) {
    const t = timed('tshark', ['-r', merged, '-q', '-z', 'io,stat,0']);
    say(
      `| tshark -r FILE -q -z io,stat,0 | ${t.s.toFixed(2)} | ${fmt(packets / t.s)} | ${(r.s / t.s).toFixed(2)} |`,
    );
  }
  say();
}

// 4. stats views over a large store
if (N_VIEW > 0) {
  const data = join(out, `views-${N_VIEW}`);
  const ready = join(data, 'READY');
  if (!existsSync(ready)) {
    rmSync(data, { recursive: true, force: true });
    const days = 30;
    const dir = join(out, `sim-views-${N_VIEW}`);
    if (!existsSync(join(dir, 'manifest.json'))) {
      rmSync(dir, { recursive: true, force: true });
      await simulate({
        outDir: dir,
        sensors: 57,
        days,
        ratePerSensorPerDay: Math.ceil(N_VIEW / 57 / days),
        seed: 5,
        formats: ['pcap', 'eve'],
        fleet: { darknetEvery: 1 },
        scenarios: ['all'],
        workers: 2,
      });
    }
    const t0 = performance.now();
    timed(process.execPath, [
      bin,
      'import',
      '--data',
      data,
      // Simulated history (2006): without it retention would delete every raw event at the end.
      '--history',
      '--json',
      ...execFileSync('sh', ['-c', `ls ${dir}/sensors/*/*`], { encoding: 'utf8' })
        .trim()
        .split('\n'),
    ]);
    const s = (performance.now() - t0) / 1000;
    writeFileSync(ready, String(s));
    rmSync(dir, { recursive: true, force: true });
  }
  const views = [
    ['total', []],
    ['total', ['--bucket', 'hour']],
    ['sensor-rate', []],
    ['countries', []],
    ['techniques', []],
    ['worm-countries', []],
    ['ports', ['--proto', 'tcp']],
    ['ports', ['--proto', 'udp']],
    ['port-series', ['--port', '139/tcp']],
    ['neighbours', []],
    ['sources', []],
  ];
  const timing = JSON.parse(
    timed(process.execPath, [join(root, 'bench', 'views.mjs'), data, JSON.stringify(views), '--check'])
      .stdout,
  );
  say(`## Stats views over ${fmt(timing.events)} stored events`);
  say();
  say(
    `Store: ${fmt(timing.events)} events (${fmt(timing.raw)} raw, ${fmt(timing.rollupRows)} rollup rows), ${(timing.sizeBytes / 1e9).toFixed(2)} GB.`,
  );
  say('Latency of each view inside one process (store open, warm), median of 5 runs, and the');
  say('wall time of the whole `koban stats VIEW --json` command (process start included), one run.');
  say();
  say('| view | median ms | max ms | CLI wall s |');
  say('|---|---:|---:|---:|');
  for (const v of timing.views) {
    const cli = timed(process.execPath, [bin, 'stats', v.name, ...v.args, '--data', data, '--json']);
    say(
      `| ${v.name} ${v.args.join(' ')} | ${v.medianMs.toFixed(0)} | ${v.maxMs.toFixed(0)} | ${cli.s.toFixed(2)} |`,
    );
  }
  say();
  // The neighbours view's distinct sources (hourly source sets) against an exact count over the
  // raw events (all kept here): they must be equal.
  const nb = timing.views.find((v) => v.name === 'neighbours').rows;
  const got = {};
  for (const r of nb) got[{ none: '0', 'first-octet': '1', 'first-two-octets': '2' }[r.match]] = r.sources;
  const exact = timing.check.sources;
  const same = ['0', '1', '2'].every((k) => got[k] === (exact[k] ?? 0));
  say(
    `neighbours sources per class ${['2', '1', '0'].map((k) => got[k]).join(' / ')}; exact from raw events ` +
      `${['2', '1', '0'].map((k) => exact[k] ?? 0).join(' / ')} (${exact.all} in all, ${timing.check.ms.toFixed(0)} ms): ` +
      (same ? 'equal.' : '**DIFFERENT**.'),
  );
  say();
}

// 4. the e-mail parser on hostile inputs, against benign inputs of the same size (its own script:
// the tests in src/mail/hostile.test.ts check the results, this the time)
if (env('BENCH_HOSTILE_RUNS', 5) > 0) {
  const r = timed(process.execPath, [join(root, 'bench', 'email-hostile.mjs')]);
  for (const line of r.stdout.trimEnd().split('\n')) say(line);
  say();
}

// 5. e-mail intake (parse in workers + store + correlate) and the store + correlate step alone (its
// own script; sizes from BENCH_INTEL_EMAILS / BENCH_INTEL_STORE, 5,000 each here; the 10 M-value
// lookup of bench/intel.mjs is left to a run of that script alone)
if (env('BENCH_INTEL_EMAILS', 5000) + env('BENCH_INTEL_STORE', 5000) > 0) {
  const r = timed(process.execPath, [join(root, 'bench', 'intel.mjs')], {
    env: {
      ...process.env,
      BENCH_INTEL_EMAILS: String(env('BENCH_INTEL_EMAILS', 5000)),
      BENCH_INTEL_STORE: String(env('BENCH_INTEL_STORE', 5000)),
      BENCH_INTEL_SPLIT: String(env('BENCH_INTEL_SPLIT', 0)),
      BENCH_INTEL_VALUES: String(env('BENCH_INTEL_VALUES', 0)),
    },
  });
  for (const line of r.stdout.trimEnd().split('\n').slice(1)) say(line);
  say();
}

writeFileSync(join(out, 'report.md'), `${report.join('\n')}\n`);
