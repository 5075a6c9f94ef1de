#!/usr/bin/env node
// Times each stats view inside one process: `node bench/views.mjs DATA_DIR '[["view", [args]], …]' [--check]`.
// Prints JSON { openMs, events, raw, rollupRows, sizeBytes, views: [ { name, args, medianMs, maxMs, rows } ] }
// (`openMs`: opening the store, an upgrade of an older store's schema included; `rows`: the view's
// answer, to compare runs). With --check, also `check`: the neighbours view's distinct sources
// counted exactly from the raw events with DuckDB directly (the answer the view must give while
// the raw events are all kept).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { openObservatory, runView } = await import(join(root, 'dist', 'observe', 'index.js'));
const [dataDir, spec, flag] = process.argv.slice(2);
const t0 = performance.now();
const obs = await openObservatory(dataDir);
const openMs = performance.now() - t0;
const base = { utcOffsetMinutes: 540, domesticCountry: 'JP' };
const argOptions = (args) => {
  const o = {};
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === '--bucket') o.bucket = args[i + 1];
    if (args[i] === '--proto') o.proto = args[i + 1];
    if (args[i] === '--port') {
      const [p, proto] = args[i + 1].split('/');
      o.port = { port: Number(p), proto };
    }
  }
  return o;
};
const results = [];
for (const [name, args] of JSON.parse(spec)) {
  const times = [];
  let rows;
  for (let k = 0; k < 6; k++) {
    const t = performance.now();
    const r = await runView(obs.store, name, { ...base, ...argOptions(args) });
    // The first run warms caches; its rows are the answer.
    if (k > 0) times.push(performance.now() - t);
    else rows = r.rows;
  }
  times.sort((a, b) => a - b);
  results.push({ name, args, medianMs: times[2], maxMs: times[times.length - 1], rows });
}
const s = await obs.store.summary();
const rollupRows = await obs.store.rollupRows();
await obs.close();
const check = flag === '--check' ? await exactNeighbourSources(join(dataDir, 'events.duckdb')) : undefined;
process.stdout.write(
  JSON.stringify({
    openMs,
    events: s.events,
    raw: s.rawEvents,
    rollupRows,
    sizeBytes: s.sizeBytes,
    views: results,
    check,
  }),
);

/** Distinct sources of accesses (firewall 1, darknet 3) per neighbour class and in all, exact. */
async function exactNeighbourSources(path) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(path);
  const con = await db.connect();
  const t = performance.now();
  const reader = await con.runAndReadAll(
    `SELECT neighbour, count(DISTINCT src4) + count(DISTINCT src6) FROM events WHERE kind IN (1, 3)
     GROUP BY GROUPING SETS ((neighbour), ()) ORDER BY neighbour NULLS LAST`,
  );
  const ms = performance.now() - t;
  const sources = Object.fromEntries(
    reader.getRows().map(([n, c]) => [n === null ? 'all' : String(n), Number(c)]),
  );
  con.closeSync();
  db.closeSync();
  return { ms, sources };
}
