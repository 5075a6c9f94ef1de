#!/usr/bin/env node
// Intel benchmarks (run after `npm run build`; imports dist/). Inputs are SYNTHETIC, built by this
// script from the real phishing samples in shared/samples/email/ (rf-peixoto/phishing_pot,
// CC BY-NC 4.0): every message is a real sample with its recipient replaced by a member's staff
// address, its URLs' hosts and one base64 line (an attachment or body) varied per "wave" of ten
// messages, and its Message-ID made unique. So lures repeat across members as real campaigns do,
// and the sizes, MIME structures and charsets are the real ones.
//   1. intake: N such .eml files written to disk, then read, parsed (worker threads), stored
//      (evidence file + custody, report, private part, indicators with aggregates) and correlated
//      (links, campaigns) — e-mails/s, end to end; plus, on a smaller sequential in-thread run, the
//      split between parsing and storing+correlating.
//   2. lookup: M indicator values stored (filled by one SQL statement per million rows); p50/p99 of
//      `IndicatorStore.lookup(type, value)` — the correlation lookup — for hits and misses.
//   1c. store + correlate alone: BENCH_INTEL_STORE e-mails prepared beforehand (not timed), then
//      submitted BENCH_INTEL_CONCURRENCY at a time — the main thread's capacity, measured in the
//      same run for the build under test and, when BENCH_INTEL_BASELINE names another build's
//      dist/ directory (the code before a change), for that build; the row counts must agree.
// Environment: BENCH_INTEL_EMAILS (default 100000), BENCH_INTEL_SPLIT (2000), BENCH_INTEL_VALUES
// (10000000), BENCH_INTEL_LOOKUPS (100000), BENCH_INTEL_STORE (5000), BENCH_INTEL_DIST (./dist),
// BENCH_INTEL_BASELINE (none), BENCH_INTEL_CONCURRENCY (32), BENCH_INTEL_WORKERS
// (available cores), BENCH_INTEL_FSYNC (1: fsync evidence files; SQLite keeps its default
// synchronous=FULL either way), BENCH_INTEL_KEEP (0: delete the generated data afterwards).
// Prints a Markdown report and writes it to bench/out/intel.md.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
const env = (k, d) => Number(process.env[k] ?? d);
const N = env('BENCH_INTEL_EMAILS', 100_000);
const SPLIT = env('BENCH_INTEL_SPLIT', 2000);
const M = env('BENCH_INTEL_VALUES', 10_000_000);
const K = env('BENCH_INTEL_LOOKUPS', 100_000);
const C = env('BENCH_INTEL_CONCURRENCY', 32);
const W = env('BENCH_INTEL_WORKERS', availableParallelism());
const FSYNC = env('BENCH_INTEL_FSYNC', 1) === 1;
const KEEP = env('BENCH_INTEL_KEEP', 0) === 1;
const samplesDir = process.env.KOBAN_SAMPLES
  ? join(process.env.KOBAN_SAMPLES, 'email')
  : join(root, '..', 'shared', 'samples', 'email');
mkdirSync(out, { recursive: true });

const dist = process.env.BENCH_INTEL_DIST ?? join(root, 'dist');
const BASELINE = process.env.BENCH_INTEL_BASELINE ?? '';
const STORE = env('BENCH_INTEL_STORE', 5000);
const { openRelational } = await import(join(dist, 'db', 'index.js'));
const intelMod = await import(join(dist, 'intel', 'index.js'));
const { IntelService, IndicatorStore } = intelMod;
const { sql } = await import('kysely');

const report = [];
const say = (s = '') => {
  report.push(s);
  console.log(s);
};
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const secs = (ms) => (ms / 1000).toFixed(1);
const dirBytes = (d) => {
  let n = 0;
  const walk = (p) => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      const q = join(p, e.name);
      if (e.isDirectory()) walk(q);
      else n += statSync(q).size;
    }
  };
  if (existsSync(d)) walk(d);
  return n;
};

// ---------------------------------------------------------------- synthetic e-mails from samples
const samples = readdirSync(samplesDir)
  .filter((f) => f.endsWith('.eml'))
  .sort()
  .map((f) => readFileSync(join(samplesDir, f)).toString('latin1'));
