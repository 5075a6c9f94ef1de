#!/usr/bin/env node
// TAXII 2.1 paging over a large collection (run after `npm run build`; imports dist/):
// `node bench/taxii.mjs`. A center (openCenter + its Hono app on a loopback port, in this
// process) whose `members` collection holds BENCH_TAXII_OBJECTS (default 1,000,000) SYNTHETIC
// indicator objects: inserted straight into `taxii_objects` (the date-added table, whose `object`
// column holds each STIX object's JSON) by ONE SQL statement (a recursive CTE generating id,
// version, date added one microsecond apart and a ~330-byte indicator), not through POST. A member
// then walks the whole collection with `limit=1000` and the `next` cursor, one page at a time,
// over HTTP with its Bearer token; the figures are the per-page latencies (request sent → body
// parsed). `/healthz` is timed first (200 requests) as the same-run baseline.
// Environment: BENCH_TAXII_OBJECTS, BENCH_TAXII_PAGE (1000), BENCH_TAXII_KEEP (0: delete the data),
// BENCH_TAXII_DIST (another build to measure, e.g. the code before a change: default dist/).
// Prints a Markdown report and writes it to bench/out/taxii.md.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { sql } from 'kysely';
import { root } from './_center.mjs';

const N = Number(process.env.BENCH_TAXII_OBJECTS ?? 1_000_000);
const PAGE = Number(process.env.BENCH_TAXII_PAGE ?? 1000);
const distDir = process.env.BENCH_TAXII_DIST ?? join(root, 'dist');
const dist = (p) => import(join(distDir, p));
const { openCenter, centerApp } = await dist('center/index.js');
const { systemActor } = await dist('intel/index.js');
const { collectionId } = await dist('feeds/index.js');

const dataDir = mkdtempSync(join(tmpdir(), 'koban-bench-taxii-'));
const center = await openCenter({ dataDir, logLevel: 'silent' });
const intel = center.intel;
const system = systemActor('bench');
const org = await intel.orgs.add(system, {
  name: 'Bench member',
  kind: 'member-company',
  sector: 'manufacturing',
});
const user = await intel.users.add(system, {
  email: 'bench@member.example',
  orgId: org.id,
  role: 'org-member',
});
const { token } = await intel.auth.createToken(system, {
  userId: user.id,
  name: 'bench',
  scopes: ['indicators:read'],
});
const members = collectionId('members');

const t0 = performance.now();
const base = Date.UTC(2026, 0, 1) * 1000;
await sql`
  with recursive n(i) as (select 1 union all select i + 1 from n where i < ${N})
  insert into taxii_objects (collection, stix_id, stix_type, version, version_key, spec_version,
    date_added_us, origin, org_id, is_first, is_last, content_sha256, object)
  select ${members}, 'indicator--' || printf('%08x-0000-4000-8000-%012x', i, i), 'indicator',
    '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000000000Z', '2.1', ${base} + i, 'post', ${org.id},
    1, 1, printf('%064x', i),
    '{"type":"indicator","spec_version":"2.1","id":"indicator--' || printf('%08x-0000-4000-8000-%012x', i, i) ||
    '","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"bench ' || i ||
    '","indicator_types":["malicious-activity"],"pattern":"[ipv4-addr:value = ''198.51.' || (i % 256) || '.' || (i / 256 % 256) ||
    ''']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00.000Z"}'
  from n`.execute(intel.db);
const fillS = (performance.now() - t0) / 1000;

const app = centerApp(center);
const server = await new Promise((ok) => {
  const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => ok(s));
});
const origin = `http://127.0.0.1:${server.address().port}`;
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const health = [];
for (let i = 0; i < 200; i++) {
  const s = performance.now();
  await (await fetch(`${origin}/healthz`)).text();
  health.push(performance.now() - s);
}

const headers = { Accept: 'application/taxii+json;version=2.1', Authorization: `Bearer ${token}` };
const pages = [];
let seen = 0;
let next;
const w0 = performance.now();
// CPU time of this process (server and client both) over the walk: on a loaded machine a far
// steadier measure of the work per page than the latency, which waits for the CPU.
const cpu0 = process.cpuUsage();
do {
  const url = `${origin}/taxii2/koban/collections/${members}/objects/?limit=${PAGE}${next ? `&next=${next}` : ''}`;
  const s = performance.now();
  const res = await fetch(url, { headers });
  const env = await res.json();
  pages.push(performance.now() - s);
  if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(env)}`);
  seen += env.objects?.length ?? 0;
  next = env.more ? encodeURIComponent(env.next) : undefined;
} while (next);
const walkS = (performance.now() - w0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuMsPerPage = (cpu.user + cpu.system) / 1000 / pages.length;
server.close();
await center.close();
const dbBytes = statSync(join(dataDir, 'koban.sqlite'), { throwIfNoEntry: false })?.size;
if (process.env.BENCH_TAXII_KEEP !== '1') rmSync(dataDir, { recursive: true, force: true });

const f = (x) => x.toFixed(1);
const report = `## TAXII 2.1 paging (bench/taxii.mjs)

build: ${distDir}

${new Date().toISOString().slice(0, 10)}, ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg()
  .map((x) => x.toFixed(1))
  .join(' ')}.

- collection: ${N.toLocaleString('en')} objects (filled in ${f(fillS)} s by one SQL statement${dbBytes ? `; store ${(dbBytes / 1e6).toFixed(0)} MB` : ''})
- walk: ${pages.length} pages of ${PAGE}, ${seen.toLocaleString('en')} objects in ${f(walkS)} s
- CPU per page (this process: server and client): ${cpuMsPerPage.toFixed(2)} ms
- page latency p50 ${f(pct(pages, 50))} ms, p99 ${f(pct(pages, 99))} ms, max ${f(Math.max(...pages))} ms (first page, with the collection's sync: ${f(pages[0])} ms)
- /healthz (same run, before the walk): p50 ${f(pct(health, 50))} ms, p95 ${f(pct(health, 95))} ms
`;
process.stdout.write(report);
mkdirSync(join(root, 'bench', 'out'), { recursive: true });
writeFileSync(join(root, 'bench', 'out', 'taxii.md'), report);
// The center's own identity and marking definition come with the collection's first sync.
if (seen < N) throw new Error(`walked ${seen} objects, expected at least ${N}`);
