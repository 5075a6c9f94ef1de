import { describe, expect, it } from 'vitest';
import { decodeHeaderText, repairIso2022, resolveCharset } from './charset.js';
import { parseMailDate } from './dates.js';
import type { EmailWarning } from './types.js';

function decode(rawLatin1: string): { text: string; warnings: EmailWarning[] } {
  const warnings: EmailWarning[] = [];
  return { text: decodeHeaderText(rawLatin1, 'Subject', warnings), warnings };
}

describe('encoded words (RFC 2047)', () => {
  it('joins a multi-byte character split across two adjacent encoded words', () => {
    // "こ" is E3 81 93; the first word carries E3 81, the second 93.
    expect(decode('=?UTF-8?B?44E=?= =?UTF-8?B?kw==?=')).toEqual({ text: 'こ', warnings: [] });
  });

  it('drops white space between encoded words but keeps it around plain text', () => {
    expect(decode('=?ISO-8859-1?Q?caf=E9?= =?ISO-8859-1?Q?_au_lait?= and more').text).toBe(
      'café au lait and more',
    );
  });

  it('reads the RFC 2231 language suffix of a charset', () => {
    expect(decode('=?US-ASCII*EN?Q?Keith_Moore?=').text).toBe('Keith Moore');
  });

  it('falls back to Japanese when bytes are invalid for the declared charset, and warns', () => {
    const sjis = Buffer.from('82b182f182c982bf82cd', 'hex').toString('base64');
    expect(decode(`=?UTF-8?B?${sjis}?=`)).toEqual({
      text: 'こんにちは',
      warnings: [
        {
          kind: 'guessed',
          message: 'Subject: encoded word in charset "UTF-8" decoded as shift_jis (best effort)',
        },
      ],
    });
  });
});

describe('charset labels', () => {
  it('maps aliases real mail uses and repairs garbled labels', () => {
    expect(resolveCharset('CP932')).toEqual({ label: 'shift_jis', repaired: false });
    expect(resolveCharset('"ISO-2022-JP"')).toEqual({ label: 'iso-2022-jp', repaired: false });
    expect(resolveCharset('_iso-2022-jp$ESC')).toEqual({ label: 'iso-2022-jp', repaired: true });
    expect(resolveCharset('x-unknown')).toEqual({ label: null, repaired: false });
    expect(resolveCharset('UTF-7')).toEqual({ label: null, repaired: false });
  });

  it('re-decodes ISO-2022-JP escapes left in text that was read as ASCII', () => {
    expect(repairIso2022('\x1b$B$3$s$K$A$O\x1b(B')).toBe('こんにちは');
    expect(repairIso2022('plain text')).toBeNull();
  });
});

describe('dates (RFC 5322 §3.3, §4.3)', () => {
  it('reads numeric zones, obsolete zone names and JST', () => {
    expect(parseMailDate('Wed, 17 May 2023 07:33:53 +0800')?.iso).toBe('2023-05-16T23:33:53.000Z');
    expect(parseMailDate('Wed, 21 Dec 2022 21:53:36 -0800 (PST)')?.iso).toBe('2022-12-22T05:53:36.000Z');
    expect(parseMailDate('Mon, 1 Jan 2024 10:00:00 JST')?.iso).toBe('2024-01-01T01:00:00.000Z');
    expect(parseMailDate('1 Jan 24 10:00 EST')?.iso).toBe('2024-01-01T15:00:00.000Z');
  });

  it('assumes UTC for a date without a zone and says so', () => {
    expect(parseMailDate('Mon, 1 Jan 2024 10:00:00')).toEqual({
      iso: '2024-01-01T10:00:00.000Z',
      zoneAssumed: true,
    });
  });

  it('returns null for what is not a date', () => {
    expect(parseMailDate('02-07-2024')).toBeNull();
    expect(parseMailDate('Mon, 32 Foo 2024 99:00:00 +0000')).toBeNull();
  });
});
