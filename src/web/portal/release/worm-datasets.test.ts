/** The worm figures' data as the public sees it: named countries, the rest as "other", small counts withheld. */
import { describe, expect, it } from 'vitest';
import { neighboursDataset, wormCountriesDataset } from './worm-datasets.js';

describe('the worm datasets', () => {
  it('names the top countries whose total is not small, folds the rest and unknown into other', () => {
    const rows = [
      { bucket: '2012-01-01 00:00', country: 'CN', count: 9 },
      { bucket: '2012-01-01 00:00', country: 'KR', count: 4 },
      { bucket: '2012-01-01 00:00', country: 'TW', count: 2 },
      { bucket: '2012-01-02 00:00', country: 'KR', count: 4 },
      { bucket: '2012-01-02 00:00', country: null, count: 6 },
      { bucket: '2012-01-02 00:00', country: 'US', count: 1 },
    ];
    const d = wormCountriesDataset(['2012-01-01', '2012-01-02', '2012-01-03'], rows, 5);
    // TW (2) and US (1) are small over the span: not named, counted in "other" only.
    expect(d.columns).toEqual(['date', 'CN', 'KR', 'other']);
    expect(d.rows).toEqual([
      { date: '2012-01-01', CN: 9, KR: null, other: null },
      { date: '2012-01-02', CN: null, KR: null, other: 7 },
      { date: '2012-01-03', CN: null, KR: null, other: null },
    ]);
  });

  it('keeps the three neighbour classes, withholding small counts with their shares', () => {
    const d = neighboursDataset(
      [
        { match: 'first-two-octets', sources: 2, source_share: 0.02, count: 40, share: 0.04 },
        { match: 'first-octet', sources: 8, source_share: 0.08, count: 4, share: 0.004 },
        { match: 'none', sources: 90, source_share: 0.9, count: 956, share: 0.956 },
      ],
      5,
    );
    expect(d.columns).toEqual(['match', 'count', 'share', 'sources', 'source_share']);
    expect(d.rows).toEqual([
      { match: 'first-two-octets', count: 40, share: 0.04, sources: null, source_share: null },
      { match: 'first-octet', count: null, share: null, sources: 8, source_share: 0.08 },
      { match: 'none', count: 956, share: 0.956, sources: 90, source_share: 0.9 },
    ]);
  });
});
