import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../test/samples.js';
import type { RecorderRecord } from './format.js';
import { KEY_FILE } from './keys.js';
import { Recorder } from './recorder.js';
import { listSegments } from './segments.js';
import { verifyRecorderDir } from './verify.js';

const FIXTURE = join(PROJECT_ROOT, 'test', 'fixtures', 'proc');
const T0 = Date.parse('2026-12-07T10:00:00.000Z');
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

let work: string;
let procRoot: string;
let out: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'koban-recorder-'));
  procRoot = join(work, 'proc');
  out = join(work, 'out');
  // The links are relative (../bin/curl, socket:[…]): copy them as they are.
  cpSync(FIXTURE, procRoot, { recursive: true, verbatimSymlinks: true });
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function records(dir: string): RecorderRecord[] {
  return listSegments(dir).flatMap((s) =>
    readFileSync(join(dir, s.name), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as RecorderRecord),
  );
}

function clock() {
  let t = T0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const open = (extra: Partial<Parameters<typeof Recorder.open>[0]> = {}) =>
  Recorder.open({
    out,
    procRoot,
    passwdFile: join(procRoot, 'passwd'),
    utmpFile: join(procRoot, 'utmp'),
    host: 'test-host',
    now: clock().now,
    ...extra,
  });

describe('recording a fake /proc', () => {
  it('records every process and socket of the first look, with exe hashes, users and owners', async () => {
    const r = open();
    expect(await r.poll()).toBe(6);
    r.stop('test');
    const recs = records(out);
    expect(recs.map((x) => x.kind)).toEqual([
      'recorder-start',
      'process-start',
      'process-start',
      'process-start',
      'connection',
      'connection',
      'connection',
      'recorder-stop',
      'seal',
    ]);
    const strip = ({ v: _v, seq: _s, prev: _p, hash: _h, ...rest }: RecorderRecord) => rest;
    expect(strip(recs[2]!)).toEqual({
      kind: 'process-start',
      time: '2026-12-07T10:00:00.000Z',
      pid: 200,
      ppid: 1,
      startTicks: 98765,
      exe: '../bin/curl',
      exeSha256: sha('fake curl binary\n'),
      cmdline: ['curl', '-s', 'https://198.51.100.7/'],
      uid: 1000,
      user: 'alice',
    });
    expect(strip(recs[3]!)).toMatchObject({
      pid: 300,
      exe: null,
      exeSha256: null,
      cmdline: [],
      uid: 4242,
      user: null,
    });
    expect(recs.slice(4, 7).map(strip)).toEqual([
      {
        kind: 'connection',
        time: '2026-12-07T10:00:00.000Z',
        proto: 'tcp',
        state: 'listen',
        localAddr: '0.0.0.0',
        localPort: 22,
        remoteAddr: '0.0.0.0',
        remotePort: 0,
        inode: 1111,
        pid: 1,
        exe: '../bin/init',
      },
      {
        kind: 'connection',
        time: '2026-12-07T10:00:00.000Z',
        proto: 'tcp',
        state: 'established',
        localAddr: '192.0.2.10',
        localPort: 44321,
        remoteAddr: '198.51.100.7',
        remotePort: 443,
        inode: 4242,
        pid: 200,
        exe: '../bin/curl',
      },
      {
        kind: 'connection',
        time: '2026-12-07T10:00:00.000Z',
        proto: 'tcp6',
        state: 'established',
        localAddr: '::1',
        localPort: 40000,
        remoteAddr: '2001:db8::5',
        remotePort: 443,
        inode: 5555,
        pid: 200,
        exe: '../bin/curl',
      },
    ]);
    expect(statSync(join(out, KEY_FILE)).mode & 0o777).toBe(0o600);
    const ajv = new Ajv2020({ strict: false });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    const validate = ajv.compile(
      JSON.parse(readFileSync(join(PROJECT_ROOT, 'docs', 'recorder-format.schema.json'), 'utf8')),
    );
    for (const rec of recs) expect(validate(rec), JSON.stringify(validate.errors)).toBe(true);
    expect(verifyRecorderDir(out)).toMatchObject({
      ok: true,
      records: 9,
      seals: 1,
      problems: [],
      warnings: [],
    });
  });

  it('records only the differences between two looks: an ended process, a new one, a closed socket', async () => {
    const c = clock();
    const r = open({ now: c.now });
    await r.poll();
    rmSync(join(procRoot, '300'), { recursive: true });
    cpSync(join(procRoot, '200'), join(procRoot, '201'), { recursive: true, verbatimSymlinks: true });
    writeFileSync(
      join(procRoot, '201', 'stat'),
      '201 (sh) S 200 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99999 0 0\n',
    );
    writeFileSync(
      join(procRoot, 'net', 'tcp6'),
      readFileSync(join(procRoot, 'net', 'tcp6'), 'utf8').split('\n')[0]!,
    );
    c.advance(5000);
    expect(await r.poll()).toBe(2);
    expect(await r.poll()).toBe(0);
    r.stop('test');
    const later = records(out).filter((x) => x.time === '2026-12-07T10:00:05.000Z');
    expect(later.map((x) => [x.kind, 'pid' in x ? x.pid : null])).toEqual([
      ['process-start', 201],
      ['process-end', 300],
      ['recorder-stop', null],
      ['seal', null],
    ]);
  });

  it('continues the chain when opened again, and seals every N records', async () => {
    const r = open({ sealEvery: 4 });
    await r.poll();
    r.stop('first');
    const again = open({ sealEvery: 4 });
    again.stop('second');
    const recs = records(out);
    expect(recs.map((x) => x.seq)).toEqual(recs.map((_, i) => i));
    expect(recs.filter((x) => x.kind === 'seal').map((x) => x.seq)).toEqual([4, 9, 12]);
    expect(verifyRecorderDir(out)).toMatchObject({ ok: true, seals: 3, problems: [] });
  });

  it('refuses a key file others can read', () => {
    open().stop('x');
    chmodSync(join(out, KEY_FILE), 0o644);
    expect(() => open()).toThrow(`${join(out, KEY_FILE)} is readable by others (mode 644); chmod 600 it`);
  });

  it('cuts half a record left by a crash and says so in a gap record', async () => {
    const r = open();
    await r.poll();
    r.stop('x');
    const seg = join(out, listSegments(out)[0]!.name);
    writeFileSync(seg, '{"v":1,"seq":9,"ti', { flag: 'a' });
    open().stop('y');
    const gap = records(out).find((x) => x.kind === 'gap');
    expect(gap).toMatchObject({
      reason: 'truncated-tail',
      bytes: 18,
      segments: [listSegments(out)[0]!.name],
    });
    expect(verifyRecorderDir(out).ok).toBe(true);
  });

  it('keeps to the disk budget: drops the oldest segments and says which in a gap record', async () => {
    const c = clock();
    const r = open({ maxBytes: 16 * 1024, sealEvery: 10, now: c.now });
    for (let i = 0; i < 40; i++) {
      // A new process each look: a steady stream of records.
      cpSync(join(procRoot, '200'), join(procRoot, String(1000 + i)), {
        recursive: true,
        verbatimSymlinks: true,
      });
      c.advance(1000);
      await r.poll();
    }
    r.stop('budget');
    const segs = listSegments(out);
    const bytes = segs.reduce((a, s) => a + statSync(join(out, s.name)).size, 0);
    // The budget, give or take the record that crossed a segment's size (under 1 KiB here).
    expect(bytes).toBeLessThanOrEqual(16 * 1024 + 1024);
    expect(segs[0]!.n).toBeGreaterThan(1);
    const v = verifyRecorderDir(out);
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.gaps.length).toBeGreaterThan(0);
    expect(v.gaps.at(-1)).toContain('segments-dropped');
    expect(readdirSync(out)).toContain(KEY_FILE);
  });
});

