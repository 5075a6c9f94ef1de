// The compact index (lookup.ts): built at once or a page at a time, it answers the same, keeps an
// address's intervals in load order, and tells IPv4 numbers, IPv6 text and blocks apart.
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { AnonymizerIndex, type IndexShare } from './lookup.js';
import type { IntervalRow } from './store.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 11, 1);
const row = (
  address: string,
  fromH: number,
  toH: number | null,
  extra: Partial<IntervalRow> = {},
): IntervalRow => ({
  list: 'exits',
  kind: 'tor-exit',
  address,
  fingerprint: '',
  policy: null,
  reason: null,
  fromMs: T0 + fromH * H,
  toMs: toH === null ? null : T0 + toH * H,
  firstPublishedMs: T0 + fromH * H,
  lastPublishedMs: T0 + (toH ?? fromH) * H,
  firstSource: 'a.txt',
  lastSource: 'b.txt',
  ...extra,
});

const ROWS: IntervalRow[] = [
  row('203.0.113.9', 0, 5),
  row('1.2.3.4', 2, null, { fingerprint: 'F'.repeat(40), policy: '{"accept":["443"]}' }),
  row('2001:db8::7', 0, null),
  row('203.0.113.9', 10, null, { list: 'proxies', kind: 'open-proxy', reason: 'proxy at $' }),
  row('198.51.100.0/24', 1, null, { list: 'rbl', kind: 'other' }),
  row('1.2.3.4', 0, 1),
  row('255.255.255.255', 0, null),
  row('0.0.0.0', 0, null),
];
const COVERAGE = [{ oldestMs: T0, newestMs: T0 + 12 * H }];

async function* pages(rows: IntervalRow[], size: number) {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

describe('the anonymizer index', () => {
  it('answers the same built at once or from pages, with an address’s intervals in load order', async () => {
    const whole = new AnonymizerIndex(ROWS, COVERAGE);
    const paged = await AnonymizerIndex.fromPages(pages(ROWS, 3), COVERAGE);
    expect(paged.oldestMs).toBe(whole.oldestMs);
    expect(paged.listedNow()).toEqual(whole.listedNow());
    for (const ip of [
      '203.0.113.9',
      '1.2.3.4',
      '2001:db8::7',
      '198.51.100.77',
      '255.255.255.255',
      '0.0.0.0',
      '9.9.9.9',
    ])
      for (const h of [0, 0.5, 3, 6, 11])
        for (const port of [null, 443, 80]) {
          expect(paged.check(ip, T0 + h * H, port)).toEqual(whole.check(ip, T0 + h * H, port));
          expect(paged.listing(ip, T0 + h * H, port)).toEqual(whole.listing(ip, T0 + h * H, port));
        }
    const both = whole.check('203.0.113.9', T0 + 3 * H);
    expect(both.evidence.map((e) => e.entry)).toEqual(['203.0.113.9']);
    const at0 = whole.check('1.2.3.4', T0 + 0.5 * H);
    expect(at0.evidence.map((e) => e.from)).toEqual([new Date(T0).toISOString()]);
  });

  it('says why an address is listed, and refuses a port the only exit’s policy refuses', () => {
    const index = new AnonymizerIndex(ROWS, COVERAGE);
    expect(index.listing('203.0.113.9', T0 + 11 * H)).toEqual({
      listed: true,
      reason: `proxy at 203.0.113.9 since ${new Date(T0 + 10 * H).toISOString()}`,
    });
    expect(index.listing('1.2.3.4', T0 + 3 * H, 80)).toEqual({
      listed: false,
      reason: `tor-exit on exits relay ${'F'.repeat(40)} since ${new Date(T0 + 2 * H).toISOString()}`,
    });
    expect(index.listing('1.2.3.4', T0 + 3 * H, 443).listed).toBe(true);
    expect(index.check('198.51.100.77', T0 + 2 * H).evidence[0]!.entry).toBe('198.51.100.0/24');
    expect(index.listing('9.9.9.9', T0 + 2 * H)).toEqual({ listed: false, reason: null });
    expect(index.listedNow()).toEqual([
      '0.0.0.0',
      '1.2.3.4',
      '198.51.100.0/24',
      '2001:db8::7',
      '203.0.113.9',
      '255.255.255.255',
    ]);
    expect(index.listedNow('proxies')).toEqual(['203.0.113.9']);
  });

  it('is shared with another thread without a copy of its rows, and answers the same there', async () => {
    const index = new AnonymizerIndex(ROWS, COVERAGE);
    const { port1, port2 } = new MessageChannel();
    const received = new Promise<IndexShare>((resolve) => port2.once('message', resolve));
    port1.postMessage(index.share());
    const share = await received;
    port1.close();
    // The same memory: a write through the received column is seen through the sender's.
    const toMs = index.share().columns.toMs;
    const before = toMs[0]!;
    share.columns.toMs[0] = 42;
    expect(toMs[0]).toBe(42);
    share.columns.toMs[0] = before;
    expect(share.v4Keys.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(share.columns.fromMs.buffer).toBeInstanceOf(SharedArrayBuffer);
    const there = AnonymizerIndex.fromShare(share);
    for (const ip of ['203.0.113.9', '1.2.3.4', '2001:db8::7', '198.51.100.77', '9.9.9.9'])
      for (const h of [0.5, 3, 11])
        for (const port of [null, 443, 80]) {
          expect(there.listing(ip, T0 + h * H, port)).toEqual(index.listing(ip, T0 + h * H, port));
          expect(there.check(ip, T0 + h * H, port)).toEqual(index.check(ip, T0 + h * H, port));
        }
    expect(there.listingAt(' 1.2.3.4 ', T0 + 3 * H, 24, 443).listed).toBe(true);
    expect(() => there.listingAt('1.2.3.4', T0 + 40 * H, 24, null)).toThrow(/more than 24 h/);
  });
});
