// STIX patterns (STIX 2.1 §9) for Koban values, and the values of partners' patterns.
import { describe, expect, it } from 'vitest';
import { patternOf, valuesOfPattern } from './patterns.js';

describe('STIX patterns', () => {
  it('writes one equality comparison per value, escaping quotes and backslashes', () => {
    expect(patternOf('cidr', '45.77.12.0/24')).toBe("[ipv4-addr:value = '45.77.12.0/24']");
    expect(patternOf('cidr', '2a03:b0c0::/32')).toBe("[ipv6-addr:value = '2a03:b0c0::/32']");
    expect(patternOf('sha1', 'a9f1314340f60d6560ec6f64b8865e47b9333f23')).toBe(
      "[file:hashes.'SHA-1' = 'a9f1314340f60d6560ec6f64b8865e47b9333f23']",
    );
    expect(patternOf('url', "http://x.example/a'b\\c")).toBe("[url:value = 'http://x.example/a\\'b\\\\c']");
    expect(valuesOfPattern(patternOf('url', "http://x.example/a'b\\c"))).toEqual({
      ok: true,
      values: [{ type: 'url', value: "http://x.example/a'b\\c" }],
    });
  });

  it('reads OR-ed comparisons within and between observation expressions', () => {
    expect(
      valuesOfPattern(
        "[ file:hashes.MD5 = '3773a88f65a5e780c8dff9cdc3a056f3' OR domain-name:value = 'a.example' ] OR [email-addr:value = 'x@a.example']",
      ),
    ).toEqual({
      ok: true,
      values: [
        { type: 'md5', value: '3773a88f65a5e780c8dff9cdc3a056f3' },
        { type: 'domain', value: 'a.example' },
        { type: 'email', value: 'x@a.example' },
      ],
    });
  });

  it('says which patterns Koban cannot hold, apart from patterns that are malformed', () => {
    expect(valuesOfPattern("[ipv4-addr:value = '1.2.3.4' AND ipv4-addr:value = '1.2.3.5']")).toEqual({
      ok: false,
      malformed: false,
      reason: 'pattern joins comparisons with AND',
    });
    expect(valuesOfPattern("[ipv4-addr:value = '1.2.3.4'] WITHIN 300 SECONDS")).toEqual({
      ok: false,
      malformed: false,
      reason: 'pattern uses WITHIN (a qualifier or an operator Koban does not hold)',
    });
    expect(valuesOfPattern("[process:name = 'evil.exe']")).toEqual({
      ok: false,
      malformed: false,
      reason: 'pattern tests process:name, which Koban holds no values for',
    });
    expect(valuesOfPattern("[url:value = 'http://x.example")).toEqual({
      ok: false,
      malformed: true,
      reason: 'pattern has an unterminated string literal',
    });
    expect(valuesOfPattern('[]')).toEqual({
      ok: false,
      malformed: true,
      reason: 'pattern has no complete comparison',
    });
  });
});
