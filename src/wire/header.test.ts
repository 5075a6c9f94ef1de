import { describe, expect, it } from 'vitest';
import { batchHeaderLine, MAX_DROPPED_TOTAL, parseBatchHeader, WIRE_VERSION } from './header.js';

const TEXT = ['iptables', 'pf'];
const parse = (h: unknown) => parseBatchHeader(h, TEXT);
const ok = { v: 1, batch_id: 'agent1-17', format: 'events' };

describe('the batch header', () => {
  it('is read by the schema of its version, keeping the fields the format defines', () => {
    expect(parse({ ...ok, dropped_total: 3, sent_ms: 1_700_000_000_000, extra: 'ignored' })).toEqual({
      ...ok,
      dropped_total: 3,
      sent_ms: 1_700_000_000_000,
    });
    expect(parse({ v: 1, batch_id: 'a:b.c_d-1', format: 'pf', dropped_total: MAX_DROPPED_TOTAL })).toEqual({
      v: 1,
      batch_id: 'a:b.c_d-1',
      format: 'pf',
      dropped_total: MAX_DROPPED_TOTAL,
    });
  });

  it('refuses what is not an object, or a version this side does not know', () => {
    for (const h of [null, [ok], 'header', 1]) expect(parse(h)).toBe('batch header must be an object');
    expect(parse({ ...ok, v: 2 })).toBe('unsupported batch version 2 (expected 1)');
    expect(parse({ ...ok, v: '1' })).toBe('unsupported batch version 1 (expected 1)');
    expect(parse({ batch_id: 'a', format: 'events' })).toBe(
      'unsupported batch version undefined (expected 1)',
    );
  });

  it('names the first field that is wrong, in the order of the format', () => {
    const batchId = 'batch_id must be 1–128 characters of A-Z a-z 0-9 . _ : -';
    const format = 'format must be "events" or one of iptables, pf';
    const dropped = 'dropped_total must be an integer from 0 to 9007199254740991';
    expect(parse({ ...ok, batch_id: 'a b' })).toBe(batchId);
    expect(parse({ ...ok, batch_id: 'x'.repeat(129) })).toBe(batchId);
    expect(parse({ ...ok, batch_id: 7 })).toBe(batchId);
    expect(parse({ ...ok, batch_id: '', format: 'nope' })).toBe(batchId);
    expect(parse({ ...ok, format: 'pcap' })).toBe(format);
    expect(parse({ v: 1, batch_id: 'a' })).toBe(format);
    expect(parse({ ...ok, format: 'nope', dropped_total: -1 })).toBe(format);
    for (const n of [-1, 1.5, 1e300, '3']) expect(parse({ ...ok, dropped_total: n })).toBe(dropped);
    expect(parse({ ...ok, sent_ms: 'now' })).toBe('sent_ms must be a number (ms since 1970)');
  });

  it('is written as the first line of a batch', () => {
    expect(batchHeaderLine('a-1', 'iptables')).toBe('{"v":1,"batch_id":"a-1","format":"iptables"}');
    expect(parse(JSON.parse(batchHeaderLine('a-1', 'events')))).toEqual({
      v: WIRE_VERSION,
      batch_id: 'a-1',
      format: 'events',
    });
  });
});
