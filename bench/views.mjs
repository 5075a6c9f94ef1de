#!/usr/bin/env node
// Times each stats view inside one process: `node bench/views.mjs DATA_DIR '[["view", [args]], …]'`.
// Prints JSON { events, raw, rollupRows, sizeBytes, views: [ { name, args, medianMs, maxMs } ] }.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { openObservatory, runView } = await import(join(root, 'dist', 'observe', 'index.js'));
const [dataDir, spec] = process.argv.slice(2);
const obs = await openObservatory(dataDir);
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
  for (let k = 0; k < 6; k++) {
    const t0 = performance.now();
    await runView(obs.store, name, { ...base, ...argOptions(args) });
    if (k > 0) times.push(performance.now() - t0); // the first run warms caches
  }
  times.sort((a, b) => a - b);
  results.push({ name, args, medianMs: times[2], maxMs: times[times.length - 1] });
}
const s = await obs.store.summary();
const rollupRows = await obs.store.rollupRows();
await obs.close();
process.stdout.write(
  JSON.stringify({ events: s.events, raw: s.rawEvents, rollupRows, sizeBytes: s.sizeBytes, views: results }),
);
