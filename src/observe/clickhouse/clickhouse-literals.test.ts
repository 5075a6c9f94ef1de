import { describe, expect, it } from 'vitest';
import { ClickHouseHealth, ClickHouseNode } from './clickhouse-connection.js';
import { identifier, int, ipv4, list, optStr, str, timeMs } from './clickhouse-literals.js';
import { parseClickHouseUrl } from './clickhouse-url.js';

/** Strings that would end a literal, comment out the rest, or smuggle a second statement. */
const HOSTILE = [
  "'; DROP TABLE events; --",
  "\\'",
  '\\',
  "a\\' OR 1=1 --",
  'line\nbreak\r\ttab',
  'nul\u0000byte',
  '日本語のセンサー',
  '\u{1F600} emoji',
  'lone \uD800 surrogate',
  '/* comment */ x',
  '{x:String}',
  '?',
  '`backtick` "double"',
  '',
];

describe('ClickHouse literals', () => {
  it('writes every character outside a plain set as \\xHH bytes, so no input can end the literal', () => {
    expect(str("it's")).toBe("'it\\x27s'");
    expect(str('a\\b')).toBe("'a\\x5cb'");
    expect(str('日')).toBe("'\\xe6\\x97\\xa5'");
    expect(str('')).toBe("''");
    for (const s of HOSTILE) {
      const lit = str(s);
      // Between the quotes: only the safe set and \xHH escapes, never a quote or a bare backslash.
      expect(lit.slice(1, -1)).toMatch(/^(?:[A-Za-z0-9 _.:,;/@+=*#%&()[\]{}<>?!~^|$-]|\\x[0-9a-f]{2})*$/);
    }
    expect(optStr(null)).toBe('NULL');
    expect(optStr('x')).toBe("'x'");
  });

  it('refuses numbers outside their range or type with E_USAGE, naming the value', () => {
    expect(int('port', 445, 0, 65535)).toBe('445');
    for (const bad of [70000, -1, 1.5, Number.NaN, '445', null, Number.POSITIVE_INFINITY]) {
      expect(() => int('port', bad, 0, 65535)).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    }
    expect(() => timeMs('from', 9e15)).toThrow(/invalid from: 9000000000000000/);
    expect(ipv4(0xffffffff)).toBe('4294967295');
    expect(() => ipv4(2 ** 32)).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });

  it('accepts only plain identifiers and non-empty lists', () => {
    expect(identifier('database', 'koban_1')).toBe('koban_1');
    for (const bad of ['a.b', 'a;b', '1abc', 'a b', '`a`', '', 'x'.repeat(64)]) {
      expect(() => identifier('database', bad)).toThrow(expect.objectContaining({ code: 'E_CONFIG' }));
    }
    expect(list(['1', '2'])).toBe('(1, 2)');
    expect(() => list([])).toThrow();
  });

  const server = process.env.KOBAN_TEST_CLICKHOUSE;
  it.skipIf(!server)(
    `reads every hostile string back unchanged from the server${server ? '' : ' (skipped: KOBAN_TEST_CLICKHOUSE is not set)'}`,
    async () => {
      const target = parseClickHouseUrl(server!.replace(/^clickhouse:/, ''));
      const node = new ClickHouseNode(target.nodes[0]!, target, new ClickHouseHealth());
      try {
        const rows = await node.rows(`SELECT ${HOSTILE.map((s, i) => `${str(s)} AS c${i}`).join(', ')}`);
        // A lone surrogate is not UTF-8: it is sent, and read back, as U+FFFD.
        expect(rows[0]).toEqual(HOSTILE.map((s) => s.replace('\uD800', '\uFFFD')));
      } finally {
        await node.close();
      }
    },
  );
});