const ORGS = 2000;
const SECTORS = [
  'manufacturing',
  'local-government',
  'electricity',
  'gas',
  'railway',
  'finance',
  'telecom',
  'healthcare',
  'logistics',
  'chemicals',
];

function variant(i) {
  const s = samples[i % samples.length];
  const v = Math.floor(i / samples.length);
  const wave = Math.floor(v / 10);
  const org = i % ORGS;
  let t = s.replace(/phishing@pot/g, `staff${v % 50}@org${org}.example`);
  t = t.replace(/(https?:\/\/)([a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)+)/gi, (_m, p, h) => `${p}w${wave}.${h}`);
  t = t.replace(/^(Message-ID:\s*<)/im, `$1b${i}.`);
  // One base64 line (the last full one: usually an attachment) changed per wave.
  const lines = [...t.matchAll(/^[A-Za-z0-9+/]{76}\r?$/gm)];
  const last = lines[lines.length - 1];
  if (last) {
    const tag = Buffer.from(`w${String(wave).padStart(5, '0')}`)
      .toString('base64')
      .slice(0, 8);
    t = t.slice(0, last.index) + tag + t.slice(last.index + 8);
  }
  return { raw: Buffer.from(t, 'latin1'), org };
}

async function members(intel, mod = intelMod) {
  const { systemActor, userActor } = mod;
  const system = systemActor('bench');
  await intel.orgs.add(system, { name: 'Center', kind: 'center' });
  const actors = [];
  for (let k = 0; k < ORGS; k++) {
    const o = await intel.orgs.add(system, {
      name: `Member ${k}`,
      kind: 'member-company',
      sector: SECTORS[k % SECTORS.length],
      prefecture: String((k % 47) + 1),
      domains: [`org${k}.example`],
    });
    const u = await intel.users.add(system, {
      email: `csirt@org${k}.example`,
      orgId: o.id,
      role: 'org-member',
    });
    actors.push(userActor({ userId: u.id, orgId: o.id, role: 'org-member' }));
  }
  return actors;
}

// ---------------------------------------------------------------- 1a. split: parse vs store
say('# Intel benchmark');
say();
say(
  `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM; Node ${process.version}; SQLite via better-sqlite3 (WAL, synchronous=FULL).`,
);
say(
  `Inputs: SYNTHETIC variants of the ${samples.length} real samples in shared/samples/email (see the header of bench/intel.mjs).`,
);
say();

if (SPLIT > 0) {
  const dir = join(out, 'intel-split');
  rmSync(dir, { recursive: true, force: true });
  const db = await openRelational(dir);
  let parseMs = 0;
  const timedPrepare = async (raw, options, list) => {
    const t0 = performance.now();
    const r = await intelMod.prepareEmail(raw, options, list);
    parseMs += performance.now() - t0;
    return r;
  };
  const intel = await IntelService.open(db, { dataDir: dir, fsyncEvidence: FSYNC, prepare: timedPrepare });
  const actors = await members(intel);
  const t0 = performance.now();
  for (let i = 0; i < SPLIT; i++) {
    const { raw, org } = variant(i);
    await intel.intake.submitEmail(actors[org], raw);
  }
  const total = performance.now() - t0;
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
  say(`## Where the time goes (${fmt(SPLIT)} e-mails, one at a time, parsed in the main thread)`);
  say();
  say('| stage | ms per e-mail | e-mails/s if alone |');
  say('|---|---:|---:|');
  say(
    `| prepare (parseEml, shareableView, indicator candidates, JSON) | ${(parseMs / SPLIT).toFixed(2)} | ${fmt(SPLIT / (parseMs / 1000))} |`,
  );
  say(
    `| store + correlate (evidence${FSYNC ? ' with fsync' : ''}, report, indicators, links, campaign, audit; one commit each) | ${((total - parseMs) / SPLIT).toFixed(2)} | ${fmt(SPLIT / ((total - parseMs) / 1000))} |`,
  );
  say(`| total | ${(total / SPLIT).toFixed(2)} | ${fmt(SPLIT / (total / 1000))} |`);
  say();
}

