/**
 * The default UTC offset comes from the domestic country's zone (JP: Asia/Tokyo, +09:00); an
 * explicit `utcOffset` wins; countries with several offsets get UTC unless one is set.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigSchema, loadConfig } from './config.js';
import { countryTimeZone, countryUtcOffset } from './zones.js';

describe('a country’s time zone', () => {
  it('is the principal zone, its standard offset in a fixed form', () => {
    expect(countryTimeZone('JP')).toBe('Asia/Tokyo');
    expect(countryUtcOffset('JP')).toBe('+09:00');
    expect(countryUtcOffset('kr')).toBe('+09:00');
    expect(countryUtcOffset('CN')).toBe('+08:00');
    expect(countryUtcOffset('IN')).toBe('+05:30');
    // Daylight saving time is not followed: the standard offset.
    expect(countryUtcOffset('DE', 2025)).toBe('+01:00');
    expect(countryUtcOffset('GB', 2025)).toBe('+00:00');
  });

  it('is none for a country spanning several offsets, or an unknown code', () => {
    expect(countryUtcOffset('US')).toBeNull();
    expect(countryUtcOffset('RU')).toBeNull();
    expect(countryUtcOffset('ZZ')).toBeNull();
  });
});

describe('the configured UTC offset', () => {
  it('defaults to the domestic country’s: +09:00 for the default JP', () => {
    expect(ConfigSchema.parse({}).utcOffset).toBe('+09:00');
    expect(ConfigSchema.parse({ domesticCountry: 'KR' }).utcOffset).toBe('+09:00');
    expect(ConfigSchema.parse({ domesticCountry: 'US' }).utcOffset).toBe('+00:00');
  });

  it('is the explicit utcOffset when one is set, in koban.json or the environment', () => {
    expect(ConfigSchema.parse({ utcOffset: '+00:00' }).utcOffset).toBe('+00:00');
    const dir = mkdtempSync(join(tmpdir(), 'koban-config-'));
    try {
      expect(loadConfig(dir, {}).utcOffset).toBe('+09:00');
      expect(loadConfig(dir, { KOBAN_UTC_OFFSET: '-05:00' }).utcOffset).toBe('-05:00');
      writeFileSync(join(dir, 'koban.json'), JSON.stringify({ domesticCountry: 'DE', utcOffset: 'Z' }));
      expect(loadConfig(dir, {}).utcOffset).toBe('Z');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the public statistics’ delay and threshold, 24 h and 5 by default', () => {
    expect(ConfigSchema.parse({}).publicStats).toEqual({ delayHours: 24, minCount: 5 });
    expect(ConfigSchema.parse({ publicStats: { delayHours: 72 } }).publicStats).toEqual({
      delayHours: 72,
      minCount: 5,
    });
    expect(ConfigSchema.safeParse({ publicStats: { minCount: 0 } }).success).toBe(false);
    expect(ConfigSchema.parse({ trustProxy: ['10.0.0.0/8'] }).trustProxy).toEqual(['10.0.0.0/8']);
    expect(ConfigSchema.safeParse({ trustProxy: ['proxy.example'] }).success).toBe(false);
  });
});
