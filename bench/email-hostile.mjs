#!/usr/bin/env node
// Hostile e-mails against benign ones of the same size (run after `npm run build`; imports dist/).
// The tests in src/mail/hostile.test.ts check what the parser makes of each hostile input;
// this measures how long it takes, against the same work on a benign input of the same byte size
// in the same run: a ratio near 1 says the hostile shape costs nothing extra (no super-linear
// scan); the absolute times depend on the machine and its load. All inputs are SYNTHETIC, built
// here from the specifications (RFC 5322, RFC 2046, PKWARE APPNOTE 6.3.10).
// Environment: BENCH_HOSTILE_RUNS (default 5; the median is reported).
// Prints a Markdown report and writes it to bench/out/email-hostile.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
const RUNS = Number(process.env.BENCH_HOSTILE_RUNS ?? 5);
mkdirSync(out, { recursive: true });

const { parseEml } = await import(join(root, 'dist', 'mail', 'index.js'));

const MiB = 1024 * 1024;
const HEADERS = {
  From: '"Attacker" <sender@attacker.example>',
  To: 'victim@example.co.jp',
  Subject: 'test',
  Date: 'Mon, 13 Jan 2025 10:00:00 +0900',
  'Message-ID': '<t-1@attacker.example>',
  'MIME-Version': '1.0',
};

function message(headers, body) {
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return Buffer.concat([
    Buffer.from(`${head}\r\n`, 'latin1'),
    typeof body === 'string' ? Buffer.from(body, 'latin1') : body,
  ]);
}

