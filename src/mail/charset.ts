/**
 * Character-set decoding for header text. Japanese mail still arrives as ISO-2022-JP (RFC 1468),
 * Shift_JIS or EUC-JP, often mislabelled, sometimes as raw 8-bit bytes in a header, and phishing
 * kits break encoded words on purpose. mailparser's decoder silently falls back to UTF-8; here we
 * need the same best effort plus a warning naming what was guessed, so this file decodes RFC 2047
 * encoded words itself with the WHATWG decoders Node ships (`TextDecoder`, full ICU).
 *
 * The libraries were weighed for this and not used: `libmime.decodeWords` (mailparser's) turns an
 * encoded word in an unknown or wrong charset into U+FFFD without a sign, so nothing could say
 * what was guessed (the warn-on-guess policy), and decodes windows-1252's 0x81 as U+FFFD
 * (charset-fixes.ts, which takes CP949 from `iconv-lite`); `encoding-japanese`'s detector answers
 * with the first encoding whose byte rules accept the input, so 8-bit Western text (`naïve
 * façade`, `Ça va?` in windows-1252) comes back as Shift_JIS, where `japaneseScore` below reads
 * the decoded text and falls back to windows-1252.
 */
import { decodeBytes } from './charset-fixes.js';
import type { EmailWarning } from './types.js';
import { decodeUtf7, isUtf7Label } from './utf7.js';

/**
 * Labels seen in real mail that the WHATWG encoding registry does not list, or lists for a
 * decoder that is too narrow: Node's `gbk` decoder does not read GB18030's four-byte sequences,
 * and mail labelled GB2312 or GBK is routinely written in the superset, so all of them are read
 * as GB18030; Korean mail labelled `ks_c_5601-1987` is Unified Hangul Code (CP949), which the
 * WHATWG `euc-kr` decoder covers.
 */
const ALIASES: Readonly<Record<string, string>> = {
  cp932: 'shift_jis',
  'x-ms-cp932': 'shift_jis',
  ms932: 'shift_jis',
  'shift-jis': 'shift_jis',
  sjis: 'shift_jis',
  'iso-2022-jp-1': 'iso-2022-jp',
  'iso-2022-jp-2': 'iso-2022-jp',
  'iso-2022-jp-3': 'iso-2022-jp',
  'iso-2022-jp-2004': 'iso-2022-jp',
  'euc-jis-2004': 'euc-jp',
  eucjp: 'euc-jp',
  euc_jp: 'euc-jp',
  'x-euc': 'euc-jp',
  utf8: 'utf-8',
  'ks_c_5601-1987': 'euc-kr',
  ks_c_5601: 'euc-kr',
  cp949: 'euc-kr',
  uhc: 'euc-kr',
  'x-windows-949': 'euc-kr',
  euckr: 'euc-kr',
  gb2312: 'gb18030',
  gbk: 'gb18030',
  'x-gbk': 'gb18030',
  cp936: 'gb18030',
  'windows-936': 'gb18030',
  'euc-cn': 'gb18030',
  euccn: 'gb18030',
  csgb2312: 'gb18030',
  chinese: 'gb18030',
  'gb_2312-80': 'gb18030',
  'iso-ir-58': 'gb18030',
  cp950: 'big5',
  'x-x-big5': 'big5',
  'big5-hkscs': 'big5',
  koi8r: 'koi8-r',
  koi8u: 'koi8-u',
  ascii: 'us-ascii',
  'ansi_x3.4-1968': 'us-ascii',
};

/** Spellings of the ISO 8859 and Windows code page labels that the registry lacks (`win-1251`, `iso8859_5`). */
function canonicalSpelling(label: string): string {
  const iso = /^(?:iso|latin)?[-_ ]?8859[-_ ]?(\d{1,2})$/.exec(label);
  if (iso) return `iso-8859-${iso[1]}`;
  const win = /^(?:windows|win|cp|ms|x-cp)[-_ ]?(125\d|874)$/.exec(label);
  if (win) return `windows-${win[1]}`;
  return label;
}

/** Labels recognised inside a garbled one (`_iso-2022-jp$ESC` is a real sample's charset). */
const EMBEDDED_LABELS = [
  'iso-2022-jp',
  'shift_jis',
  'shift-jis',
  'euc-jp',
  'utf-8',
  'windows-1252',
  'iso-8859-1',
];

export interface ResolvedCharset {
  /** A label `TextDecoder` accepts, or null when nothing usable was found. */
  readonly label: string | null;
  /** The declared label was not usable as written. */
  readonly repaired: boolean;
}

