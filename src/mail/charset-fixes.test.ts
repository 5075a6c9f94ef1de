// The decoders that stand in for Node's `TextDecoder` where it departs from the WHATWG Encoding
// Standard (charset-fixes.ts). Byte values checked with Python's cp949 and cp1252 codecs.
import { describe, expect, it } from 'vitest';
import { decodeBytes } from './charset-fixes.js';

const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/ /g, ''), 'hex'));

describe('EUC-KR read as Unified Hangul Code', () => {
  it('reads the extension syllables and KS X 1001 alike', () => {
    expect(decodeBytes('euc-kr', bytes('8141 a0fe c652 b0a1 caa1'), true)).toBe('갂좤힣가伽');
  });

  it('reads the euro and registered signs KS X 1001:1998 added (A2 E6, A2 E7)', () => {
    expect(decodeBytes('euc-kr', bytes('a2e6 a2e7'), true)).toBe('€®');
  });

  it('refuses the user-defined rows (C9, FE), which WHATWG maps to nothing', () => {
    expect(decodeBytes('euc-kr', bytes('c9a1'), true)).toBeNull();
    expect(decodeBytes('euc-kr', bytes('fea1'), true)).toBeNull();
  });

  it('marks an invalid sequence with U+FFFD when not fatal, and keeps the ASCII after it', () => {
    expect(decodeBytes('euc-kr', bytes('c8 41 42'), false)).toBe('\ufffdAB');
    expect(decodeBytes('euc-kr', bytes('c8 41 42'), true)).toBeNull();
  });
});

describe('windows-1252', () => {
  it('reads 0x80–0x9F as WHATWG does, the unassigned bytes as C1 controls', () => {
    expect(decodeBytes('iso-8859-1', bytes('80 93 94 81 9d'), true)).toBe('€“”\u0081\u009d');
  });
});