// ---------------------------------------------------------------- 1c. store + correlate alone
const COUNTED = [
  'reports',
  'indicators',
  'report_indicators',
  'report_links',
  'campaigns',
  'campaign_bridges',
];

async function storeCapacity(build, label) {
  const db0 = await import(join(build, 'db', 'index.js'));
  const mod = await import(join(build, 'intel', 'index.js'));
  const dir = join(out, `intel-store-${label}`);
  rmSync(dir, { recursive: true, force: true });
  const db = await db0.openRelational(dir);
  const prepared = new Map();
  const cached = async (raw) => prepared.get(raw);
  const intel = await mod.IntelService.open(db, { dataDir: dir, fsyncEvidence: FSYNC, prepare: cached });
  const actors = await members(intel, mod);
  const { WarningList } = await import(join(build, 'intel', 'indicators', 'index.js'));
  const list = await WarningList.load(db);
  const inputs = [];
  for (let i = 0; i < STORE; i++) {
    const { raw, org } = variant(i);
    const p = await mod.prepareEmail(raw, { reporterDomains: [`org${org}.example`] }, list);
    // The evidence file is written here, as the parse workers do, so only the database work is timed.
    await intel.evidence.writeFile(raw, p.sha256);
    prepared.set(raw, { ...p, evidenceStored: true });
    inputs.push({ raw, org });
  }
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      for (;;) {
        const i = next++;
        if (i >= STORE) return;
        await intel.intake.submitEmail(actors[inputs[i].org], inputs[i].raw);
      }
    }),
  );
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const counts = {};
  for (const t of COUNTED)
    counts[t] = Number((await sql`select count(*) as n from ${sql.table(t)}`.execute(db)).rows[0].n);
  const links = (
    await sql`select coalesce(sum(weight), 0) as w, count(distinct campaign_id) as c from report_links l join reports r on r.id = l.report_id`.execute(
      db,
    )
  ).rows[0];
  await intel.close();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, counts, linkWeight: Number(links.w) };
}

if (STORE > 0) {
  const load0 = loadavg()[0];
  const runs = [['this build', dist]];
  if (BASELINE) runs.unshift(['baseline', BASELINE]);
  const results = [];
  for (const [label, build] of runs)
    results.push([label, await storeCapacity(build, label.replace(' ', '-'))]);
  const load1 = loadavg()[0];
  say(`## Store + correlate alone (${fmt(STORE)} e-mails prepared beforehand, ${C} in flight)`);
  say();
  say('| build | e-mails/s | main-thread CPU per e-mail | wall |');
  say('|---|---:|---:|---:|');
  for (const [label, r] of results)
    say(
      `| ${label} | ${fmt(STORE / (r.ms / 1000))} | ${(r.cpuMs / STORE).toFixed(2)} ms | ${secs(r.ms)} s |`,
    );
  if (results.length === 2) {
    const [a, b] = [results[0][1], results[1][1]];
    say(
      `| ratio (this build / baseline) | ${(a.ms / b.ms).toFixed(2)}× | ${(a.cpuMs / b.cpuMs).toFixed(2)}× less CPU | |`,
    );
    const same = JSON.stringify(a.counts) === JSON.stringify(b.counts) && a.linkWeight === b.linkWeight;
    say(
      `| same rows (${COUNTED.join(', ')}; sum of link weights) | ${same ? 'yes' : `NO: ${JSON.stringify(a.counts)} vs ${JSON.stringify(b.counts)}`} | | |`,
    );
  }
  for (const [label, r] of results)
    say(
      `| rows, ${label} | ${Object.values(r.counts).map(fmt).join(' / ')}; link weight ${fmt(r.linkWeight)} | | |`,
    );
  say(`| machine load average (1 min) at start / end | ${load0.toFixed(2)} / ${load1.toFixed(2)} | | |`);
  say();
}

