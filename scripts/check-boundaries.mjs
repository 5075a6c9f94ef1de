#!/usr/bin/env node
// The architecture's rules, checked by `npm run lint` (docs/architecture.md, "Dependency rules"):
// - a context imports another context only through its index.ts (its door);
// - a context imports only the contexts the table below allows (dependencies point inward);
// - no context imports cli/, web/ or center/; web/ never imports cli/ or center/; center/ never cli/;
// - a source file over 600 lines or a function over 100 lines fails; over 400 lines warns.
// Exits 1 when a rule is broken, listing each problem. `--quiet` hides the warnings.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const root = resolve(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? '.');
const quiet = process.argv.includes('--quiet');
const src = join(root, 'src');

/**
 * Which contexts each context may import (besides itself). The outer layers — cli, center, web —
 * are listed too: cli may import everything; center everything but cli; web the contexts but not
 * center or cli. A context missing here may import only core.
 */
const ALLOWED = {
  core: [],
  wire: ['core'],
  parse: ['core'],
  mail: ['core'],
  db: ['core'],
  observe: ['core', 'wire', 'parse', 'db'],
  detect: ['core', 'observe', 'db'],
  sensor: ['core', 'wire', 'parse'],
  intel: ['core', 'db', 'mail'],
  feeds: ['core', 'db', 'intel', 'mail'],
  anon: ['core', 'db'],
  // db: types only, for the center's table of countersigned heads (recorder/heads.ts).
  recorder: ['core', 'db'],
  publish: ['core', 'observe', 'detect', 'intel'],
  sim: ['core', 'wire', 'parse', 'observe', 'db'],
  web: ['core', 'wire', 'db', 'observe', 'detect', 'intel', 'feeds', 'anon', 'recorder', 'publish', 'mail'],
  center: [
    'core',
    'wire',
    'db',
    'observe',
    'detect',
    'intel',
    'feeds',
    'anon',
    'recorder',
    'publish',
    'mail',
    'sim',
    'web',
    'parse',
  ],
  cli: null, // anything
};

const MAX_FILE_LINES = 600;
const WARN_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 100;

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
const warnings = [];
for (const f of files) {
  const from = contextOf(f);
  const text = readFileSync(f, 'utf8');
  const rel = relative(src, f);
  if (from) checkImports(f, from, text, rel);
  checkSizes(f, text, rel);
}

function checkImports(f, from, text, rel) {
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = resolve(dirname(f), m[1]);
    if (!target.startsWith(src + sep)) continue;
    const to = contextOf(target);
    if (!to || to === from) continue;
    const rest = relative(join(src, to), target).replace(/\.(js|ts|tsx)$/, '');
    const where = `${rel}: ${m[1]}`;
    const allowed = from in ALLOWED ? ALLOWED[from] : ['core'];
    if (allowed !== null && !allowed.includes(to))
      problems.push(
        `${where} (${from}/ may not depend on ${to}/: see the table in scripts/check-boundaries.mjs)`,
      );
    else if (rest !== 'index' && !(from === 'cli' && to === 'cli'))
      problems.push(`${where} (goes past ${to}/index.ts)`);
  }
}

function checkSizes(f, text, rel) {
  const lines = text.split('\n').length;
  if (lines > MAX_FILE_LINES) problems.push(`${rel}: ${lines} lines (more than ${MAX_FILE_LINES}: split it)`);
  else if (lines > WARN_FILE_LINES)
    warnings.push(`${rel}: ${lines} lines (over ${WARN_FILE_LINES}: two ideas?)`);
  const sf = ts.createSourceFile(f, text, ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (
      ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isArrowFunction(node) ||
      ts.isFunctionExpression(node) ||
      ts.isConstructorDeclaration(node) ||
      ts.isGetAccessorDeclaration(node)
    ) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      const n = end - start + 1;
      if (n > MAX_FUNCTION_LINES) {
        const name = node.name?.getText(sf) ?? nameOfParent(node, sf) ?? '(anonymous)';
        problems.push(
          `${rel}:${start + 1}: function ${name} is ${n} lines (more than ${MAX_FUNCTION_LINES})`,
        );
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

function nameOfParent(node, sf) {
  const p = node.parent;
  if (p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)))
    return p.name.getText(sf);
  if (p && ts.isCallExpression(p)) return `${p.expression.getText(sf).slice(0, 40)}(…)`;
  return null;
}

if (!quiet && warnings.length > 0)
  console.warn(`size warnings (${warnings.length}):\n  ${warnings.join('\n  ')}`);
if (problems.length > 0) {
  console.error(`architecture rules: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
