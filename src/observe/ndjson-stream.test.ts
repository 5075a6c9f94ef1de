import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { KobanError } from '../core/index.js';
import { bufferChunks, inflateChunks, type NdjsonLine, ndjsonLines, OVERLONG } from './ndjson-stream.js';

const LIMITS = {
  maxInflatedBytes: 64 * 1024 * 1024,
  maxInflateRatio: 100,
  inflateRatioFloorBytes: 1024 * 1024,
};

async function collect(chunks: AsyncIterable<Buffer>, maxLine: number): Promise<NdjsonLine[]> {
  const out: NdjsonLine[] = [];
  for await (const lines of ndjsonLines(chunks, maxLine)) out.push(...lines);
  return out;
}

describe('inflateChunks', () => {
  it('stops a whitespace bomb once it inflates past the ratio, having inflated a bounded amount', async () => {
    // 32 MiB of blanks compress to about 32 KB: a ratio near 1,000.
    const bomb = gzipSync(Buffer.alloc(32 * 1024 * 1024, ' '));
    let inflated = 0;
    const read = async () => {
      for await (const c of inflateChunks(bomb, LIMITS)) inflated += c.length;
    };
    await expect(read()).rejects.toThrow(/inflates more than 100 times its size/);
    // Refused at the first chunk past max(floor, ratio × compressed size): never the whole body.
    const bound = Math.max(LIMITS.inflateRatioFloorBytes, 100 * bomb.length);
    expect(inflated).toBeLessThanOrEqual(bound);
    expect(inflated).toBeGreaterThan(bound - 64 * 1024);
  });

  it('refuses a body past the absolute inflated size even at a plausible ratio', async () => {
    const text = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `${i * 7919}`).join('\n'));
    const gz = gzipSync(text);
    const limits = { ...LIMITS, maxInflatedBytes: 100_000, inflateRatioFloorBytes: 0 };
    const read = async () => {
      for await (const _ of inflateChunks(gz, limits)) {
        // drain
      }
    };
    await expect(read()).rejects.toThrow(/inflates past 100000 bytes/);
  });

  it('answers a body that is not gzip with E_FORMAT', async () => {
    const bad = Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from('broken')]);
    const read = async () => {
      for await (const _ of inflateChunks(bad, LIMITS)) {
        // drain
      }
    };
    const err = await read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KobanError);
    expect((err as KobanError).code).toBe('E_FORMAT');
  });
});

describe('ndjsonLines', () => {
  it('splits lines across chunk boundaries (a multi-byte character cut in two), dropping blank ones', async () => {
    const body = Buffer.from('{"a":"東京"}\n[1,2]\n \t\r\n\n  "x"');
    const cut = body.indexOf(Buffer.from('京')) + 1;
    async function* two() {
      yield body.subarray(0, cut);
      yield body.subarray(cut);
    }
    expect(await collect(two(), 100)).toEqual(['{"a":"東京"}', '[1,2]', '"x"']);
  });

  it('drops a line longer than the cap unread and marks it, keeping the lines around it', async () => {
    const long = 'x'.repeat(300_000);
    const body = Buffer.from(`"a"\n${long}\n"b"\n${long}`);
    expect(await collect(bufferChunks(body), 1000)).toEqual(['"a"', OVERLONG, '"b"', OVERLONG]);
  });

  it('hashes every byte after the header line, whatever the header says', async () => {
    const records = '[1]\n[2]\n';
    const hashOf = async (header: string) => {
      const h = createHash('sha256');
      for await (const _ of ndjsonLines(bufferChunks(Buffer.from(`${header}\n${records}`)), 100, h)) {
        // drain
      }
      return h.digest('hex');
    };
    const expected = createHash('sha256').update(records).digest('hex');
    expect(await hashOf('{"v":1,"batch_id":"a","dropped_total":1}')).toBe(expected);
    expect(await hashOf('\n \n{"v":1,"batch_id":"a","dropped_total":3}')).toBe(expected);
    expect(await hashOf('{"v":1,"batch_id":"a","dropped_total":2}')).toBe(expected);
  });
});
