import { describe, expect, it } from 'vitest';
import { eraYears, formatEraYear, toJapaneseEra } from './era.js';

describe('Japanese era', () => {
  it('turns 平成 into 令和 on 1 May 2019 and writes the first year 元年', () => {
    expect(toJapaneseEra(2019, 4, 30)).toEqual({ era: '平成', year: 31 });
    expect(toJapaneseEra(2019, 5, 1)).toEqual({ era: '令和', year: 1 });
    expect(formatEraYear({ era: '令和', year: 1 })).toBe('令和元年');
    expect(formatEraYear(toJapaneseEra(2026, 11, 1)!)).toBe('令和8年');
  });

  it('turns 昭和 into 平成 on 8 January 1989, and knows no era before 昭和', () => {
    expect(toJapaneseEra(1989, 1, 7)).toEqual({ era: '昭和', year: 64 });
    expect(toJapaneseEra(1989, 1, 8)).toEqual({ era: '平成', year: 1 });
    expect(toJapaneseEra(1926, 12, 24)).toBeNull();
  });

  it('names both era years of a span across a change', () => {
    expect(eraYears({ year: 2019, month: 1, day: 1 }, { year: 2019, month: 12, day: 31 })).toBe(
      '平成31年・令和元年',
    );
    expect(eraYears({ year: 2026, month: 1, day: 1 }, { year: 2026, month: 6, day: 30 })).toBe('令和8年');
  });

  it("agrees with Node's Intl Japanese calendar on every boundary day", () => {
    const intl = new Intl.DateTimeFormat('ja-JP-u-ca-japanese', {
      era: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    });
    for (const [y, m, d] of [
      [1989, 1, 7],
      [1989, 1, 8],
      [2019, 4, 30],
      [2019, 5, 1],
      [2026, 11, 30],
    ] as const) {
      const parts = intl.formatToParts(new Date(Date.UTC(y, m - 1, d)));
      const era = parts.find((p) => p.type === 'era')?.value;
      const year = parts.find((p) => p.type === 'year')?.value;
      const mine = toJapaneseEra(y, m, d)!;
      expect(`${era}${year === '元' ? 1 : year}`).toBe(`${mine.era}${mine.year}`);
    }
  });
});
