import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixture } from '../../test/samples.js';
import { ConfigSchema } from '../core/index.js';
import { Enricher } from './enrich.js';
import { type ImportOptions, importFiles } from './import.js';
import { openEventStore } from './open-event-store.js';
import type { EventStore } from './ports/event-store.js';

// What `koban import` options and notes do for particular formats: `--date` for pf lines that
// carry only a time of day; the note on pcapng Simple Packet Blocks, which carry no time.

const config = ConfigSchema.parse({});

describe('importing formats that need a word from the user', () => {
  let enricher: Enricher;
  let store: EventStore;
  beforeAll(async () => {
    enricher = await Enricher.open();
  });
  beforeEach(async () => {
    store = await openEventStore({ dataDir: ':memory:' });
  });
  afterEach(async () => {
    await store.close();
  });
  const run = (files: string[], extra: Partial<ImportOptions> = {}) =>
    importFiles(store, enricher, files, { format: 'auto', config, nowMs: Date.UTC(2024, 5, 1), ...extra });

  it('rejects pf lines with only a time of day, then reads the same file once --date is given', async () => {
    const f = fixture('pf/tcpdump-org-default.txt');
    const without = await run([f]);
    expect(without.files[0]).toMatchObject({ format: 'pf', read: 49, stored: 0, rejected: 49 });
    expect(without.files[0]!.rejectedByReason).toEqual({
      'time of day without a date: pass --date YYYY-MM-DD': 49,
    });
    // The date is part of the import's identity: the file is read again, not "already imported".
    const dated = await run([f], { date: '2024-01-02' });
    expect(dated.files[0]).toMatchObject({ status: 'new', read: 49, stored: 49, rejected: 0 });
    const s = await store.summary();
    // The times of day are the operator's (JP's default offset, +09:00).
    const nine = 9 * 3_600_000;
    expect([s.events, s.firstMs, s.lastMs]).toEqual([
      49,
      Date.UTC(2024, 0, 2, 3, 4, 5, 123) - nine,
      Date.UTC(2024, 0, 2, 3, 4, 12) - nine,
    ]);
  });

  it('refuses a --date that is not a calendar date', async () => {
    await expect(run([fixture('pf/tcpdump-org-default.txt')], { date: '2024-02-30' })).rejects.toThrow(
      '--date 2024-02-30: not a calendar date YYYY-MM-DD',
    );
  });

  it('notes the packets whose time was taken from the packet before (pcapng simple packet blocks)', async () => {
    const s = await run([fixture('pcap/nflog-be.pcapng')]);
    expect(s.files[0]).toMatchObject({ format: 'pcap', read: 2, stored: 2, rejected: 0 });
    expect(s.files[0]!.notes).toEqual({
      'simple packet block without timestamp: time of the previous packet used': 1,
    });
  });
});
