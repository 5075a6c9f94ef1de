import { describe, expect, it } from 'vitest';
import { decodeUtf7 } from './utf7.js';

describe('UTF-7 (RFC 2152)', () => {
  it.each([
    ['A+ImIDkQ.', 'A≢Α.'],
    ['Hi Mom -+Jjo--!', 'Hi Mom -☺-!'],
    ['+ZeVnLIqe-', '日本語'],
    ['1 +- 1', '1 + 1'],
    [
      'https://evil.example/?email+AD0-victim+AEA-example.com',
      'https://evil.example/?email=victim@example.com',
    ],
  ])('decodes the example %s', (encoded, text) => {
    expect(decodeUtf7(encoded)).toEqual({ text, malformed: 0 });
  });

  it('decodes a character outside the BMP written as a surrogate pair', () => {
    // U+1F600 is D83D DE00 in UTF-16: "2D3eAA" in modified base64.
    expect(decodeUtf7('+2D3eAA-')).toEqual({ text: '😀', malformed: 0 });
  });

  it('keeps a "+" that opens no character as written, and counts it', () => {
    expect(decodeUtf7('1+1=2')).toEqual({ text: '1+1=2', malformed: 1 });
  });

  it('replaces 8-bit bytes, which are never UTF-7, and a lone surrogate', () => {
    expect(decodeUtf7(Buffer.from([0x41, 0xe9, 0x42]))).toEqual({ text: 'A\ufffdB', malformed: 1 });
    expect(decodeUtf7('+2D0-')).toEqual({ text: '\ufffd', malformed: 1 });
  });
});
