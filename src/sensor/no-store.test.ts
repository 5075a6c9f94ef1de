/**
 * The agent runs on sensor hosts: importing it must not load an event store's native engine (it
 * ships events in the `wire` format and stores nothing). Native addons are loaded through
 * `process.dlopen`; each check records the calls and, as a control, that the same recording does
 * see DuckDB's addon when the DuckDB adapter is imported — so a check that records nothing cannot
 * pass by accident.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../test/samples.js';

const DUCKDB = /[\\/]@duckdb[\\/]/;

/** Records the native addons loaded from now on. */
function recordAddons(): { addons: string[]; stop(): void } {
  const addons: string[] = [];
  const original = process.dlopen;
  process.dlopen = (module: { exports: unknown }, filename: string, flags?: number) => {
    addons.push(filename);
    return flags === undefined ? original(module, filename) : original(module, filename, flags);
  };
  return { addons, stop: () => (process.dlopen = original) };
}

const cjsModules = () => Object.keys(createRequire(import.meta.url).cache);

describe('the sensor agent', () => {
  it('is imported without loading DuckDB (this test file runs in a process of its own)', async () => {
    expect(cjsModules().filter((m) => DUCKDB.test(m))).toEqual([]);
    const rec = recordAddons();
    try {
      const sensor = await import('./index.js');
      expect(typeof sensor.SensorAgent).toBe('function');
      expect(rec.addons.filter((a) => DUCKDB.test(a))).toEqual([]);
      expect(cjsModules().filter((m) => DUCKDB.test(m))).toEqual([]);
      // The control: the adapter does load DuckDB's addon, and the recording sees it.
      await import('../observe/duckdb/index.js');
      expect(rec.addons.filter((a) => DUCKDB.test(a))).toHaveLength(1);
      expect(cjsModules().some((m) => DUCKDB.test(m))).toBe(true);
    } finally {
      rec.stop();
    }
  });

  const built = (p: string) => join(PROJECT_ROOT, 'dist', p);
  const HAVE_BUILD = existsSync(built('sensor/index.js')) && existsSync(built('observe/duckdb/index.js'));

  it.skipIf(!HAVE_BUILD)('is imported from the build without loading a native addon of a store', () => {
    // Prints the addons a fresh Node process loads while importing the given module.
    const probe = `
      const addons = [];
      const dlopen = process.dlopen;
      process.dlopen = (m, f, ...rest) => (addons.push(f), dlopen(m, f, ...rest));
      await import(${'process.argv[1]'});
      console.log(JSON.stringify(addons));`;
    const addonsOf = (p: string): string[] => {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe, built(p)], {
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as string[];
    };
    expect(addonsOf('sensor/index.js').filter((a) => DUCKDB.test(a))).toEqual([]);
    expect(addonsOf('observe/duckdb/index.js').filter((a) => DUCKDB.test(a))).toHaveLength(1);
  });
});
