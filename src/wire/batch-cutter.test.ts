import { describe, expect, it } from 'vitest';
import { BatchCutter, eventsBatchBody } from './batch-cutter.js';

describe('BatchCutter', () => {
  it('is due when full, or when its first event has waited maxAgeMs on its clock', () => {
    let now = 1000;
    const b = new BatchCutter({ maxEvents: 3, maxAgeMs: 500, now: () => now });
    expect(b.dueInMs()).toBe(Number.POSITIVE_INFINITY);
    expect(b.add('[1]')).toBe(false);
    now = 1400;
    expect(b.add('[2]')).toBe(false);
    expect(b.dueInMs()).toBe(100);
    now = 1500;
    expect(b.isDue()).toBe(true);
    expect(b.take()).toEqual(['[1]', '[2]']);
    expect(b.events).toBe(0);
    // The age runs from the first event of the new batch.
    expect(b.add('[3]')).toBe(false);
    expect(b.dueInMs()).toBe(500);
    b.add('[4]');
    expect(b.add('[5]')).toBe(true);
    expect(b.dueInMs()).toBe(0);
  });

  it('writes the header line, then one line per event', () => {
    expect(eventsBatchBody('a-1', ['[1]', '[2]'])).toBe(
      '{"v":1,"batch_id":"a-1","format":"events"}\n[1]\n[2]\n',
    );
  });
});
