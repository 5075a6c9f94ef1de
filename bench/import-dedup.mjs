#!/usr/bin/env node
// Cost of recognising the same record in two files (`koban import`, after `npm run build`):
// `node bench/import-dedup.mjs`. Three SYNTHETIC iptables logs (written by this script) of the
// same time range, imported one after the other into one store:
//   A  — N kernel LOG lines, 57 sensor hosts (the first import: nothing to compare against yet);
//   B  — the same N lines behind a `<4>` syslog priority (other bytes, the same packets: every
//        record a duplicate of A's);
//   C  — the same lines with another IP ID (other packets in the same time range: none a duplicate).
// Prints wall and CPU seconds (user + system, from /usr/bin/time when present: on a shared machine
// the steadier figure) and lines per CPU second per file, and what the import reported.
// Env: BENCH_DEDUP_LINES (default 1,000,000); KOBAN_DIST (default dist/) to compare two builds.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const out = join(root, 'bench', 'out', 'dedup');
const bin = join(resolve(process.env.KOBAN_DIST ?? join(root, 'dist')), 'cli', 'main.js');
const N = Number(process.env.BENCH_DEDUP_LINES ?? 1_000_000);
mkdirSync(out, { recursive: true });

const t0 = Date.UTC(2026, 2, 20, 0, 0, 0);
const line = (i, prefix, idDelta) => {
  const t = new Date(t0 + i * 7).toISOString().replace('Z', '000+00:00');
  const a = 1 + ((Math.imul(i, 2654435761) >>> 8) % 250);
  return (
    `${prefix}${t} fw-${i % 57} kernel: [UFW BLOCK] IN=eth0 OUT= MAC= SRC=198.51.${a}.${(i >> 3) % 250} ` +
    `DST=203.0.113.${i % 200} LEN=44 TOS=0x00 PREC=0x00 TTL=${40 + (i % 30)} ID=${(i + idDelta) % 65536} ` +
    `PROTO=TCP SPT=${1024 + (i % 60000)} DPT=${[22, 23, 445, 3389][i % 4]} WINDOW=1024 RES=0x00 SYN URGP=0\n`
  );
};

async function write(file, prefix, idDelta) {
  if (existsSync(file)) return file;
  const ws = createWriteStream(file);
  let buf = '';
  for (let i = 0; i < N; i++) {
    buf += line(i, prefix, idDelta);
    if (buf.length > 1 << 20) {
      if (!ws.write(buf)) await new Promise((r) => ws.once('drain', r));
      buf = '';
    }
  }
  ws.end(buf);
  await new Promise((r) => ws.on('finish', r));
  return file;
}

const files = [
  ['A (first copy)', await write(join(out, `a-${N}.log`), '', 0)],
  ['B (same packets, other bytes)', await write(join(out, `b-${N}.log`), '<4>', 0)],
  ['C (other packets, same range)', await write(join(out, `c-${N}.log`), '', 1)],
];
const data = join(out, 'data');
rmSync(data, { recursive: true, force: true });
console.log(`# import de-duplication, ${N.toLocaleString('en-US')} lines per file, ${bin}`);
console.log('| file | wall s | CPU s | lines per CPU s | stored | duplicates |');
console.log('|---|---:|---:|---:|---:|---:|');
const TIME = '/usr/bin/time';
const haveTime = existsSync(TIME);
for (const [name, file] of files) {
  const args = [bin, 'import', '--data', data, '--format', 'iptables', '--json', file];
  const opts = { encoding: 'utf8', maxBuffer: 1 << 26 };
  const start = performance.now();
  const r = haveTime
    ? spawnSync(TIME, ['-f', 'cpu %U %S', process.execPath, ...args], opts)
    : spawnSync(process.execPath, args, opts);
  const s = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`import failed: ${r.stderr.slice(0, 500)}`);
  const j = JSON.parse(r.stdout);
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  const cpu = m ? Number(m[1]) + Number(m[2]) : Number.NaN;
  const perCpu = Number.isNaN(cpu) ? '–' : Math.round(j.read / cpu).toLocaleString('en-US');
  console.log(
    `| ${name} | ${s.toFixed(2)} | ${cpu.toFixed(2)} | ${perCpu} | ${j.stored} | ${j.duplicates} |`,
  );
}
rmSync(data, { recursive: true, force: true });