// ---------------------------------------------------------------- 1b. intake of N files
if (N > 0) {
  const inDir = join(out, 'intel-eml');
  const dataDir = join(out, 'intel-data');
  rmSync(inDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(inDir, { recursive: true });
  let t0 = performance.now();
  let inBytes = 0;
  const orgOf = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    const { raw, org } = variant(i);
    orgOf[i] = org;
    inBytes += raw.length;
    writeFileSync(join(inDir, `${i}.eml`), raw);
  }
  say(`## Intake of ${fmt(N)} .eml files`);
  say();
  say(
    `Generated ${fmt(N)} files, ${(inBytes / 1e9).toFixed(2)} GB (mean ${fmt(inBytes / N)} bytes), in ${secs(performance.now() - t0)} s (not timed below).`,
  );
  const db = await openRelational(dataDir);
  // The admission queue holds every intake in flight: the benchmark measures throughput, not the
  // refusals (E_LOCKED) a smaller queue answers a client with under overload.
  const intel = await IntelService.open(db, {
    dataDir,
    fsyncEvidence: FSYNC,
    parseWorkers: W,
    parseQueue: C,
  });
  const actors = await members(intel);
  let next = 0;
  let done = 0;
  let failed = 0;
  const load0 = loadavg()[0];
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  t0 = performance.now();
  let lastLog = t0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= N) return;
      const raw = await readFile(join(inDir, `${i}.eml`));
      try {
        await intel.intake.submitEmail(actors[orgOf[i]], raw);
      } catch (e) {
        failed++;
        if (failed <= 3) console.error(`#${i}: ${e.message}`);
      }
      done++;
      const now = performance.now();
      if (now - lastLog > 10_000) {
        lastLog = now;
        console.error(`  ${fmt(done)} / ${fmt(N)} (${fmt(done / ((now - t0) / 1000))}/s)`);
      }
    }
  };
  await Promise.all(Array.from({ length: C }, worker));
  const ms = performance.now() - t0;
  const elu = performance.eventLoopUtilization(elu0);
  const cpu = process.cpuUsage(cpu0);
  const load1 = loadavg()[0];
  await intel.close();
  const counts = {};
  for (const t of [
    'reports',
    'indicators',
    'report_indicators',
    'report_links',
    'campaigns',
    'audit_log',
    'custody',
  ]) {
    counts[t] = Number((await sql`select count(*) as n from ${sql.table(t)}`.execute(db)).rows[0].n);
  }
  const verify = await intel.verifyAudit();
  await db.destroy();
  say(
    `Parse pool: ${W} worker thread(s), which also write the evidence files; ${C} intakes in flight (storage commits grouped); evidence fsync ${FSYNC ? 'on' : 'off'}.`,
  );
  say();
  say('| measure | value |');
  say('|---|---:|');
  say(`| e-mails | ${fmt(N)} (${fmt(failed)} refused) |`);
  say(`| wall time | ${secs(ms)} s |`);
  say(`| **e-mails/s (read + parse + store + correlate)** | **${fmt(N / (ms / 1000))}** |`);
  say(`| MB/s of raw mail | ${(inBytes / 1e6 / (ms / 1000)).toFixed(1)} |`);
  say(
    `| main thread busy per e-mail (store + correlate + I/O glue) | ${(elu.active / N).toFixed(2)} ms (utilisation ${(elu.utilization * 100).toFixed(0)} %) |`,
  );
  say(`| process CPU per e-mail (all threads) | ${((cpu.user + cpu.system) / 1000 / N).toFixed(2)} ms |`);
  say(`| machine load average (1 min) at start / end | ${load0.toFixed(2)} / ${load1.toFixed(2)} |`);
  for (const [k, v] of Object.entries(counts)) say(`| rows in ${k} | ${fmt(v)} |`);
  say(`| SQLite file | ${(statSync(join(dataDir, 'koban.sqlite')).size / 1e9).toFixed(2)} GB |`);
  say(`| evidence directory | ${(dirBytes(join(dataDir, 'evidence')) / 1e9).toFixed(2)} GB |`);
  say(`| audit verify | ${verify.ok ? 'intact' : verify.message} (${fmt(verify.audit.rows)} rows) |`);
  say();
  if (!KEEP) {
    rmSync(inDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- 2. lookup among M values
if (M > 0) {
  const dir = join(out, 'intel-lookup');
  rmSync(dir, { recursive: true, force: true });
  const db = await openRelational(dir);
  const t0 = performance.now();
  const STEP = 1_000_000;
  // Four kinds in proportion: IPv4 from the row number, domains, URLs, SHA-256 (random).
  for (let from = 1; from <= M; from += STEP) {
    const to = Math.min(M, from + STEP - 1);
    await sql`insert into indicators (type, value, first_seen_ms, last_seen_ms, report_count, org_count, sector_count, prefecture_count, confidence, tlp, expires_ms, warning)
      with recursive c(i) as (select ${from} union all select i + 1 from c where i < ${to})
      select case i % 10 when 0 then 'url' when 1 then 'sha256' when 2 then 'sha256' when 3 then 'domain' when 4 then 'domain' when 5 then 'domain' else 'ipv4' end,
        case i % 10
          when 0 then 'http://w' || (i % 1000) || '.lure' || i || '.example/login.php?id=' || (i * 7919 % 100000)
          when 1 then lower(hex(randomblob(32)))
          when 2 then lower(hex(randomblob(32)))
          when 3 then 'c2-' || i || '.example'
          when 4 then 'mail' || (i % 97) || '.host' || i || '.co.jp'
          when 5 then 'x' || i || '.example.net'
          else ((i >> 24) & 255) || '.' || ((i >> 16) & 255) || '.' || ((i >> 8) & 255) || '.' || (i & 255) end,
        0, 0, 1, 1, 0, 0, 50, 'AMBER', null, null
      from c`.execute(db);
    console.error(`  filled ${fmt(to)} / ${fmt(M)} (${secs(performance.now() - t0)} s)`);
  }
  const fillMs = performance.now() - t0;
  const store = new IndicatorStore(db);
  const max = Number((await sql`select max(id) as n from indicators`.execute(db)).rows[0].n);
  const hits = [];
  for (let j = 0; j < K; j += 1000) {
    const ids = Array.from({ length: Math.min(1000, K - j) }, () => 1 + Math.floor(Math.random() * max));
    const rows = await db.selectFrom('indicators').select(['type', 'value']).where('id', 'in', ids).execute();
    hits.push(...rows);
  }
  const misses = Array.from({ length: K }, (_, j) =>
    j % 2 === 0
      ? { type: 'domain', value: `miss-${j}.example` }
      : { type: 'ipv4', value: `203.0.${(j >> 8) & 255}.${j & 255}` },
  );
  const measure = async (list) => {
    const times = new Float64Array(list.length);
    for (let j = 0; j < list.length; j++) {
      const t = performance.now();
      const r = await store.lookup(list[j].type, list[j].value);
      times[j] = performance.now() - t;
      if ((r === null) !== (list === misses))
        throw new Error(`lookup ${list[j].type} ${list[j].value} gave ${r === null ? 'nothing' : 'a row'}`);
    }
    times.sort();
    const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
    return { p50: q(0.5), p99: q(0.99), max: times[times.length - 1] };
  };
  for (let j = 0; j < 2000; j++) await store.lookup(hits[j % hits.length].type, hits[j % hits.length].value);
  const h = await measure(hits);
  const m = await measure(misses);
  const size = statSync(join(dir, 'koban.sqlite')).size;
  await db.destroy();
  say(`## Correlation lookup among ${fmt(M)} stored values`);
  say();
  say(
    `Filled ${fmt(M)} rows (40 % IPv4, 30 % domains, 20 % SHA-256, 10 % URLs) in ${secs(fillMs)} s; SQLite file ${(size / 1e9).toFixed(2)} GB. Lookups: \`IndicatorStore.lookup\` (canonicalise, one probe of the unique (type, value) index through Kysely), one at a time, ${fmt(K)} random stored values and ${fmt(K)} absent ones.`,
  );
  say();
  say('| lookup | p50 | p99 | max |');
  say('|---|---:|---:|---:|');
  say(`| hit | ${(h.p50 * 1000).toFixed(0)} µs | ${(h.p99 * 1000).toFixed(0)} µs | ${h.max.toFixed(2)} ms |`);
  say(
    `| miss | ${(m.p50 * 1000).toFixed(0)} µs | ${(m.p99 * 1000).toFixed(0)} µs | ${m.max.toFixed(2)} ms |`,
  );
  say();
  if (!KEEP) rmSync(dir, { recursive: true, force: true });
}

writeFileSync(join(out, 'intel.md'), `${report.join('\n')}\n`);
