import { describe, expect, it } from 'vitest';
import { backoffDelayMs, type TryOutcome, withRetries } from './backoff.js';

describe('the back-off delay', () => {
  it('doubles from the base up to the ceiling', () => {
    const p = { baseMs: 500, maxMs: 30_000 };
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((i) => backoffDelayMs(i, p))).toEqual([
      500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
  });

  it('treats a negative retry as the first, and stays finite without a ceiling', () => {
    expect(backoffDelayMs(-3, { baseMs: 100 })).toBe(100);
    expect(backoffDelayMs(5000, { baseMs: 1 })).toBe(2 ** 30);
  });

  it('draws full jitter uniformly below the delay, from the random source given', () => {
    const p = { baseMs: 1000, maxMs: 60_000, jitter: 'full' as const };
    expect(backoffDelayMs(2, { ...p, random: () => 0 })).toBe(0);
    expect(backoffDelayMs(2, { ...p, random: () => 0.5 })).toBe(2000);
    expect(backoffDelayMs(2, { ...p, random: () => 0.999_999 })).toBe(3999);
    expect(backoffDelayMs(10, { ...p, random: () => 0.25 })).toBe(15_000);
  });
});

describe('retrying', () => {
  const script = (outcomes: TryOutcome[]) => {
    let i = 0;
    return async () => outcomes[Math.min(i++, outcomes.length - 1)]!;
  };

  it('waits the back-off between tries and stops at the first success', async () => {
    const slept: number[] = [];
    const fail = { ok: false, retry: true, error: 'HTTP 503' } as const;
    const r = await withRetries(5, { baseMs: 100 }, script([fail, fail, { ok: true }]), async (ms) => {
      slept.push(ms);
    });
    expect(r).toEqual({ ok: true, attempts: 3 });
    expect(slept).toEqual([100, 200]);
  });

  it('gives up at once on an error another try cannot help', async () => {
    const slept: number[] = [];
    const r = await withRetries(
      5,
      { baseMs: 100 },
      script([{ ok: false, retry: false, error: 'HTTP 400' }]),
      async (ms) => {
        slept.push(ms);
      },
    );
    expect(r).toEqual({ ok: false, attempts: 1, error: 'HTTP 400' });
    expect(slept).toEqual([]);
  });

  it('reports the last error after the last retry', async () => {
    const slept: number[] = [];
    const r = await withRetries(
      2,
      { baseMs: 10, maxMs: 15 },
      script([
        { ok: false, retry: true, error: 'timeout' },
        { ok: false, retry: true, error: 'HTTP 502' },
      ]),
      async (ms) => {
        slept.push(ms);
      },
    );
    expect(r).toEqual({ ok: false, attempts: 3, error: 'HTTP 502' });
    expect(slept).toEqual([10, 15]);
  });
});
