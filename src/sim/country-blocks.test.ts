import { describe, expect, it } from 'vitest';
import { ipv4ToString } from '../core/index.js';
import { Enricher } from '../observe/index.js';
import {
  addressIn8,
  addressInCountry,
  countryOfPrefix16,
  knownCountries,
  nearPrefixes,
  prefixesIn8,
  SENSOR_SLASH8S,
} from './country-space.js';
import { hash2 } from './prng.js';

describe('country blocks', () => {
  it('draw addresses that the bundled database places in the intended country', async () => {
    const enricher = await Enricher.open();
    let wrong = 0;
    let n = 0;
    for (const cc of knownCountries()) {
      for (let i = 0; i < 300; i++) {
        const a = ipv4ToString(addressInCountry(cc, hash2(i, 1), hash2(i, 2)));
        if (enricher.lookup(a).country !== cc) wrong++;
        n++;
      }
    }
    expect(wrong / n).toBeLessThan(0.005);
  });

  it('draw neighbours in a sensor /8 whose country the database agrees with', async () => {
    const enricher = await Enricher.open();
    let wrong = 0;
    let n = 0;
    for (const o of SENSOR_SLASH8S) {
      for (let i = 0; i < 200; i++) {
        const a = addressIn8(o, hash2(i, 3), hash2(i, 4));
        if (enricher.lookup(ipv4ToString(a)).country !== countryOfPrefix16(a >>> 16)) wrong++;
        n++;
      }
    }
    expect(wrong / n).toBeLessThan(0.005);
  });

  it('cover every sensor /8 with Japanese /16s and their neighbours', () => {
    const jp = nearPrefixes('JP');
    for (const o of SENSOR_SLASH8S) {
      expect(
        [...jp].some((p) => p >>> 8 === o),
        String(o),
      ).toBe(true);
      expect(prefixesIn8(o).length).toBeGreaterThan(10);
    }
  });
});
