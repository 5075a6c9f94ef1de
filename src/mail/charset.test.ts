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

describe('adjacent encoded words decoded each on its own (RFC 2047 §6.2)', () => {
  it('decodes two ISO-2022-JP words without a replacement character between them', () => {
    // "ディレ" and "クトリ", each word closing its JIS X 0208 run with ESC ( B as RFC 1468 requires.
    expect(decode('=?ISO-2022-JP?B?GyRCJUclIyVsGyhC?= =?ISO-2022-JP?B?GyRCJS8lSCVqGyhC?=')).toEqual({
      text: 'ディレクトリ',
      warnings: [],
    });
  });

  it('joins a Shift_JIS character split between two words', () => {
    // "こ" is 82 B1: the first word carries the lead byte, the second the trail byte.
    expect(decode('=?Shift_JIS?B?gg==?= =?Shift_JIS?B?sQ==?=')).toEqual({ text: 'こ', warnings: [] });
  });

  it('joins an ISO-2022-JP character split between two words', () => {
    // ESC $ B 25 | 47 ESC ( B is "デ" cut after its first byte.
    expect(decode('=?ISO-2022-JP?B?GyRCJQ==?= =?ISO-2022-JP?B?RxsoQg==?=')).toEqual({
      text: 'デ',
      warnings: [],
    });
  });

  it('decodes a UTF-7 encoded word', () => {
    expect(decode('=?UTF-7?Q?Hi_Mom_-+Jjo--!?=')).toEqual({ text: 'Hi Mom -☺-!', warnings: [] });
  });
});

describe('decoders where Node departs from the WHATWG Encoding Standard', () => {
  it('reads windows-1252 (and ISO-8859-1 labels) with the 0x80–0x9F punctuation, not C1 controls', () => {
    expect(decode('=?ISO-8859-1?Q?=93quoted=94_=96_10=80?=').text).toBe('“quoted” – 10€');
  });

  it('reads EUC-KR as Unified Hangul Code, extension syllables included', () => {
    // Checked with Python's cp949 codec: 81 41 갂, A0 FE 좤, C6 52 힣, B0 A1 가, CA A1 伽.
    const bytes = Buffer.from('8141a0fec652b0a1caa1', 'hex').toString('base64');
    expect(decode(`=?ks_c_5601-1987?B?${bytes}?=`)).toEqual({ text: '갂좤힣가伽', warnings: [] });
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

  it('reads GB2312 and GBK as GB18030, and the spellings the registry lacks', () => {
    expect(resolveCharset('GB2312')).toEqual({ label: 'gb18030', repaired: false });
    expect(resolveCharset('gbk')).toEqual({ label: 'gb18030', repaired: false });
    expect(resolveCharset('win-1251')).toEqual({ label: 'windows-1251', repaired: false });
    expect(resolveCharset('iso8859_5')).toEqual({ label: 'iso-8859-5', repaired: false });
    expect(resolveCharset('cp949')).toEqual({ label: 'euc-kr', repaired: false });
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
