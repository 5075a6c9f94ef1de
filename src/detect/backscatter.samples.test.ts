// A real capture (shared samples, pcap/synscan.pcapng: an nmap SYN scan of 64.13.134.52 from
// 172.16.0.8, read in place): the scanned host answers the scanner's one address with SYN-ACKs
// and RSTs from many ports. One address hit — however many ports and rows — is not a DDoS victim's
// backscatter, and a capture of one conversation teaches no monitored block.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_SAMPLES, sample } from '../../test/samples.js';
import { ConfigSchema, parseIPv4 } from '../core/index.js';
import { openRelational, type RelationalDb } from '../db/index.js';
import {
  AddressUnion,
  Enricher,
  type EventStore,
  importFiles,
  MonitoredSpace,
  openEventStore,
} from '../observe/index.js';
import type { Finding } from './finding.js';
import { DetectorSet, runHistory } from './runner.js';

describe.skipIf(!HAVE_SAMPLES)('backscatter on a real SYN scan capture (pcap/synscan.pcapng)', () => {
  let store: EventStore;
  let db: RelationalDb;
  let range: { fromMs: number; toMs: number };
  beforeAll(async () => {
    store = await openEventStore({ dataDir: ':memory:' });
    db = await openRelational(':memory:');
    const config = ConfigSchema.parse({});
    await importFiles(store, await Enricher.open(), [sample('pcap/synscan.pcapng')], {
      format: 'auto',
      sensor: 'scanner-host',
      config,
      nowMs: Date.UTC(2026, 0, 1),
    });
    const raw = (await store.rawTimeRange())!;
    range = { fromMs: raw.firstMs, toMs: raw.lastMs + 1 };
  });
  afterAll(async () => {
    await store.close();
    await db.destroy();
  });

  it('reads the scanned host’s replies as rows that hit one address in all', async () => {
    const rows = (await store.detectionRows('backscatter', range)).filter((r) => r.victim === '64.13.134.52');
    expect(rows.reduce((a, r) => a + r.packets, 0)).toBe(17);
    // Several rows (ports × reply types): their per-row counts add up to more than one address…
    expect(rows.length).toBeGreaterThanOrEqual(4);
    // …but their addresses merge into one: the scanner's.
    const union = new AddressUnion();
    for (const r of rows) union.add(r.hits);
    expect(union.sketch()).toEqual({ keys: [parseIPv4('172.16.0.8')] });
  });

  it('learns no monitored block from one host’s conversation, and raises no DDoS', async () => {
    const space = new MonitoredSpace(db);
    expect(await space.learnFrom(store, range)).toEqual({ added: 0, updated: 0, ignored: 2 });
    // Even with the scanner's /24 given as monitored, one address hit is no attack.
    await space.give({ 'scanner-host': ['172.16.0.0/24'] });
    const set = new DetectorSet({ addresses: new Map([['scanner-host', 256]]), only: ['backscatter'] });
    const found: Finding[] = [];
    await runHistory(store, range, set, (f) => found.push(f));
    expect(found).toEqual([]);
  });
});
