/**
 * The spool on a full or failing file system, and its lock. The file system is a facade over
 * node:fs that fails the way a full disk (ENOSPC) or a failing one (EIO) does, so no real disk
 * has to be filled.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { isKobanError } from '../core/index.js';
import { Spool, type SpoolOptions } from './spool.js';
import { nodeSpoolFs, type SpoolFs } from './spool-fs.js';

function spoolDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'koban-spool-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function errno(code: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: simulated, write`) as NodeJS.ErrnoException;
  e.code = code;
  return e;
}

/**
 * node:fs where `fail(file, bytes)` may name an errno for a write (file = the name being
 * written, without `.tmp`); every write attempt is recorded.
 */
function failingFs(fail: (file: string, bytes: number) => string | null): SpoolFs & { writes: string[] } {
  const paths = new Map<number, string>();
  const writes: string[] = [];
  return {
    ...nodeSpoolFs,
    writes,
    openSync(path, flags, mode) {
      const fd = nodeSpoolFs.openSync(path, flags, mode);
      paths.set(fd, path);
      return fd;
    },
    closeSync(fd) {
      paths.delete(fd);
      nodeSpoolFs.closeSync(fd);
    },
    writeSync(fd, data) {
      const file = basename(paths.get(fd) ?? '').replace(/\.tmp$/, '');
      writes.push(file);
      const code = fail(file, data.length);
      if (code) throw errno(code);
      return nodeSpoolFs.writeSync(fd, data);
    },
  };
}

/** A disk holding `capacity.bytes` in all: a write that would go past it fails with ENOSPC. */
function diskOf(dir: string, capacity: { bytes: number }): SpoolFs & { writes: string[] } {
  const used = () => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  return failingFs((_, bytes) => (used() + bytes > capacity.bytes ? 'ENOSPC' : null));
}

function open(dir: string, options: SpoolOptions = {}, maxBytes = 1024 ** 3): Spool {
  const s = new Spool(dir, maxBytes, () => 'a1', options);
  onTestFinished(() => s.close());
  return s;
}

const body = (n: number) => Buffer.alloc(n, 0x61);
const segs = (dir: string) =>
  readdirSync(dir)
    .filter((n) => n.endsWith('.seg'))
    .map((n) => Number(n.slice(0, -4)))
    .sort((a, b) => a - b);

describe('a full file system is a full spool', () => {
  it('drops the oldest batches until the new one fits, counts their events and keeps the count', () => {
    const dir = spoolDir();
    const capacity = { bytes: 1024 ** 3 };
    const log: string[] = [];
    const spool = open(dir, { fs: diskOf(dir, capacity), log: (m) => log.push(m) });
    spool.append(body(10_000), 7, { f: 1 });
    spool.append(body(10_000), 11, { f: 2 });
    spool.append(body(10_000), 13, { f: 3 });
    // The disk fills up: room for about three segments and the small files.
    capacity.bytes = 35_000;
    const meta = spool.append(body(10_000), 17, { f: 4 });
    expect(meta.seq).toBe(4);
    expect(segs(dir)).toEqual([2, 3, 4]);
    expect(spool.pending).toBe(3);
    expect(spool.droppedTotal).toBe(7);
    expect(spool.droppedForFullDisk).toBe(7);
    expect(log).toEqual([
      'spool: the file system is full; dropped the 1 oldest batches (7 events, counted and reported to the center) to make room',
    ]);
    // Two more batches: each pushes out one more of the oldest.
    spool.append(body(10_000), 19, { f: 5 });
    spool.append(body(10_000), 23, { f: 6 });
    expect(segs(dir)).toEqual([4, 5, 6]);
    expect(spool.droppedTotal).toBe(7 + 11 + 13);
    spool.close();
    const again = open(dir);
    expect(again.droppedTotal).toBe(31);
    expect(again.positions).toEqual({ f: 6 });
    expect(again.nextBatchId()).toBe('a1-7');
  });

  it('refuses the batch with E_IO when nothing is left to drop, and takes it once there is room', () => {
    const dir = spoolDir();
    const capacity = { bytes: 1024 ** 3 };
    const spool = open(dir, { fs: diskOf(dir, capacity) });
    spool.append(body(10_000), 5, { f: 1 });
    spool.append(body(10_000), 6, { f: 2 });
    capacity.bytes = 21_000;
    // Both segments are being sent: neither may be dropped.
    const inFlight = spool.take(2);
    expect(inFlight.map((s) => s.meta.seq)).toEqual([1, 2]);
    let error: unknown = null;
    try {
      spool.append(body(10_000), 9, { f: 3 });
    } catch (e) {
      error = e;
    }
    expect(isKobanError(error) && error.code).toBe('E_IO');
    expect((error as Error).message).toBe(
      `the file system holding the spool ${dir} is full and no spooled batch is left to drop (ENOSPC)`,
    );
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(segs(dir)).toEqual([1, 2]);
    expect(spool.droppedTotal).toBe(0);
    expect(spool.positions).toEqual({ f: 2 });
    expect(spool.nextBatchId()).toBe('a1-3');
    // The center acknowledges one: now the batch fits, under the same batch id.
    spool.done(1);
    expect(spool.append(body(10_000), 9, { f: 3 }).batchId).toBe('a1-3');
    expect(segs(dir)).toEqual([2, 3]);
    expect(spool.droppedTotal).toBe(0);
  });

  it('reports another write error (EIO) as E_IO and drops nothing for it', () => {
    const dir = spoolDir();
    let failing = false;
    const spool = open(dir, { fs: failingFs((file) => (failing && file.endsWith('.seg') ? 'EIO' : null)) });
    spool.append(body(100), 5, { f: 1 });
    failing = true;
    expect(() => spool.append(body(100), 6, { f: 2 })).toThrow(
      `spool: cannot write ${join(dir, '2.seg')}: EIO`,
    );
    expect(segs(dir)).toEqual([1]);
    expect(spool.droppedTotal).toBe(0);
    expect(spool.positions).toEqual({ f: 1 });
  });

  it('goes on when only the state file cannot be written: a restart recovers it from the newest segment', () => {
    const dir = spoolDir();
    let stateFull = false;
    const log: string[] = [];
    const fs = failingFs((file) => (stateFull && file === 'state.json' ? 'ENOSPC' : null));
    const spool = open(dir, { fs, log: (m) => log.push(m) });
    spool.append(body(100), 5, { f: 1 });
    stateFull = true;
    spool.take(1); // in flight: nothing may be dropped for the state file either
    expect(spool.append(body(100), 6, { f: 2 }).seq).toBe(2);
    expect(log).toEqual([
      `spool: the file system holding the spool ${dir} is full and no spooled batch is left to drop (ENOSPC); ` +
        'the state is saved with the next change',
    ]);
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).positions).toEqual({ f: 1 });
    spool.close();
    const again = open(dir);
    expect(again.positions).toEqual({ f: 2 });
    expect(again.nextBatchId()).toBe('a1-3');
    expect(again.pending).toBe(2);
  });
});

