/**
 * The store's SQL is built from typed filters, and numbers and codes are written into the text:
 * a value that is not what its type says (unchecked input reaching the store) is an E_USAGE
 * naming it, never a malformed statement or a DuckDB error.
 */
import { describe, expect, it } from 'vitest';
import type { Bucket, EventKind, Protocol } from '../../core/index.js';
import { buildAggregateSql } from './duckdb-sql.js';

const ids = new Map([['s1', 1]]);

describe('SQL of aggregates', () => {
  it('writes checked codes and integers into the statement', () => {
    const q = buildAggregateSql(
      {
        groupBy: ['port'],
        kinds: ['firewall', 'darknet'],
        proto: 'tcp',
        port: 445,
        bucket: 'day',
        utcOffsetMinutes: 540,
      },
      ids,
    );
    expect(q?.text).toBe(
      "SELECT epoch_ms((date_trunc('day', (hour + INTERVAL 540 MINUTE)) - INTERVAL 540 MINUTE)) AS b, port AS d0, " +
        'sum(events) AS n FROM rollup_hourly WHERE kind IN (1, 3) AND proto = 6 AND port = 445 GROUP BY b, d0 ORDER BY b, n DESC, b, d0',
    );
  });

  it('refuses values outside their type with E_USAGE', () => {
    const cases: [string, Parameters<typeof buildAggregateSql>[0]][] = [
      ['invalid event kind: "bogus"', { groupBy: [], kinds: ['bogus' as EventKind] }],
      ['invalid protocol: "sctp"', { groupBy: [], proto: 'sctp' as Protocol }],
      ['invalid port: 445.5', { groupBy: [], port: 445.5 }],
      ['invalid port: 70000', { groupBy: [], port: 70000 }],
      ['invalid from: NaN', { groupBy: [], fromMs: Number.NaN }],
      ['invalid bucket: "year"', { groupBy: [], bucket: 'year' as Bucket }],
      ['invalid UTC offset (minutes): 5000', { groupBy: [], bucket: 'day', utcOffsetMinutes: 5000 }],
    ];
    for (const [message, q] of cases) {
      expect(() => buildAggregateSql(q, ids), message).toThrow(
        expect.objectContaining({ code: 'E_USAGE', message }),
      );
    }
  });
});
