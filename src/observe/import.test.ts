import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../core/index.js';
import { Enricher } from './enrich.js';
import { importFiles } from './import.js';
import { openEventStore } from './open-event-store.js';
import type { EventStore } from './ports/event-store.js';

const config = ConfigSchema.parse({});
/** A kernel LOG line as rsyslog writes it (RFC 3339 stamp), written by the project for tests. */
const line = (i: number) =>
  `2026-03-20T14:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000000+00:00 fw1 kernel: ` +
  `[UFW BLOCK] IN=eth0 OUT= MAC= SRC=198.51.100.${(i % 250) + 1} DST=203.0.113.9 LEN=44 TOS=0x00 PREC=0x00 TTL=50 ID=${i} ` +
  `PROTO=TCP SPT=${40000 + i} DPT=445 WINDOW=1024 RES=0x00 SYN URGP=0\n`;
const lines = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => line(from + k)).join('');

describe('importing files exactly once', () => {
  let enricher: Enricher;
  let store: EventStore;
  let dir: string;
  beforeAll(async () => {
    enricher = await Enricher.open();
  });
  beforeEach(async () => {
    store = await openEventStore({ dataDir: ':memory:' });
    dir = mkdtempSync(join(tmpdir(), 'koban-import-'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const run = (files: string[], s: EventStore = store, extra = {}) =>
    importFiles(s, enricher, files, { format: 'auto', config, nowMs: Date.UTC(2026, 5, 1), ...extra });
  const total = async () => (await store.summary()).events;

  it('keeps every valid line and reports each malformed one with its line number', async () => {
    const f = join(dir, 'fw.log');
    writeFileSync(
      f,
      `${line(1)}garbage here\n${line(2)}${line(3).replace('SRC=198.51.100.4', 'SRC=999.1.1.1')}`,
    );
    const s = await run([f]);
    expect(s).toMatchObject({ read: 4, stored: 2, duplicates: 0, rejected: 2 });
    expect(s.rejections).toEqual([
      { file: f, line: 2, reason: 'unrecognised timestamp' },
      { file: f, line: 4, reason: 'invalid SRC address' },
    ]);
    expect(await total()).toBe(2);
  });

  it('stores nothing again when the same file is imported twice', async () => {
    const f = join(dir, 'fw.log');
    writeFileSync(f, lines(0, 50));
    expect((await run([f])).stored).toBe(50);
    const again = await run([f]);
    expect(again).toMatchObject({ stored: 0, duplicates: 50 });
    expect(again.files[0]!.status).toBe('already-imported');
    expect(await total()).toBe(50);
  });

  it('stores only the new lines of a log file that has grown, and of its rotated gzip copy', async () => {
    const f = join(dir, 'syslog');
    writeFileSync(f, lines(0, 5000));
    await run([f]);
    appendFileSync(f, lines(5000, 5100));
    const grown = await run([f]);
    expect(grown).toMatchObject({ stored: 100, duplicates: 5000 });
    expect(grown.files[0]!.status).toBe('grown');
    // logrotate compresses the file later, with yet more lines: only those are new.
    const gz = join(dir, 'syslog.1.gz');
    writeFileSync(gz, gzipSync(Buffer.concat([readFileSync(f), Buffer.from(lines(5100, 5110))])));
    expect(await run([gz])).toMatchObject({ stored: 10, duplicates: 5100 });
    expect(await total()).toBe(5110);
  });

  it('resumes an interrupted import after the last stored batch', async () => {
    const f = join(dir, 'big.log');
    writeFileSync(f, lines(0, 20000));
    // A store that fails on its second append, like a crash half-way through. Parse batches hold
    // 8,192 lines, so the first append stores exactly the first 8,192.
    let appends = 0;
    const failing: EventStore = Object.create(store, {
      append: {
        value: (e: never, l: never) =>
          ++appends === 2 ? Promise.reject(new Error('disk full')) : store.append(e, l),
      },
    });
    await expect(run([f], failing, { storeBatchEvents: 5000 })).rejects.toThrow('disk full');
    expect(await total()).toBe(8192);
    const resumed = await run([f], store, { storeBatchEvents: 5000 });
    expect(resumed).toMatchObject({ stored: 20000 - 8192, duplicates: 8192 });
    expect(resumed.files[0]!.status).toBe('resumed');
    expect(await total()).toBe(20000);
  });

  it('names the sensor after the syslog host, or --sensor when given', async () => {
    const f = join(dir, 'fw.log');
    writeFileSync(f, lines(0, 3));
    await run([f], store, { sensor: 'tokyo-01' });
    expect(await store.aggregate({ groupBy: ['sensor'] })).toEqual([{ sensor: 'tokyo-01', count: 3 }]);
  });
});
