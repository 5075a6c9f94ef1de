/**
 * Every charset label family real spam uses, in a body and in an encoded-word subject. The bytes
 * were encoded from the known strings with Python's codecs (cp125x, koi8_r, iso8859_x, cp949,
 * gb18030, big5, cp932, euc_jp, iso2022_jp), independently of the decoders under test.
 */
import { describe, expect, it } from 'vitest';
import { BASIC_HEADERS, message } from './_testkit.js';
import { parseEml } from './index.js';

const FAMILIES: readonly (readonly [string, string, string])[] = [
  ['windows-1250', 'Zażółć gęślą jaźń', '5a61bff3b3e62067ea9c6cb9206a619ff1'],
  ['windows-1251', 'Привет, мир', 'cff0e8e2e5f22c20ece8f0'],
  ['cp1251', 'Привет, мир', 'cff0e8e2e5f22c20ece8f0'],
  ['win-1251', 'Привет, мир', 'cff0e8e2e5f22c20ece8f0'],
  ['windows-1252', 'Café déjà vu – 10 €', '436166e92064e96ae020767520962031302080'],
  ['windows-1253', 'Καλημέρα', 'cae1ebe7ecddf1e1'],
  ['windows-1254', 'Günaydın, şimdi öde', '47fc6e617964fd6e2c20fe696d646920f66465'],
  ['windows-1255', 'שלום', 'f9ece5ed'],
  ['windows-1256', 'مرحبا', 'e3d1cdc8c7'],
  ['windows-1257', 'Labdien, ąčęėįšųūž', '4c61626469656e2c20e0e8e6ebe1f0f8fbfe'],
  ['windows-1258', 'Xin chào', '58696e206368e06f'],
  ['koi8-r', 'Привет, мир', 'f0d2c9d7c5d42c20cdc9d2'],
  ['iso-8859-1', 'Café déjà vu', '436166e92064e96ae0207675'],
  ['iso-8859-2', 'Zażółć gęślą jaźń', '5a61bff3b3e62067eab66cb1206a61bcf1'],
  ['iso-8859-5', 'Привет, мир', 'bfe0d8d2d5e22c20dcd8e0'],
  ['iso-8859-7', 'Καλημέρα', 'cae1ebe7ecddf1e1'],
  ['iso-8859-15', 'Prix : 10 €', '50726978203a20313020a4'],
  // 똠 (8C 63) exists only in Unified Hangul Code, which is what ks_c_5601-1987 mail is written in.
  ['ks_c_5601-1987', '안녕하세요 똠방각하', 'bec8b3e7c7cfbcbcbfe4208c63b9e6b0a2c7cf'],
  // 𠀀 (95 32 82 36) is a four-byte GB18030 sequence, which a GBK decoder cannot read.
  ['gb2312', '你好，世界 𠀀', 'c4e3bac3a3accac0bde72095328236'],
  ['big5', '臺灣繁體中文', 'bb4fc657c163c5e9a4a4a4e5'],
  // ① and 髙 are CP932 (NEC, IBM) extensions, routinely sent labelled Shift_JIS.
  ['shift_jis', '①髙橋様、ご請求', '8740eee08bb4976c814182b290bf8b81'],
  ['cp932', '①髙橋様、ご請求', '8740eee08bb4976c814182b290bf8b81'],
  ['euc-jp', '日本語のお知らせ', 'c6fccbdcb8eca4cea4aac3cea4e9a4bb'],
  ['iso-2022-jp', '日本語のお知らせ', '1b2442467c4b5c386c244e242a434e2469243b1b2842'],
  ['utf-7', 'Hi Mom -☺-! 日本語', '4869204d6f6d202d2b4a6a6f2d2d21202b5a65566e4c4971652d'],
];

