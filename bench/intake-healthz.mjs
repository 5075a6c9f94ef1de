#!/usr/bin/env node
// `/healthz` while hostile e-mails are reported (after `npm run build`): `node bench/intake-healthz.mjs`.
// A `koban serve` center (child process, detection off) gets BENCH_HOSTILE_MAILS (default 3)
// SYNTHETIC ~21 MB e-mails at once, each carrying a zip written by this script: 1,000 deflated
// entries of 200 KiB (a random head and a zero tail, ratio ≈ 13 — under the parser's ratio and
// total-size bounds, so every entry is inflated and hashed). Meanwhile a client asks `/healthz`
// every 20 ms (one at a time); the figures are its latencies from the first upload to the last
// answer, the worst one and the time spent in answers slower than 250 ms. Two runs in
// the same invocation: e-mails parsed on the server thread (`intake.parseWorkers: 0`, what
// `koban serve` did before) and in parse workers (the default). Writes bench/out/intake-healthz.md.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { freePort, koban, root, sleep, waitUp } from './_center.mjs';

const MAILS = Number(process.env.BENCH_HOSTILE_MAILS ?? 3);
const out = join(root, 'bench', 'out', 'intake-healthz');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

/** A zip (PKWARE APPNOTE 6.3.10 §4.3: local headers, data, central directory, end record). */
function zip(entries) {
  const locals = [];
  const central = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const data = deflateRawSync(e.data);
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(8, 10);
    dir.writeUInt32LE(crc, 16);
    dir.writeUInt32LE(data.length, 20);
    dir.writeUInt32LE(e.data.length, 24);
    dir.writeUInt16LE(name.length, 28);
    dir.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    central.push(dir, name);
    offset += local.length + name.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

function hostileMail(i) {
  const entries = Array.from({ length: 1000 }, (_, k) => ({
    name: `invoice-${i}-${k}.txt`,
    data: Buffer.concat([randomBytes(15_600), Buffer.alloc(200 * 1024 - 15_600)]),
  }));
  const b64 = zip(entries).toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    [
      'From: "Accounts" <billing@invoices.example>',
      `To: staff${i}@p1-kogyo.example`,
      `Subject: Invoice ${i}`,
      `Message-ID: <hostile-${i}@invoices.example>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Please find the invoices attached.',
      '--b',
      'Content-Type: application/zip; name="invoices.zip"',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="invoices.zip"',
      '',
      b64,
      '--b--',
      '',
    ].join('\r\n'),
  );
}

const { openRelational } = await import(join(root, 'dist', 'db', 'index.js'));
const { IntelService, systemActor } = await import(join(root, 'dist', 'intel', 'index.js'));

async function member(data) {
  const db = await openRelational(data);
  try {
    const intel = await IntelService.open(db, { dataDir: data });
    const system = systemActor('bench');
    const org = await intel.orgs.add(system, {
      name: 'P1',
      kind: 'member-company',
      domains: ['p1-kogyo.example'],
    });
    const u = await intel.users.add(system, {
      email: 'csirt@p1-kogyo.example',
      orgId: org.id,
      role: 'org-member',
    });
    return (await intel.auth.createToken(system, { userId: u.id, name: 'bench', scopes: ['reports:write'] }))
      .token;
  } finally {
    await db.destroy();
  }
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function run(mode, mails) {
  const data = join(out, mode);
  mkdirSync(data, { recursive: true });
  writeFileSync(
    join(data, 'koban.json'),
    JSON.stringify(mode === 'thread' ? { intake: { parseWorkers: 0 } } : {}),
  );
  const token = await member(data);
  const port = await freePort();
  const child = koban(['serve', '--data', data, '--listen', `127.0.0.1:${port}`, '--no-detect']);
  await waitUp(port);
  const base = `http://127.0.0.1:${port}`;
  let done = false;
  const probes = [];
  const starts = [];
  const probing = (async () => {
    while (!done) {
      const t = performance.now();
      await fetch(`${base}/healthz`).then((r) => r.arrayBuffer());
      probes.push(performance.now() - t);
      starts.push(t);
      await sleep(20);
    }
  })();
  await sleep(500);
  const idle = probes.length;
  const t0 = performance.now();
  const answeredAt = [];
  const statuses = await Promise.all(
    mails.map((m) =>
      fetch(`${base}/api/v1/reports`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'message/rfc822' },
        body: m,
      }).then(async (r) => {
        await r.arrayBuffer();
        answeredAt.push((performance.now() - t0) / 1000);
        return r.status;
      }),
    ),
  );
  const elapsed = performance.now() - t0;
  done = true;
  await probing;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  const during = probes.slice(idle);
  const worst = idle + during.indexOf(Math.max(...during));
  return {
    maxAtS: (starts[worst] - t0) / 1000,
    answeredAt,
    mode,
    statuses,
    elapsedS: elapsed / 1000,
    idleP50: pct(probes.slice(0, idle), 50),
    p50: pct(during, 50),
    max: Math.max(...during),
    slow: during.filter((x) => x > 250),
    probes: during.length,
  };
}

const mails = Array.from({ length: MAILS }, (_, i) => hostileMail(i));
const modes = (process.env.BENCH_MODES ?? 'thread,workers').split(',');
const results = [];
for (const m of modes) results.push(await run(m, mails));
const ms = (x) => x.toFixed(0);
const lines = [
  `Run ${new Date().toISOString().slice(0, 10)}, ${cpus().length} vCPU (${availableParallelism()} available), Node.js ${process.version}, load average ${loadavg()[0].toFixed(1)} at the end.`,
  '',
  `Input: ${MAILS} SYNTHETIC e-mails of ${(mails[0].length / 1e6).toFixed(1)} MB at once, each with a zip of 1,000 deflated 200 KiB entries.`,
  '',
  '| e-mails parsed | answers | answered at (s) | /healthz p50 idle (ms) | p50 during (ms) | max during (ms) | max began at (s) | probes | over 250 ms: probes, total s |',
  '| -------------- | ------- | --------------: | ---------------------: | --------------: | --------------: | ---------------: | -----: | ---------------------------: |',
  ...results.map(
    (r) =>
      `| ${r.mode === 'thread' ? 'on the server thread (`parseWorkers: 0`)' : 'in parse workers (default)'} | ${r.statuses.join(', ')} | ${r.answeredAt.map((a) => a.toFixed(1)).join(', ')} | ${ms(r.idleP50)} | ${ms(r.p50)} | ${ms(r.max)} | ${r.maxAtS.toFixed(1)} | ${r.probes} | ${r.slow.length}, ${(r.slow.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} |`,
  ),
];
const text = lines.join('\n');
console.log(text);
writeFileSync(join(root, 'bench', 'out', 'intake-healthz.md'), `${text}\n`);
