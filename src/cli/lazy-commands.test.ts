// `koban --version`, `koban --help` and the sensor agent start without the native addons of the
// center's stores (DuckDB, SQLite, argon2): the built command runs under a preload that records
// every module resolved (module.register hooks) and every addon opened (process.dlopen), and a
// run that does open a store shows the recording sees them.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_BUILD, KOBAN_BIN } from '../../test/cli.js';
import { PROJECT_ROOT } from '../../test/samples.js';

/** The packages whose loading means a native addon: DuckDB, better-sqlite3, @node-rs/argon2. */
const NATIVE = /\/node_modules\/(@duckdb\/[^/]+|better-sqlite3|@node-rs\/argon2[^/]*)\//;

const HOOKS = `import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(log, 'resolve ' + r.url + '\\n');
  return r;
}
`;
const PRELOAD = `import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
const log = process.env.KOBAN_LOAD_LOG;
register(new URL('./hooks.mjs', import.meta.url), { data: { log } });
const open = process.dlopen;
process.dlopen = function (m, file, ...rest) {
  appendFileSync(log, 'dlopen ' + file + '\\n');
  return open.call(this, m, file, ...rest);
};
`;

let dir: string;
let runs = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'koban-lazy-'));
  writeFileSync(join(dir, 'hooks.mjs'), HOOKS);
  writeFileSync(join(dir, 'preload.mjs'), PRELOAD);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Loaded {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Resolved module URLs of the native-addon packages. */
  native: string[];
  /** Addon files opened. */
  addons: string[];
  /** Every resolved module URL. */
  modules: string[];
}

/** Runs the built koban under the recording preload; `until` ends it (SIGTERM) once stderr matches. */
async function loaded(args: string[], env: Record<string, string> = {}, until?: RegExp): Promise<Loaded> {
  const log = join(dir, `load-${++runs}.log`);
  writeFileSync(log, '');
  const child = spawn(
    process.execPath,
    ['--import', pathToFileURL(join(dir, 'preload.mjs')).href, KOBAN_BIN, ...args],
    { env: { ...process.env, ...env, KOBAN_LOAD_LOG: log }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    // Once: a second SIGTERM would end the agent before its clean stop.
    if (until?.test(stderr) && child.signalCode === null && !child.killed) child.kill('SIGTERM');
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const lines = readFileSync(log, 'utf8').split('\n');
  const modules = lines.filter((l) => l.startsWith('resolve ')).map((l) => l.slice(8));
  return {
    code,
    stdout,
    stderr,
    modules,
    native: modules.filter((m) => NATIVE.test(m)),
    addons: lines.filter((l) => l.startsWith('dlopen ')).map((l) => l.slice(7)),
  };
}

/** Whether the sensor context still imports observe (the wire format moves to src/wire/). */
const sensorImportsObserve = readdirSync(join(PROJECT_ROOT, 'src', 'sensor'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .some((f) => readFileSync(join(PROJECT_ROOT, 'src', 'sensor', f), 'utf8').includes("from '../observe/"));

describe.skipIf(!HAVE_BUILD)('the built koban loads', () => {
  it('the stores’ addons when a command opens a store (the recording sees them)', async () => {
    const r = await loaded(['import', '--data', join(dir, 'data'), join(dir, 'missing.log')]);
    expect(r.code).toBe(1);
    expect(r.native.some((m) => m.includes('/@duckdb/node-api/'))).toBe(true);
    expect(r.addons.some((f) => f.endsWith('duckdb.node'))).toBe(true);
    expect(existsSync(join(dir, 'data', 'events.duckdb'))).toBe(true);
  });

  it('no addon for --version, and no context', async () => {
    const r = await loaded(['--version']);
    expect([r.code, r.stdout]).toEqual([0, '0.1.0\n']);
    expect(r.modules.some((m) => m.endsWith('/dist/cli/main.js'))).toBe(true);
    expect(r.native).toEqual([]);
    expect(r.addons).toEqual([]);
    expect(r.modules.filter((m) => /\/dist\/(?!cli\/)/.test(m))).toEqual([]);
  });

  it('no addon for --help, which still lists every command', async () => {
    const r = await loaded(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      '  sensor                       register sensors, list them, revoke them; run the\n',
    );
    expect(r.stdout).toContain(
      '  stats [options] <view>       observation views: total, sensor-rate, countries,\n',
    );
    expect(r.native).toEqual([]);
    expect(r.addons).toEqual([]);
  });

  it('neither SQLite nor argon2 for the sensor agent (sensor run --help, and sensor run)', async () => {
    const help = await loaded(['sensor', 'run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--spool <dir>');
    const spool = join(dir, 'spool');
    writeFileSync(join(dir, 'fw.log'), '');
    const run = await loaded(
      [
        'sensor',
        'run',
        '--center',
        'http://127.0.0.1:9',
        '--spool',
        spool,
        '--source',
        `iptables:${join(dir, 'fw.log')}`,
      ],
      { KOBAN_TOKEN: 'kbs_test' },
      /koban agent: shipping/,
    );
    expect(run.stderr).toContain('koban agent: stopped');
    for (const r of [help, run]) {
      expect(r.modules.some((m) => m.includes('/dist/sensor/index.js'))).toBe(true);
      expect(r.native.filter((m) => !m.includes('/@duckdb/'))).toEqual([]);
      expect(r.modules.filter((m) => /\/dist\/(db|intel|web|detect)\//.test(m))).toEqual([]);
    }
  });

  it.skipIf(sensorImportsObserve)(
    'no addon at all for the sensor agent (waits for the wire format to leave observe: src/sensor imports src/observe until then)',
    async () => {
      const r = await loaded(['sensor', 'run', '--help']);
      expect(r.code).toBe(0);
      expect(r.native).toEqual([]);
      expect(r.addons).toEqual([]);
    },
  );
});
