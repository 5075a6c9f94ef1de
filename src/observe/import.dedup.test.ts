import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HAVE_SAMPLES, sample } from '../../test/samples.js';
import { ConfigSchema } from '../core/index.js';
import { Enricher } from './enrich.js';
import { importFiles } from './import.js';
import { openEventStore } from './open-event-store.js';
import type { EventStore } from './ports/event-store.js';

// The same packet logged in two files (rsyslog writes ufw's kernel lines to ufw.log and syslog):
// counted once, per sensor, across files and separate imports.

const config = ConfigSchema.parse({});
/** A kernel LOG line as rsyslog writes it, written by the project for tests. */
const line = (i: number, id = i, host = 'fw1') =>
  `2026-03-20T14:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(6, '0')}+00:00 ${host} kernel: ` +
  `[UFW BLOCK] IN=eth0 OUT= MAC= SRC=198.51.100.${(i % 250) + 1} DST=203.0.113.9 LEN=44 TOS=0x00 PREC=0x00 ` +
  `TTL=50 ID=${id} PROTO=TCP SPT=${40000 + i} DPT=445 WINDOW=1024 RES=0x00 SYN URGP=0\n`;
/** Other things a syslog file holds: never firewall events. */
const other = (i: number) =>
  `2026-03-20T14:00:${String(i % 60).padStart(2, '0')}.5+00:00 fw1 systemd[1]: Started job ${i}.\n`;

describe('importing the same records from two files', () => {
  let enricher: Enricher;
  let store: EventStore;
  let dir: string;
  beforeAll(async () => {
    enricher = await Enricher.open();
  });
  beforeEach(async () => {
    store = await openEventStore({ dataDir: ':memory:' });
    dir = mkdtempSync(join(tmpdir(), 'koban-dedup-'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const run = (files: string[], s = store) =>
    importFiles(s, enricher, files, { format: 'auto', config, nowMs: Date.UTC(2026, 5, 1) });
  const total = async (s = store) => (await s.summary()).events;
  const write = (name: string, text: string) => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };

  it.skipIf(!HAVE_SAMPLES)(
    'counts the real ufw.log once when syslog holds its lines too, and says how many were duplicates',
    async () => {
      const ufw = sample('firewall/ufw-rfc3339.log');
      // syslog: the same kernel lines among other daemons' messages.
      const lines = readFileSync(ufw, 'utf8')
        .split('\n')
        .filter((l) => l !== '');
      const syslog = write('syslog', lines.map((l, i) => `${other(i)}${l}\n`).join(''));
      const first = await run([ufw]);
      expect(first).toMatchObject({ read: 5, stored: 3, duplicates: 0, skipped: 2 });
      const second = await run([syslog]);
      expect(second).toMatchObject({ read: 10, stored: 0, duplicates: 3, rejected: 0, skipped: 7 });
      expect(second.files[0]).toMatchObject({ status: 'new', stored: 0, duplicates: 3 });
      expect(await total()).toBe(3);
      expect(await store.aggregate({ groupBy: ['sensor', 'port'] })).toEqual([
        { sensor: 'lab-defender', port: 23, count: 1 },
        { sensor: 'lab-defender', port: 135, count: 1 },
        { sensor: 'lab-defender', port: 995, count: 1 },
      ]);
    },
  );

  it('recognises them in either order and in one run of several files', async () => {
    const ufw = write('ufw.log', [0, 1, 2, 3].map((i) => line(i)).join(''));
    const syslog = write('syslog', [0, 1, 2, 3, 4, 5].map((i) => `${other(i)}${line(i)}`).join(''));
    const s = await run([syslog, ufw]);
    expect(s.files.map((f) => [f.stored, f.duplicates])).toEqual([
      [6, 0],
      [0, 4],
    ]);
    expect(s).toMatchObject({ stored: 6, duplicates: 4 });
    expect(await total()).toBe(6);
  });

  it('keeps two packets that differ only in their IP ID', async () => {
    const a = write('a.log', `${line(1, 100)}${line(2, 200)}`);
    const b = write('b.log', `${line(1, 101)}${line(2, 200)}`);
    await run([a]);
    expect(await run([b])).toMatchObject({ stored: 1, duplicates: 1 });
    expect(await total()).toBe(3);
  });

  it('compares records of the same sensor only', async () => {
    const a = write('a.log', `${line(1)}${line(2)}`);
    const b = write('b.log', `${line(1, 1, 'fw2')}${line(2, 2, 'fw2')}`);
    await run([a]);
    expect(await run([b])).toMatchObject({ stored: 2, duplicates: 0 });
  });

  it('counts every record of one file, even two equal ones', async () => {
    const f = write('twice.log', `${line(1)}${line(1)}${line(2)}`);
    expect(await run([f])).toMatchObject({ stored: 3, duplicates: 0 });
  });

  it('recognises records stored by an earlier process, from the data directory', async () => {
    const data = join(dir, 'data');
    const a = write('ufw.log', `${line(1)}${line(2)}`);
    const b = write('syslog', `${other(0)}${line(1)}${line(2)}${line(3)}`);
    const s1 = await openEventStore({ dataDir: data });
    await run([a], s1);
    await s1.close();
    const s2 = await openEventStore({ dataDir: data });
    try {
      expect(await run([b], s2)).toMatchObject({ stored: 1, duplicates: 2 });
      expect(await total(s2)).toBe(3);
    } finally {
      await s2.close();
    }
  });

  it('reports a file whose records were all duplicates as such when it is imported again', async () => {
    const a = write('ufw.log', `${line(1)}${line(2)}`);
    const b = write('syslog', `${other(0)}${line(1)}${line(2)}`);
    await run([a, b]);
    const again = await run([b]);
    expect(again.files[0]).toMatchObject({ status: 'already-imported', stored: 0, duplicates: 2 });
    expect(await total()).toBe(2);
  });
});
