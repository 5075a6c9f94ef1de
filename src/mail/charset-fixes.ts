/**
 * Decoders where Node's `TextDecoder` departs from the WHATWG Encoding Standard, which defines
 * what mail labels mean in practice:
 * - `windows-1252` (also every `iso-8859-1` and `us-ascii` label, WHATWG §4.2) is read by Node as
 *   ISO-8859-1, so 0x80–0x9F come out as C1 controls instead of € ‘ ’ “ ” – — …;
 * - `euc-kr` (also `ks_c_5601-1987`) lacks the 8,822 Hangul syllables of Unified Hangul Code
 *   (CP949), in which Korean mail is written, and passes their bytes through silently; it also
 *   reads the user-defined rows (0xC9, 0xFE) as private-use characters where WHATWG's index has
 *   none, and lacks € and ® (0xA2E6, 0xA2E7). `iconv-lite`'s CP949 decoder has all of UHC.
 * windows-1252 stays hand-written: `iconv-lite` reads its five unassigned bytes as U+FFFD where
 * WHATWG keeps them as C1 controls, and the mapping is one table of 32 characters.
 */
import iconv from 'iconv-lite';

/** WHATWG index-windows-1252 for 0x80–0x9F; the five unassigned bytes stay C1 controls. */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(bytes: Uint8Array): string {
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return latin1.replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
}

/**
 * Unified Hangul Code through `iconv-lite`'s CP949 table. It marks what it cannot decode with
 * U+FFFD, which no CP949 sequence decodes to, so its presence is the fatal mode's error.
 */
function decodeUhc(bytes: Uint8Array, fatal: boolean): string | null {
  const text = iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'cp949');
  return fatal && text.includes('\ufffd') ? null : text;
}

/** Decodes with a WHATWG label `TextDecoder` accepts; null when `fatal` and the bytes are invalid. */
export function decodeBytes(label: string, bytes: Uint8Array, fatal: boolean): string | null {
  const encoding = new TextDecoder(label).encoding;
  if (encoding === 'windows-1252') return decodeWindows1252(bytes);
  if (encoding === 'euc-kr') return decodeUhc(bytes, fatal);
  if (!fatal) return new TextDecoder(label).decode(bytes);
  try {
    return new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