describe.skipIf(process.platform !== 'linux')('recording this machine (Linux /proc)', () => {
  let server: Server;
  afterEach(() => server?.close());

  it('sees a child process and its loopback TCP connection to a server the test started', async () => {
    server = createServer((s) => s.on('error', () => {}));
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    const port = (server.address() as { port: number }).port;
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const s=require('node:net').connect(${port},'127.0.0.1',()=>process.stdout.write('up'));setInterval(()=>{},1e6)`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((res) => child.stdout!.once('data', () => res()));
    const r = Recorder.open({ out, now: clock().now });
    try {
      await r.poll();
      const exited = new Promise((res) => child.once('exit', res));
      child.kill('SIGKILL');
      await exited;
      await r.poll();
    } finally {
      child.kill('SIGKILL');
      r.stop('test');
    }
    const recs = records(out);
    const start = recs.find((x) => x.kind === 'process-start' && x.pid === child.pid);
    // The kernel's exe link is the resolved path of the binary.
    const node = realpathSync(process.execPath);
    expect(start).toMatchObject({
      exe: node,
      exeSha256: createHash('sha256').update(readFileSync(node)).digest('hex'),
      ppid: process.pid,
      cmdline: [process.execPath, '-e', expect.stringContaining('connect(')],
    });
    const conn = recs.find((x) => x.kind === 'connection' && x.remotePort === port && x.pid === child.pid);
    expect(conn).toMatchObject({
      proto: 'tcp',
      state: 'established',
      localAddr: '127.0.0.1',
      remoteAddr: '127.0.0.1',
      exe: node,
    });
    expect(recs.find((x) => x.kind === 'process-end' && x.pid === child.pid)).toBeDefined();
    expect(verifyRecorderDir(out).ok).toBe(true);
  });
});
