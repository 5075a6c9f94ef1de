import { describe, expect, it } from 'vitest';
import { type ObservationEvent, reject, skip } from '../core/index.js';
import { parseLines } from './_lines.js';
import type { ParseBatch } from './types.js';

const fakeEvent = (line: string) => ({ sensor: line }) as unknown as ObservationEvent;
const parser = (line: string) =>
  line.startsWith('bad') ? reject('bad line') : line.startsWith('#') ? skip('comment') : fakeEvent(line);

async function* chunks(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect(gen: AsyncGenerator<ParseBatch>) {
  const events: string[] = [];
  const rejections: { record: number; reason: string }[] = [];
  const skipped = new Map<string, number>();
  let records = 0;
  for await (const b of gen) {
    events.push(...b.events.map((e) => e.sensor));
    rejections.push(...b.rejections);
    for (const [k, n] of b.skipped) skipped.set(k, (skipped.get(k) ?? 0) + n);
    records += b.records;
  }
  return { events, rejections, skipped, records };
}

describe('the line driver', () => {
  it('splits LF and CRLF lines across any chunking and numbers them from 1', async () => {
    const text = 'a\r\nbad\n\n# c\nd\n日本語\nlast-without-newline';
    for (const size of [1, 2, 3, 7, 1000]) {
      const r = await collect(parseLines(chunks(text, size), parser, 100));
      expect(r.events).toEqual(['a', 'd', '日本語', 'last-without-newline']);
      expect(r.rejections).toEqual([{ record: 2, reason: 'bad line' }]);
      expect(r.skipped.get('comment')).toBe(1);
      expect(r.records).toBe(6);
    }
  });

  it('rejects an over-long line without buffering it and keeps the lines around it', async () => {
    const long = 'x'.repeat(1_000_000);
    const r = await collect(parseLines(chunks(`a\n${long}\nb\n${long}`, 4096), parser, 64));
    expect(r.events).toEqual(['a', 'b']);
    expect(r.rejections).toEqual([
      { record: 2, reason: 'line longer than 64 characters' },
      { record: 4, reason: 'line longer than 64 characters' },
    ]);
  });

  it('passes over the first records when resuming, counting them', async () => {
    const r = await collect(parseLines(chunks('a\nbad\nc\nd\n', 3), parser, 100, 2));
    expect(r.events).toEqual(['c', 'd']);
    expect(r.rejections).toEqual([]);
    expect(r.records).toBe(4);
  });
});
