/**
 * docs/architecture.md is the map a newcomer follows to add a parser, detector, route or storage
 * adapter: every file or folder it names must exist, or the map has gone stale.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');

/** Repository paths written in code spans: `src/…`, `scripts/…`, `test/…`, `docs/…`, `vitest.config.ts`. */
function namedPaths(text: string): string[] {
  const paths = new Set<string>();
  for (const m of text.matchAll(/`((?:src|scripts|test|docs)\/[^`\s]*|vitest\.config\.ts)`/g)) {
    const p = m[1]!;
    if (p.includes('<') || p.includes('…')) continue; // a pattern (`src/observe/<engine>/`), not a path
    paths.add(p.replace(/\/$/, ''));
  }
  return [...paths];
}

describe('docs/architecture.md', () => {
  it('names at least the registries a newcomer adds to', () => {
    const named = namedPaths(doc);
    for (const p of [
      'src/parse/index.ts',
      'src/web/api.ts',
      'src/observe/open-event-store.ts',
      'src/cli/commands.ts',
    ])
      expect(named).toContain(p);
  });

  it('names only files and folders that exist', () => {
    const missing = namedPaths(doc).filter((p) => !existsSync(join(root, p)));
    expect(missing).toEqual([]);
  });
});
