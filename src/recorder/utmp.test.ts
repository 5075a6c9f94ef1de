import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Recorder } from './recorder.js';
import { listSegments } from './segments.js';
import { parseUtmp, UTMP_RECORD } from './utmp.js';

/** One glibc `struct utmp` (utmp(5)): type, pid, line, id, user, host, exit, session, tv. */
function entry(type: number, pid: number, line: string, user: string, host: string, sec: number): Buffer {
  const b = Buffer.alloc(UTMP_RECORD);
  const le = endianness() === 'LE';
  le ? b.writeInt16LE(type, 0) : b.writeInt16BE(type, 0);
  le ? b.writeInt32LE(pid, 4) : b.writeInt32BE(pid, 4);
  b.write(line, 8, 32);
  b.write(user, 44, 32);
  b.write(host, 76, 256);
  le ? b.writeInt32LE(sec, 340) : b.writeInt32BE(sec, 340);
  le ? b.writeInt32LE(250_000, 344) : b.writeInt32BE(250_000, 344);
  return b;
}

const SEC = Date.parse('2026-12-07T08:30:00Z') / 1000;
const boot = entry(2, 0, '~', 'reboot', '6.1.0', SEC - 3600);
const alice = entry(7, 4321, 'pts/0', 'alice', '203.0.113.9', SEC);
const bob = entry(7, 4400, 'tty1', 'bob', '', SEC + 60);

let work = '';
afterEach(() => work && rmSync(work, { recursive: true, force: true }));

describe('utmp', () => {
  it('reads user sessions and skips other entries and a partial record', () => {
    expect(parseUtmp(Buffer.concat([boot, alice, bob.subarray(0, 100)]))).toEqual([
      {
        line: 'pts/0',
        user: 'alice',
        host: '203.0.113.9',
        sessionPid: 4321,
        since: '2026-12-07T08:30:00.250Z',
      },
    ]);
  });

  it('records a login when a session appears and a logout when it goes', async () => {
    work = mkdtempSync(join(tmpdir(), 'koban-utmp-'));
    const proc = join(work, 'proc');
    const utmp = join(work, 'utmp');
    mkdirSync(proc);
    writeFileSync(utmp, Buffer.concat([boot, alice]));
    const r = Recorder.open({
      out: join(work, 'out'),
      procRoot: proc,
      utmpFile: utmp,
      now: () => SEC * 1000,
    });
    expect(await r.poll()).toBe(1);
    writeFileSync(utmp, Buffer.concat([boot, bob]));
    expect(await r.poll()).toBe(2);
    r.stop('test');
    const recs = readFileSync(join(work, 'out', listSegments(join(work, 'out'))[0]!.name), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(
      recs
        .filter((x) => x.kind === 'login' || x.kind === 'logout')
        .map((x) => [x.kind, x.user, x.line, x.sessionPid]),
    ).toEqual([
      ['login', 'alice', 'pts/0', 4321],
      ['login', 'bob', 'tty1', 4400],
      ['logout', 'alice', 'pts/0', 4321],
    ]);
  });
});
