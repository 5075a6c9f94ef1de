/**
 * The timeline on a synthetic chain: a recorder with an injected clock polls a fake /proc in which
 * the user's browser and a remote-control program run; at 12:03 the remote-control program, not
 * the browser, opens the connection to the C2 address that received the post.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProcess, type FakeSocket, writeFakeProc } from '../../test/fake-proc.js';
import { indicatorMarker, parseAddressList } from './indicators.js';
import { readChain } from './read.js';
import { Recorder } from './recorder.js';
import { buildTimeline, type Mark, markTimeline, type TimelineEntry } from './timeline.js';

const NOON = Date.parse('2026-12-07T12:00:00.000Z');
const AT_1203 = '2026-12-07T12:03:00.000Z';
const C2 = '198.51.100.66';

const browser: FakeProcess = {
  pid: 500,
  ppid: 1,
  uid: 1000,
  exe: '/usr/lib/firefox/firefox',
  cmdline: ['/usr/lib/firefox/firefox'],
  startTicks: 1000,
  inodes: [9001],
};
const rat: FakeProcess = {
  pid: 600,
  ppid: 1,
  uid: 1000,
  exe: '/home/alice/.cache/svchost',
  cmdline: ['/home/alice/.cache/svchost', '-q'],
  startTicks: 2000,
  inodes: [9101, 9102],
};
const sshd: FakeProcess = {
  pid: 1,
  ppid: 0,
  uid: 0,
  exe: '/usr/sbin/sshd',
  cmdline: ['sshd'],
  startTicks: 1,
  inodes: [9201, 9202],
};
const browsing: FakeSocket = { local: '192.0.2.10:50000', remote: '203.0.113.80:443', st: '01', inode: 9001 };
const listen: FakeSocket = { local: '0.0.0.0:22', remote: '0.0.0.0:0', st: '0A', inode: 9201 };
const sshIn: FakeSocket = { local: '192.0.2.10:22', remote: '203.0.113.9:61000', st: '01', inode: 9202 };
const ratPoll: FakeSocket = {
  local: '192.0.2.10:50100',
  remote: '203.0.113.200:8080',
  st: '01',
  inode: 9101,
};
const post: FakeSocket = { local: '192.0.2.10:50200', remote: `${C2}:443`, st: '01', inode: 9102 };

let work: string;
let entries: TimelineEntry[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'koban-timeline-'));
  const proc = join(work, 'proc');
  const out = join(work, 'out');
  let t = NOON;
  writeFakeProc(proc, [sshd, browser, rat], [listen, sshIn, browsing, ratPoll]);
  const rec = Recorder.open({
    out,
    procRoot: proc,
    passwdFile: join(proc, 'passwd'),
    utmpFile: join(proc, 'utmp'),
    now: () => t,
    host: 'pc1',
  });
  await rec.poll();
  t = Date.parse(AT_1203);
  writeFakeProc(proc, [sshd, browser, rat], [listen, sshIn, browsing, ratPoll, post]);
  await rec.poll();
  rec.stop('test');
  const chain = readChain(out);
  expect(chain.rejected).toEqual([]);
  entries = buildTimeline(chain.records);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const row = (e: TimelineEntry) => [
  e.time,
  e.direction,
  `${e.remoteAddr}:${e.remotePort}`,
  e.process?.pid ?? null,
  e.process?.exe ?? null,
];

describe('koban recorder timeline', () => {
  it('lists each connection with the process that held it, in chain order, without listening sockets', () => {
    expect(entries.map(row)).toEqual([
      ['2026-12-07T12:00:00.000Z', 'in', '203.0.113.9:61000', 1, '../bin/sshd'],
      ['2026-12-07T12:00:00.000Z', 'out', '203.0.113.80:443', 500, '../bin/firefox'],
      ['2026-12-07T12:00:00.000Z', 'out', '203.0.113.200:8080', 600, '../bin/svchost'],
      [AT_1203, 'out', `${C2}:443`, 600, '../bin/svchost'],
    ]);
    expect(entries[3]!.process).toEqual({
      pid: 600,
      ppid: 1,
      exe: '../bin/svchost',
      exeSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      cmdline: ['/home/alice/.cache/svchost', '-q'],
      uid: 1000,
      user: 'alice',
      seenSince: '2026-12-07T12:00:00.000Z',
    });
  });

  it('shows that the post at 12:03 came from the remote-control program, not the browser', () => {
    const at1203 = buildTimeline(readChain(join(work, 'out')).records, {
      fromMs: Date.parse('2026-12-07T12:02:00Z'),
      toMs: Date.parse('2026-12-07T12:04:00Z'),
      remote: C2,
    });
    expect(at1203.map(row)).toEqual([[AT_1203, 'out', `${C2}:443`, 600, '../bin/svchost']]);
    const firefox = buildTimeline(readChain(join(work, 'out')).records, {
      process: 'FIREFOX',
      remote: '198.51.100.0/24',
    });
    expect(firefox).toEqual([]);
    const byName = buildTimeline(readChain(join(work, 'out')).records, { process: 'svchost' });
    expect(byName.map((e) => e.remoteAddr)).toEqual(['203.0.113.200', C2]);
  });

  it('marks the C2 destination from a list, counting the malformed lines and keeping the rest', async () => {
    const list = parseAddressList(
      `# C2 of the campaign\n${C2}\nnot-an-address\n203.0.113.192/27\n`,
      'c2.txt',
    );
    expect(list.rejected).toEqual([
      { line: 3, reason: '"not-an-address" is not an address or a CIDR block' },
    ]);
    const copy = entries.map((e) => ({ ...e, marks: [] as Mark[] }));
    await markTimeline(copy, [indicatorMarker('indicators', list.indicators)]);
    expect(copy.map((e) => e.marks.map((m) => `${m.kind} ${m.detail}`))).toEqual([
      [],
      [],
      ['c2 203.0.113.192/27: c2.txt line 4'],
      [`c2 ${C2}: c2.txt line 2`],
    ]);
  });

  it('says a directory that does not exist is not found, instead of failing inside', () => {
    expect(() => readChain(join(work, 'nope'))).toThrow(
      expect.objectContaining({
        code: 'E_NOT_FOUND',
        message: `${join(work, 'nope')}: no such recorder directory`,
      }),
    );
  });

  it('refuses a remote filter that is no address', () => {
    expect(() => buildTimeline([], { remote: 'example.com' })).toThrow(
      '"example.com" is not an address or a CIDR block',
    );
  });
});
