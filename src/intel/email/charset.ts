/**
 * Character-set decoding for header text. Japanese mail still arrives as ISO-2022-JP (RFC 1468),
 * Shift_JIS or EUC-JP, often mislabelled, sometimes as raw 8-bit bytes in a header, and phishing
 * kits break encoded words on purpose. mailparser's decoder silently falls back to UTF-8; here we
 * need the same best effort plus a warning naming what was guessed, so this file decodes RFC 2047
 * encoded words itself with the WHATWG decoders Node ships (`TextDecoder`, full ICU).
 */
import type { EmailWarning } from './types.js';

/** Labels seen in real mail that the WHATWG encoding registry does not list. */
const ALIASES: Readonly<Record<string, string>> = {
  cp932: 'shift_jis',
  'x-ms-cp932': 'shift_jis',
  ms932: 'shift_jis',
  'shift-jis': 'shift_jis',
  'iso-2022-jp-1': 'iso-2022-jp',
  'iso-2022-jp-2': 'iso-2022-jp',
  'iso-2022-jp-3': 'iso-2022-jp',
  'iso-2022-jp-2004': 'iso-2022-jp',
  'euc-jis-2004': 'euc-jp',
  eucjp: 'euc-jp',
  'x-euc': 'euc-jp',
  utf8: 'utf-8',
  'ks_c_5601-1987': 'euc-kr',
  ascii: 'us-ascii',
  'ansi_x3.4-1968': 'us-ascii',
};

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
  const alias = ALIASES[d] ?? d;
  if (isKnownLabel(alias)) return { label: alias, repaired: false };
  // UTF-7 is refused on purpose (RFC 2152 lets `+ADw-script+AD4-` smuggle markup past filters).
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
  try {
    return new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function decodeWith(label: string, bytes: Uint8Array): string {
  return new TextDecoder(label).decode(bytes);
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
 * encoded words, white space between adjacent encoded words dropped (§6.2), adjacent words of
 * one charset joined before decoding so a character split across them survives, raw 8-bit
 * bytes guessed. Problems become warnings prefixed with `what`.
 */
export function decodeHeaderText(rawLatin1: string, what: string, warnings: EmailWarning[]): string {
  const out: string[] = [];
  let last = 0;
  let pending: { charset: string; bytes: Buffer[] } | null = null;
  const flush = () => {
    if (!pending) return;
    const bytes = Buffer.concat(pending.bytes);
    const d = decodeDeclared(pending.charset, bytes);
    if (d.repaired) {
      warnings.push({
        kind: 'guessed',
        message: `${what}: encoded word in charset "${pending.charset}" decoded as ${d.guessed ?? 'unknown'} (best effort)`,
      });
    }
    out.push(d.text);
    pending = null;
  };
  ENCODED_WORD.lastIndex = 0;
  for (let m = ENCODED_WORD.exec(rawLatin1); m; m = ENCODED_WORD.exec(rawLatin1)) {
    const between = rawLatin1.slice(last, m.index);
    if (!(pending && /^[ \t\r\n]*$/.test(between))) {
      flush();
      out.push(decodeRaw(between, what, warnings));
    }
    const charset = m[1]!.split('*', 1)[0]!; // RFC 2231 §5 language suffix
    const bytes = decodeWordPayload(m[2]!.toUpperCase(), m[3]!, what, warnings);
    if (pending && pending.charset.toLowerCase() === charset.toLowerCase()) pending.bytes.push(bytes);
    else {
      flush();
      pending = { charset, bytes: [bytes] };
    }
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
