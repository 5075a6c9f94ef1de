// The detector registry: what derives from the one list in detectors.ts.
import { describe, expect, it } from 'vitest';
import { DETECTOR_NAMES, DETECTORS } from './detectors.js';
import { SCORED_KIND } from './eval.js';

describe('the detector registry', () => {
  it('lists every detector once, in the order a run steps them', () => {
    expect(DETECTOR_NAMES).toEqual([
      'port-surge',
      'backscatter',
      'scan',
      'worm',
      'sensor-health',
      'inbound-flood',
    ]);
    expect(DETECTORS.map((d) => d.optionsKey)).toEqual([
      'portSurge',
      'backscatter',
      'scan',
      'worm',
      'sensorHealth',
      'inboundFlood',
    ]);
  });

  it("makes, through each descriptor's factory, a detector that reports under the descriptor's name", () => {
    const made = DETECTORS.map((d) => d.create({ options: {}, domesticCountry: 'JP' }).name);
    expect(made).toEqual(DETECTOR_NAMES);
  });

  it('scores each detector against the truth kind its descriptor names', () => {
    expect(SCORED_KIND).toEqual({
      'port-surge': 'port-surge',
      backscatter: 'backscatter',
      scan: 'scan',
      worm: 'worm-outbreak',
      'sensor-health': 'sensor-outage',
      'inbound-flood': 'inbound-flood',
    });
  });
});