function multipart(boundary, parts) {
  const chunks = [];
  for (const p of parts)
    chunks.push(Buffer.from(`--${boundary}\r\n`), message(p.headers, p.body), Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

function base64Lines(content) {
  const b64 = content.toString('base64');
  const lines = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join('\r\n');
}

function withAttachment(fileName, content) {
  return message(
    { ...HEADERS, 'Content-Type': 'multipart/mixed; boundary="b1"' },
    multipart('b1', [
      { headers: { 'Content-Type': 'text/plain' }, body: 'see attachment' },
      {
        headers: {
          'Content-Type': 'application/octet-stream',
          'Content-Disposition': `attachment; filename="${fileName}"`,
          'Content-Transfer-Encoding': 'base64',
        },
        body: base64Lines(content),
      },
    ]),
  );
}

/** One deflated entry (APPNOTE §4.3: local header, data, central directory, end record). */
function zipOf(name, data) {
  const n = Buffer.from(name);
  const stored = deflateRawSync(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(0x800, 6);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc32(data), 14);
  local.writeUInt32LE(stored.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x800, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc32(data), 16);
  central.writeUInt32LE(stored.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(n.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + n.length, 12);
  end.writeUInt32LE(local.length + n.length + stored.length, 16);
  return Buffer.concat([local, n, stored, central, n, end]);
}

/** Deterministic bytes without structure (a 32-bit linear congruential generator's top bytes). */
function noise(n, seed = 1) {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

const html4 = (body) => message({ ...HEADERS, 'Content-Type': 'text/html' }, body);
const text4 = (body) => message(HEADERS, body);

/** `line` repeated to exactly `bytes` bytes. */
const repeatTo = (line, bytes) => line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes);

/** Ordinary prose of exactly `bytes` bytes (ASCII). */
const prose = (bytes) =>
  repeatTo(
    'Please find the quarterly figures attached and confirm the delivery schedule by Friday.\n',
    bytes,
  );

/** Ordinary HTML of exactly `bytes` bytes: closed paragraphs, one link each. */
const html = (bytes) =>
  `<html>${repeatTo('<p>Please <a href="https://example.org/a">confirm</a> the schedule by Friday.</p>\n', bytes - 6)}`;

/** A multipart message of `n` base64 parts whose total size is `bytes` (padded by its preamble). */
function parts(n, partBytes) {
  return message(
    { ...HEADERS, 'Content-Type': 'multipart/mixed; boundary="many"' },
    multipart(
      'many',
      Array.from({ length: n }, (_, i) => ({
        headers: {
          'Content-Type': 'application/octet-stream',
          'Content-Disposition': `attachment; filename="f${i}.txt"`,
          'Content-Transfer-Encoding': 'base64',
        },
        body: base64Lines(Buffer.from(`part ${i} `.padEnd(partBytes, '.'))),
      })),
    ),
  );
}

/**
 * Each case: a hostile input built at a scale (1: the size the tests use; 0.5: half of it, for
 * the growth column) and its benign twin — the same kind of message of (about) the same size,
 * doing the ordinary work the hostile shape imitates.
 */
const CASES = [
  // The parser parses 500 parts: against 500 parts holding the same bytes.
  {
    name: '10,000 MIME parts (500 parsed)',
    hostile: (k) => parts(10_000 * k, 8),
    twin: (h) => parts(500, Math.floor((h.length / 500) * 0.72)),
  },
  {
    name: '4 MB attribute name',
    hostile: (k) => html4(`<a ${'b'.repeat(4 * MiB * k)}>`),
    twin: (h) => html4(html(h.length - html4('').length)),
  },
  {
    name: '500,000 unclosed url(',
    hostile: (k) => html4('url(url('.repeat((MiB / 2) * k)),
    twin: (h) => html4(html(h.length - html4('').length)),
  },
  {
    name: '4 MB of unclosed tags',
    hostile: (k) => html4(`<html>${'<a href="x'.repeat(400_000 * k)}`),
    twin: (h) => html4(html(h.length - html4('').length)),
  },
  // Defanged indicators against the same number of plain ones.
  {
    name: '4 MB of defanged indicators',
    hostile: (k) =>
      text4('hxxps://evil[.]example/x user[@]evil[.]example 198[.]51[.]100[.]7\n'.repeat(60_000 * k)),
    twin: (h) =>
      text4('https://evil.example/x user@evil.example 198.51.100.7 and some words\n'.repeat(h.length / 66)),
  },
  // Refused at once: against parsing a text message of the same size.
  {
    name: '5 MB of binary noise (refused)',
    hostile: (k) => noise(5 * MiB * k),
    twin: (h) => text4(prose(h.length - text4('').length)),
  },
  // Listed, not inflated: against a zip of incompressible data of the same size, inflated.
  {
    name: '1000:1 zip bomb (64 MiB of zeros)',
    hostile: (k) => withAttachment('bomb.zip', zipOf('zeros.bin', Buffer.alloc(64 * MiB * k))),
    twin: (h) =>
      withAttachment('data.zip', zipOf('data.bin', noise(Math.floor((h.length - 360) * 0.75) - 122, 7))),
  },
];

async function ms(raw) {
  const t0 = performance.now();
  await parseEml(raw).catch(() => undefined);
  return performance.now() - t0;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const report = [];
const say = (s = '') => {
  report.push(s);
  console.log(s);
};
const load0 = loadavg()[0];
say(`## E-mail parser: hostile inputs against benign ones of the same size`);
say();
say(
  `${cpus().length} vCPU (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node.js ${process.version}; ` +
    `\`node bench/email-hostile.mjs\`, median of ${RUNS} runs, hostile, benign twin and half-size hostile interleaved; load average ${load0.toFixed(1)} at the start.`,
);
say();
say(
  '| input | hostile bytes | benign twin bytes | hostile ms | benign ms | hostile ÷ benign | hostile at half size, ms | growth (full ÷ half) |',
);
say(
  '| ----- | ------------: | ----------------: | ---------: | --------: | ---------------: | -----------------------: | -------------------: |',
);
for (const c of CASES) {
  const hostile = c.hostile(1);
  const half = c.hostile(0.5);
  const benign = c.twin(hostile);
  // Warm-up, then interleaved so that a change of load hits all three alike.
  for (const raw of [hostile, benign, half]) await ms(raw);
  const [h, b, hh] = [[], [], []];
  for (let i = 0; i < RUNS; i++) {
    h.push(await ms(hostile));
    b.push(await ms(benign));
    hh.push(await ms(half));
  }
  const [mh, mb, mhh] = [median(h), median(b), median(hh)];
  const n = (x) => x.toLocaleString('en-US');
  say(
    `| ${c.name} | ${n(hostile.length)} | ${n(benign.length)} | ${mh.toFixed(0)} | ${mb.toFixed(0)} | ${(mh / mb).toFixed(2)} | ${mhh.toFixed(0)} | ${(mh / mhh).toFixed(2)} |`,
  );
}
say();
say(`Load average at the end: ${loadavg()[0].toFixed(1)}.`);
writeFileSync(join(out, 'email-hostile.md'), `${report.join('\n')}\n`);
