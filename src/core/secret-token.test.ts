import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  formatIdToken,
  mintSecret,
  mintToken,
  parseBearer,
  parseIdToken,
  secretHash,
  secretHashHex,
  secretHashMatches,
  tokenKind,
} from './secret-token.js';

describe('minting', () => {
  it('makes 256-bit base64url secrets, each different', () => {
    const a = mintSecret();
    const b = mintSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a, 'base64url').length).toBe(32);
    expect(a).not.toBe(b);
  });

  it('prefixes the operator token with kbo_ and id tokens with their kind and row id', () => {
    expect(mintToken('operator')).toMatch(/^kbo_[A-Za-z0-9_-]{43}$/);
    const s = 'A'.repeat(43);
    expect(formatIdToken('sensor', 7, s)).toBe(`kbs_7_${s}`);
    expect(formatIdToken('apiToken', 12, s)).toBe(`kbt_12_${s}`);
    expect(formatIdToken('session', 3, s)).toBe(`kss_3_${s}`);
  });
});

describe('reading id tokens', () => {
  const s = 'b'.repeat(43);

  it('returns the kind, id and secret of a kind asked for', () => {
    expect(parseIdToken(`kss_42_${s}`, ['session', 'apiToken'])).toEqual({
      kind: 'session',
      id: 42,
      secret: s,
    });
    expect(parseIdToken(`kbt_1_${s}`, ['session', 'apiToken'])).toEqual({
      kind: 'apiToken',
      id: 1,
      secret: s,
    });
  });

  it('refuses other kinds, short or long secrets, missing or oversized ids and stray text', () => {
    for (const bad of [
      `kbs_1_${s}`,
      `kss_1_${s.slice(1)}`,
      `kss_1_${s}b`,
      `kss__${s}`,
      `kss_1234567890123_${s}`,
      ` kss_1_${s}`,
      `kss_1_${s.slice(1)}!`,
      `kbo_${s}`,
      '',
    ])
      expect(parseIdToken(bad, ['session', 'apiToken']), bad).toBeNull();
  });
});

describe('token kinds', () => {
  it('names the kind a prefix stands for, and nothing for other text', () => {
    expect(
      ['kbo_x', 'kbs_1_x', 'kbt_1_x', 'kss_1_x', 'kss', 'kbx_1_x', '_kbo', 'Bearer kbo_x', ''].map(tokenKind),
    ).toEqual(['operator', 'sensor', 'apiToken', 'session', null, null, null, null, null]);
  });
});

describe('hashing and comparing', () => {
  it('stores SHA-256 in hex, as data directories already hold it', () => {
    expect(secretHashHex('abc')).toBe(createHash('sha256').update('abc').digest('hex'));
    expect(secretHashHex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('matches the stored hash of the same secret only', () => {
    const stored = secretHashHex('right');
    expect(secretHashMatches(stored, secretHash('right'))).toBe(true);
    expect(secretHashMatches(Buffer.from(stored, 'hex'), secretHash('right'))).toBe(true);
    expect(secretHashMatches(stored, secretHash('wrong'))).toBe(false);
  });

  it('never matches a missing row, a placeholder or a truncated hash', () => {
    const given = secretHash('x');
    expect(secretHashMatches(undefined, given)).toBe(false);
    expect(secretHashMatches(null, given)).toBe(false);
    expect(secretHashMatches('none', given)).toBe(false);
    expect(secretHashMatches(secretHashHex('x').slice(0, 62), given)).toBe(false);
    // All zeros is what a missing row is compared with: it must not match a zero "hash" either.
    expect(secretHashMatches(undefined, Buffer.alloc(32))).toBe(false);
    expect(secretHashMatches(Buffer.alloc(32), Buffer.alloc(16))).toBe(false);
  });
});

describe('bearer headers', () => {
  it('reads the token, whatever the case of the scheme and the spaces around it', () => {
    expect(parseBearer('Bearer kbo_abc')).toBe('kbo_abc');
    expect(parseBearer('bearer\tkbo_abc  ')).toBe('kbo_abc');
    expect(parseBearer('  BEARER   kbt_1_x')).toBe('kbt_1_x');
  });

  it('answers null for no header, another scheme, an empty token or more than one word', () => {
    for (const bad of [
      undefined,
      null,
      '',
      'Bearer',
      'Bearer ',
      'Bearer   ',
      'Basic eDp5',
      'Bearer a b',
      'Bearerkbo_x',
    ])
      expect(parseBearer(bad), String(bad)).toBeNull();
  });
});