function labelled(charset: string, hex: string): Buffer {
  const bytes = Buffer.from(hex, 'hex');
  return message(
    {
      ...BASIC_HEADERS,
      Subject: `=?${charset}?B?${bytes.toString('base64')}?=`,
      'Content-Type': `text/plain; charset=${charset}`,
      'Content-Transfer-Encoding': 'base64',
    },
    bytes.toString('base64'),
  );
}

describe('charset labels real spam uses', () => {
  it.each(FAMILIES)('decodes a body and a subject labelled %s', async (charset, text, hex) => {
    const x = await parseEml(labelled(charset, hex));
    expect(x.bodies.text?.content).toBe(text);
    expect(x.headers.subject?.value).toBe(text);
    expect(x.warnings).toEqual([]);
  });

  it('takes the URL out of a UTF-7 body decoded, not as "?email+AD0-…"', async () => {
    const raw = message(
      { ...BASIC_HEADERS, 'Content-Type': 'text/plain; charset="UTF-7"' },
      'Sign in: https://login.attacker.example/?email+AD0-victim+AEA-example.co.jp+ACY-id+AD0-7\r\n',
    );
    const x = await parseEml(raw);
    expect(x.observables.filter((o) => o.kind === 'url').map((o) => o.value)).toEqual([
      'https://login.attacker.example/?email=victim@example.co.jp&id=7',
    ]);
  });

  it('decodes a UTF-7 HTML part, in a multipart message, and finds its links', async () => {
    const raw = message(
      { ...BASIC_HEADERS, 'Content-Type': 'multipart/alternative; boundary="u7"' },
      '--u7\r\nContent-Type: text/html; charset=utf-7\r\n\r\n+ADw-a href+AD0AIg-https://x.attacker.example/+ACIAPg-x+ADw-/a+AD4-\r\n--u7--\r\n',
    );
    const x = await parseEml(raw);
    expect(x.bodies.html?.content).toBe('<a href="https://x.attacker.example/">x</a>');
    expect(x.observables.find((o) => o.kind === 'url')?.value).toBe('https://x.attacker.example/');
  });

  it('says when a UTF-7 body is ill-formed (8-bit bytes) and which charset read it', async () => {
    const raw = message(
      { ...BASIC_HEADERS, 'Content-Type': 'text/plain; charset=utf-7' },
      Buffer.from('caf\xc3\xa9', 'latin1'),
    );
    const x = await parseEml(raw);
    expect(x.bodies.text?.content).toBe('café');
    expect(x.warnings).toEqual([
      {
        kind: 'malformed',
        message:
          'a text part declared as "utf-7" holds ill-formed UTF-7 (RFC 2152); decoded as utf-8 (best effort)',
      },
    ]);
  });

  it('says which charset it used when the bytes do not fit the declared one', async () => {
    // こんにちは in Shift_JIS, which is not valid EUC-JP.
    const raw = message(
      {
        ...BASIC_HEADERS,
        'Content-Type': 'text/plain; charset=euc-jp',
        'Content-Transfer-Encoding': 'base64',
      },
      Buffer.from('82b182f182c982bf82cd', 'hex').toString('base64'),
    );
    const x = await parseEml(raw);
    expect(x.bodies.text?.content).toBe('こんにちは');
    expect(x.warnings).toEqual([
      {
        kind: 'guessed',
        message:
          'a text part declared as "euc-jp" holds bytes invalid in it; decoded as shift_jis (best effort)',
      },
    ]);
  });

  it('names the charset it guessed for a body in an unknown charset', async () => {
    const raw = message(
      {
        ...BASIC_HEADERS,
        'Content-Type': 'text/plain; charset=x-sjis-custom',
        'Content-Transfer-Encoding': 'base64',
      },
      Buffer.from('82b182f182c982bf82cd', 'hex').toString('base64'),
    );
    const x = await parseEml(raw);
    expect(x.bodies.text?.content).toBe('こんにちは');
    expect(x.warnings).toEqual([
      {
        kind: 'malformed',
        message: 'charset "x-sjis-custom" is not known; that part was decoded as shift_jis (best effort)',
      },
    ]);
  });
});