/** Maps a declared charset label to one `TextDecoder` accepts. */
export function resolveCharset(declared: string): ResolvedCharset {
  const d = declared
    .trim()
    .replace(/^["']|["']$/g, '')
    .toLowerCase();
  if (d === '') return { label: null, repaired: false };
  const alias = ALIASES[d] ?? canonicalSpelling(d);
  if (isKnownLabel(alias)) return { label: alias, repaired: false };
  // UTF-7 has no `TextDecoder`; decodeDeclared reads it with utf7.ts. Not guessed inside other labels.
  if (/utf-?7/.test(d)) return { label: null, repaired: false };
  for (const l of EMBEDDED_LABELS) {
    if (d.includes(l)) return { label: ALIASES[l] ?? l, repaired: true };
  }
  return { label: null, repaired: false };
}

function isKnownLabel(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

export interface Decoded {
  readonly text: string;
  /** The charset actually used, when it was guessed rather than declared. */
  readonly guessed: string | null;
}

/**
 * Decodes bytes of unknown encoding: UTF-8 when valid, ISO-2022-JP when it has the RFC 1468
 * escape sequences, otherwise whichever of Shift_JIS and EUC-JP decodes without error and reads
 * more like Japanese, otherwise windows-1252 (which never fails).
 */
export function decodeGuessing(bytes: Uint8Array): Decoded {
  if (isAscii(bytes)) {
    if (hasIso2022Escape(bytes)) return { text: decodeWith('iso-2022-jp', bytes), guessed: 'iso-2022-jp' };
    return { text: latin1(bytes), guessed: null };
  }
  const utf8 = tryDecode('utf-8', bytes);
  if (utf8 !== null) return { text: utf8, guessed: null };
  let best: { label: string; text: string; score: number } | null = null;
  for (const label of ['shift_jis', 'euc-jp']) {
    const text = tryDecode(label, bytes);
    if (text === null) continue;
    const score = japaneseScore(text);
    if (!best || score > best.score) best = { label, text, score };
  }
  if (best && best.score > 0) return { text: best.text, guessed: best.label };
  return { text: decodeWith('windows-1252', bytes), guessed: 'windows-1252' };
}

/** Decodes with a declared charset; when the bytes are invalid for it, falls back to guessing. */
export function decodeDeclared(declared: string, bytes: Uint8Array): Decoded & { repaired: boolean } {
  if (isUtf7Label(declared)) {
    const u = decodeUtf7(bytes);
    if (u.malformed === 0) return { text: u.text, guessed: null, repaired: false };
    const g = decodeGuessing(bytes);
    // Ill-formed UTF-7 that is plain ASCII reads best as written; 8-bit bytes were never UTF-7.
    return isAscii(bytes)
      ? { text: u.text, guessed: 'utf-7', repaired: true }
      : { text: g.text, guessed: g.guessed ?? 'utf-8', repaired: true };
  }
  const cs = resolveCharset(declared);
  if (cs.label === null) {
    const g = decodeGuessing(bytes);
    return { text: g.text, guessed: g.guessed ?? 'utf-8', repaired: true };
  }
  const text = tryDecode(cs.label, bytes);
  if (text !== null) return { text, guessed: cs.repaired ? cs.label : null, repaired: cs.repaired };
  const g = decodeGuessing(bytes);
  return { text: g.text, guessed: g.guessed ?? cs.label, repaired: true };
}

function tryDecode(label: string, bytes: Uint8Array): string | null {
  return decodeBytes(label, bytes, true);
}

function decodeWith(label: string, bytes: Uint8Array): string {
  return decodeBytes(label, bytes, false) ?? '';
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function isAscii(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b >= 0x80) return false;
  return true;
}

/** RFC 1468: ESC $ @ and ESC $ B switch to JIS X 0208. */
function hasIso2022Escape(bytes: Uint8Array): boolean {
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === 0x1b && bytes[i + 1] === 0x24 && (bytes[i + 2] === 0x42 || bytes[i + 2] === 0x40))
      return true;
  }
  return false;
}

/** Hiragana, katakana and common kanji count for; half-width katakana and symbols, a hint of mojibake, against. */
function japaneseScore(text: string): number {
  let score = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if ((c >= 0x3040 && c <= 0x30ff) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3000 && c <= 0x303f))
      score += 2;
    else if (c >= 0xff61 && c <= 0xff9f) score -= 1;
    else if (c >= 0x80 && c < 0x3000) score -= 2;
  }
  return score;
}

/**
 * Text that was decoded as ASCII/UTF-8 but still carries ISO-2022-JP escapes (the label was
 * garbled or missing): re-decode it. The escapes only occur in 7-bit text, so the round trip
 * through latin1 is lossless.
 */
export function repairIso2022(text: string): string | null {
  if (!/\x1b\$[B@]/.test(text) || /[^\x00-\x7f]/.test(text)) return null;
  return decodeWith('iso-2022-jp', Buffer.from(text, 'latin1'));
}

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

/**
 * Decodes an unstructured header value (RFC 2047 §2, §5(1)) given as its raw bytes in latin1:
 * encoded words, white space between adjacent encoded words dropped (§6.2), raw 8-bit bytes
 * guessed. Problems become warnings prefixed with `what`.
 */
