#!/usr/bin/env node
// Import-boundary check run by `npm run lint` (CONVENTIONS.md, "Dependencies point inward"):
// - a context imports another context only through its index.ts;
// - core/ imports no other context;
// - no context imports cli/ or web/.
// Exits 1 when any import crosses a door, listing each.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const src = resolve(process.argv[2] ?? '.', 'src');
const outer = new Set(['cli', 'web']);
const files = [];
const walk = (d) => {
  for (const e of readdirSync(d)) {
    const p = join(d, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.tsx?$/.test(e) && !/\.test\.tsx?$/.test(e)) files.push(p);
  }
};
walk(src);
const contextOf = (p) => {
  const parts = relative(src, p).split(sep);
  return parts.length > 1 ? parts[0] : null;
};
const problems = [];
for (const f of files) {
  const from = contextOf(f);
  if (!from) continue;
  const text = readFileSync(f, 'utf8');
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = resolve(dirname(f), m[1]);
    if (!target.startsWith(src + sep)) continue;
    const to = contextOf(target);
    if (!to || to === from) continue;
    const rest = relative(join(src, to), target).replace(/\.(js|ts|tsx)$/, '');
    const where = `${relative(src, f)}: ${m[1]}`;
    if (from === 'core') problems.push(`${where} (core/ must import no other context)`);
    else if (outer.has(to) && !outer.has(from)) problems.push(`${where} (a context must not import ${to}/)`);
    else if (rest !== 'index') problems.push(`${where} (goes past ${to}/index.ts)`);
  }
}
if (problems.length > 0) {
  console.error(`import boundaries: ${problems.length} crossing(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