describe('the spool lock', () => {
  it('lets one spool open a directory: a second fails at start with a clear message', () => {
    const dir = spoolDir();
    const first = open(dir);
    let error: unknown = null;
    try {
      new Spool(dir, 1024, () => 'b2');
    } catch (e) {
      error = e;
    }
    expect(isKobanError(error) && error.code).toBe('E_LOCKED');
    expect((error as Error).message).toBe(
      `the spool ${dir} is in use by another agent (pid ${process.pid}): two agents on one spool would send ` +
        'and drop each other’s batches. Stop that agent or give this one its own --spool directory; ' +
        `if no agent is running, delete ${join(dir, 'lock')}`,
    );
    expect(readFileSync(join(dir, 'lock'), 'utf8')).toBe(`${process.pid}\n`);
    first.close();
    expect(existsSync(join(dir, 'lock'))).toBe(false);
    const third = open(dir);
    expect(third.nextBatchId()).toBe('a1-1');
  });

  it('refuses a lock whose pid is running and takes over one whose pid is not', () => {
    const dir = spoolDir();
    writeFileSync(join(dir, 'lock'), '424242\n');
    expect(() => new Spool(dir, 1024, () => 'a1', { processAlive: (pid) => pid === 424242 })).toThrow(
      `the spool ${dir} is in use by another agent (pid 424242)`,
    );
    const spool = open(dir, { processAlive: () => false });
    expect(readFileSync(join(dir, 'lock'), 'utf8')).toBe(`${process.pid}\n`);
    spool.close();
    expect(existsSync(join(dir, 'lock'))).toBe(false);
  });

  it('takes over a lock holding its own pid that it does not hold (an earlier process with the same pid)', () => {
    const dir = spoolDir();
    writeFileSync(join(dir, 'lock'), `${process.pid}\n`);
    open(dir);
    expect(readFileSync(join(dir, 'lock'), 'utf8')).toBe(`${process.pid}\n`);
    expect(() => new Spool(dir, 1024, () => 'a1')).toThrow('is in use by another agent');
  });

  it('takes an unreadable lock for one being written by another agent', () => {
    const dir = spoolDir();
    writeFileSync(join(dir, 'lock'), '');
    expect(() => new Spool(dir, 1024, () => 'a1', { processAlive: () => false })).toThrow(
      `the spool ${dir} is in use by another agent: two agents`,
    );
  });
});
