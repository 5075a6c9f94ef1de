// koban.json `detection.backscatter.minVictimRatePps`: the rate below which a DDoS victim is listed,
// not alerted (docs/methods.md#what-deserves-an-alert).
import { describe, expect, it } from 'vitest';
import { ConfigSchema, DEFAULT_MIN_VICTIM_RATE_PPS } from './config.js';

describe('detection.backscatter.minVictimRatePps', () => {
  it('defaults to 10,000 replies/s, and takes what koban.json says', () => {
    expect(DEFAULT_MIN_VICTIM_RATE_PPS).toBe(10_000);
    expect(ConfigSchema.parse({}).detection.backscatter.minVictimRatePps).toBe(10_000);
    const given = ConfigSchema.parse({ detection: { backscatter: { minVictimRatePps: 250_000 } } });
    expect(given.detection.backscatter.minVictimRatePps).toBe(250_000);
    expect(given.detection.pollSeconds).toBe(10);
  });

  it('refuses a negative rate and an unknown key', () => {
    expect(ConfigSchema.safeParse({ detection: { backscatter: { minVictimRatePps: -1 } } }).success).toBe(
      false,
    );
    expect(ConfigSchema.safeParse({ detection: { backscatter: { minRate: 5 } } }).success).toBe(false);
  });
});