export function decodeHeaderText(rawLatin1: string, what: string, warnings: EmailWarning[]): string {
  const out: string[] = [];
  let last = 0;
  let run: EncodedWord[] = [];
  const flush = () => {
    if (run.length > 0) out.push(decodeWordRun(run, what, warnings));
    run = [];
  };
  ENCODED_WORD.lastIndex = 0;
  for (let m = ENCODED_WORD.exec(rawLatin1); m; m = ENCODED_WORD.exec(rawLatin1)) {
    const between = rawLatin1.slice(last, m.index);
    if (!(run.length > 0 && /^[ \t\r\n]*$/.test(between))) {
      flush();
      out.push(decodeRaw(between, what, warnings));
    }
    const charset = m[1]!.split('*', 1)[0]!; // RFC 2231 §5 language suffix
    run.push({ charset, bytes: decodeWordPayload(m[2]!.toUpperCase(), m[3]!, what, warnings) });
    last = m.index + m[0].length;
  }
  flush();
  const tail = rawLatin1.slice(last);
  if (/=\?[^?\s]+\?[BbQq]\?/.test(tail)) {
    warnings.push({
      kind: 'malformed',
      message: `${what}: an encoded word is not terminated; left as written`,
    });
  }
  out.push(decodeRaw(tail, what, warnings));
  return out.join('').replace(/\s+/g, ' ').trim();
}

interface EncodedWord {
  readonly charset: string;
  readonly bytes: Buffer;
}

/** A character is at most four bytes in every charset here, so it never spans more words than this. */
const MAX_JOINED_WORDS = 4;

/**
 * Adjacent encoded words, decoded each on its own (RFC 2047 §5: each holds whole characters, and
 * an ISO-2022-JP word ends back in ASCII, RFC 1468 — joining their bytes would put an escape right
 * after an escape, which a decoder must report as an error, WHATWG Encoding §12.2.1). A word that
 * does not decode alone is tried with the next words of the same charset, for the senders that do
 * split a character between words; failing that it is decoded best effort, with a warning.
 */
function decodeWordRun(words: readonly EncodedWord[], what: string, warnings: EmailWarning[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < words.length) {
    const first = words[i]!;
    let taken = 0;
    for (let n = 1; n <= MAX_JOINED_WORDS && i + n <= words.length; n++) {
      if (words[i + n - 1]!.charset.toLowerCase() !== first.charset.toLowerCase()) break;
      const bytes = n === 1 ? first.bytes : Buffer.concat(words.slice(i, i + n).map((w) => w.bytes));
      const text = decodeStrict(first.charset, bytes);
      if (text !== null) {
        out.push(text);
        taken = n;
        break;
      }
    }
    if (taken === 0) {
      const d = decodeDeclared(first.charset, first.bytes);
      if (d.repaired) {
        warnings.push({
          kind: 'guessed',
          message: `${what}: encoded word in charset "${first.charset}" decoded as ${d.guessed ?? 'unknown'} (best effort)`,
        });
      }
      out.push(d.text);
      taken = 1;
    }
    i += taken;
  }
  return out.join('');
}

/** The text when the bytes are valid in the declared charset, else null. */
function decodeStrict(declared: string, bytes: Uint8Array): string | null {
  if (isUtf7Label(declared)) {
    const u = decodeUtf7(bytes);
    return u.malformed === 0 ? u.text : null;
  }
  const cs = resolveCharset(declared);
  return cs.label === null || cs.repaired ? null : tryDecode(cs.label, bytes);
}

function decodeRaw(latin1Text: string, what: string, warnings: EmailWarning[]): string {
  if (latin1Text === '') return '';
  const bytes = Buffer.from(latin1Text, 'latin1');
  const d = decodeGuessing(bytes);
  if (d.guessed) {
    warnings.push({
      kind: 'guessed',
      message: `${what}: raw 8-bit or escaped text decoded as ${d.guessed} (best effort)`,
    });
  }
  return d.text;
}

function decodeWordPayload(
  encoding: string,
  payload: string,
  what: string,
  warnings: EmailWarning[],
): Buffer {
  if (encoding === 'B') {
    const clean = payload.replace(/=+$/, '');
    if (!/^[A-Za-z0-9+/]*$/.test(clean) || clean.length % 4 === 1) {
      warnings.push({
        kind: 'malformed',
        message: `${what}: invalid base64 in an encoded word; decoded what could be`,
      });
    }
    return Buffer.from(clean.replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
  }
  // RFC 2047 §4.2: "_" is a space, =XX a byte.
  const bytes: number[] = [];
  for (let i = 0; i < payload.length; i++) {
    const c = payload.charCodeAt(i);
    if (c === 0x5f) bytes.push(0x20);
    else if (c === 0x3d && /^[0-9A-Fa-f]{2}$/.test(payload.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(payload.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c & 0xff);
  }
  return Buffer.from(bytes);
}
