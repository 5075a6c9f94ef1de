/**
 * Pre-MIME file encodings that mail still carries: uuencode (POSIX `uuencode`, also its
 * `begin-base64` form), yEnc (yEnc 1.3) and BinHex 4.0 (the format RFC 1741 labels
 * `application/mac-binhex40`). Spam tools and old clients send a malware zip this way, in a part
 * marked `Content-Transfer-Encoding: x-uuencode` or pasted into the text; left encoded, its hash,
 * size and type are those of the text and its contents are never inspected. Each decoder is
 * lenient where mail transport damages the encoding (trailing spaces stripped) and says what it
 * found wrong; a decoder that cannot recover the file returns null and the caller flags it.
 */
import { crc32 } from 'node:zlib';

export type LegacyEncoding = 'uuencode' | 'yenc' | 'binhex';

export interface LegacyFile {
  readonly encoding: LegacyEncoding;
  /** The name the encoding carries, or null. */
  readonly name: string | null;
  readonly content: Buffer;
  /** What was wrong but recovered from (a missing end line, a size or checksum mismatch). */
  readonly problems: readonly string[];
}

/** Recognises the start of an encoded file at the beginning of `text` (leading blank lines allowed). */
export function legacyEncodingOf(text: string): LegacyEncoding | null {
  const head = text.slice(0, 4096).replace(/^\s+/, '');
  if (UU_BEGIN.test(head)) return 'uuencode';
  if (/^=ybegin /.test(head)) return 'yenc';
  if (/^\(This file must be converted with BinHex/i.test(head)) return 'binhex';
  return null;
}

/** Decodes a whole part (content as latin1 text). */
export function decodeLegacy(encoding: LegacyEncoding, latin1: string): LegacyFile | null {
  switch (encoding) {
    case 'uuencode': {
      const m = new RegExp(UU_BEGIN_LINE.source, 'm').exec(latin1);
      return m ? uudecodeAt(latin1, m.index).file : null;
    }
    case 'yenc':
      return ydecode(latin1);
    case 'binhex':
      return binhexAt(latin1, 0)?.file ?? null;
  }
}

// `begin 644 name` (mode in octal), or `begin-base64 644 name` (POSIX uuencode -m).
const UU_BEGIN = /^begin(-base64)? [0-7]{3,4} \S/;
const UU_BEGIN_LINE = /^begin(-base64)? ([0-7]{3,4}) ([^\r\n]+?)[ \t]*\r?$/gm;

export interface LegacyBlock {
  /** Offsets of the block in the text, from its first line to its last inclusive. */
  readonly start: number;
  readonly end: number;
  readonly file: LegacyFile;
}

/** Every uuencoded or BinHex block written into a text body, in order, at most `max`. */
export function findLegacyBlocks(text: string, max: number): LegacyBlock[] {
  const out = [...findUuBlocks(text, max), ...findBinhexBlocks(text, max)];
  out.sort((a, b) => a.start - b.start);
  const kept: LegacyBlock[] = [];
  for (const b of out)
    if (kept.length < max && (kept.length === 0 || b.start >= kept[kept.length - 1]!.end)) kept.push(b);
  return kept;
}

function findBinhexBlocks(text: string, max: number): LegacyBlock[] {
  const out: LegacyBlock[] = [];
  const re = /^\(This file must be converted with BinHex[^)\n]*\)/gim;
  for (let m = re.exec(text); m && out.length < max; m = re.exec(text)) {
    const r = binhexAt(text, m.index);
    if (!r) continue;
    out.push({ start: m.index, end: r.end, file: r.file });
    re.lastIndex = r.end;
  }
  return out;
}

function findUuBlocks(text: string, max: number): LegacyBlock[] {
  const out: LegacyBlock[] = [];
  UU_BEGIN_LINE.lastIndex = 0;
  for (let m = UU_BEGIN_LINE.exec(text); m && out.length < max; m = UU_BEGIN_LINE.exec(text)) {
    const r = uudecodeAt(text, m.index);
    // A "begin 644 x" line followed by prose is not a file: require at least one data line.
    if (r.file.content.length === 0 && r.lines === 0) continue;
    out.push({ start: m.index, end: r.end, file: r.file });
    UU_BEGIN_LINE.lastIndex = r.end;
  }
  return out;
}

function uudecodeAt(text: string, start: number): { file: LegacyFile; end: number; lines: number } {
  const re = new RegExp(UU_BEGIN_LINE.source, 'gm');
  re.lastIndex = start;
  const m = re.exec(text)!;
  const base64 = m[1] !== undefined;
  const name = m[3]!;
  let pos = m.index + m[0].length + 1;
  const chunks: Buffer[] = [];
  const problems: string[] = [];
  let badLines = 0;
  let lines = 0;
  let ended = false;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl === -1 ? text.length : nl;
    const line = text.slice(pos, lineEnd).replace(/\r$/, '');
    pos = nl === -1 ? text.length : nl + 1;
    if (base64 ? line === '====' : line.trimEnd() === 'end') {
      ended = true;
      break;
    }
    if (base64) {
      if (!/^[A-Za-z0-9+/=]*$/.test(line)) break;
      chunks.push(Buffer.from(line, 'base64'));
    } else {
      const decoded = uudecodeLine(line);
      if (decoded === null) {
        if (line.trim() === '') continue;
        badLines++;
        if (badLines > 3) break; // prose after a block whose end line was lost
        continue;
      }
      chunks.push(decoded);
    }
    lines++;
  }
  if (!ended) problems.push(`no "${base64 ? '====' : 'end'}" line: the file may be truncated`);
  if (badLines > 0) problems.push(`${badLines} line(s) are not uuencoded data and were skipped`);
  return {
    file: { encoding: 'uuencode', name, content: Buffer.concat(chunks), problems },
    end: pos,
    lines,
  };
}

/**
 * One uuencoded line: a length character, then 4 characters per 3 bytes, each `(c - 32) & 63`.
 * Old encoders write a zero as a space and transport strips trailing spaces, so a short line is
 * padded with zeros; a line with characters outside the alphabet (prose, lower case) is not data.
 */
function uudecodeLine(line: string): Buffer | null {
  if (line === '' || /[^\x20-\x60]/.test(line)) return null;
  const n = (line.charCodeAt(0) - 32) & 63;
  if (n === 0) return Buffer.alloc(0);
  const groups = Math.ceil(n / 3);
  // Some encoders add a checksum character; more than that is not a line of this length.
  if (line.length - 1 > groups * 4 + 2) return null;
  const out = Buffer.alloc(groups * 3);
  const at = (i: number) => (i < line.length ? (line.charCodeAt(i) - 32) & 63 : 0);
  for (let g = 0; g < groups; g++) {
    const [a, b, c, d] = [at(1 + g * 4), at(2 + g * 4), at(3 + g * 4), at(4 + g * 4)];
    out[g * 3] = (a << 2) | (b >> 4);
    out[g * 3 + 1] = ((b & 15) << 4) | (c >> 2);
    out[g * 3 + 2] = ((c & 3) << 6) | d;
  }
  return out.subarray(0, n);
}

function yParam(line: string, key: string): string | null {
  const m = new RegExp(`(?:^| )${key}=(\\S+)`).exec(line);
  return m ? m[1]! : null;
}

/** yEnc 1.3: each byte is `(b + 42) mod 256`, critical ones escaped as `=` then `(b + 106) mod 256`. */
function ydecode(latin1: string): LegacyFile | null {
  const begin = /^=ybegin (.*)$/m.exec(latin1);
  if (!begin) return null;
  const beginLine = begin[1]!.replace(/\r$/, '');
  // The name is the rest of the line (it may hold spaces).
  const name = /(?:^| )name=(.*)$/.exec(beginLine)?.[1]?.trim() ?? null;
  const afterLine = (from: number) => {
    const nl = latin1.indexOf('\n', from);
    return nl === -1 ? latin1.length : nl + 1;
  };
  let pos = afterLine(begin.index);
  if (latin1.startsWith('=ypart ', pos)) pos = afterLine(pos);
  const endAt = latin1.indexOf('\n=yend', pos - 1);
  const data = latin1.slice(pos, endAt === -1 ? latin1.length : endAt + 1);
  const out = Buffer.alloc(data.length);
  let o = 0;
  for (let i = 0; i < data.length; i++) {
    const c = data.charCodeAt(i);
    if (c === 0x0d || c === 0x0a) continue;
    if (c === 0x3d && i + 1 < data.length) {
      i++;
      out[o++] = (data.charCodeAt(i) - 106) & 0xff;
    } else out[o++] = (c - 42) & 0xff;
  }
  const content = out.subarray(0, o);
  const problems: string[] = [];
  if (endAt === -1) problems.push('no "=yend" line: the file may be truncated');
  else {
    const eol = latin1.indexOf('\n', endAt + 1);
    const trailer = latin1.slice(endAt + 1, eol === -1 ? latin1.length : eol);
    const size = Number(yParam(trailer, 'size') ?? Number.NaN);
    if (Number.isFinite(size) && size !== content.length)
      problems.push(`decoded ${content.length} bytes where the trailer says ${size}`);
    const crc = yParam(trailer, 'pcrc32') ?? yParam(trailer, 'crc32');
    if (crc !== null && Number.parseInt(crc, 16) !== crc32(content))
      problems.push('the CRC-32 in the trailer does not match');
  }
  const declared = Number(yParam(beginLine, 'size') ?? Number.NaN);
  if (yParam(beginLine, 'part') !== null && declared !== content.length)
    problems.push(`part of a multi-part yEnc file (${content.length} of ${declared} bytes)`);
  return { encoding: 'yenc', name, content, problems };
}

const BINHEX_ALPHABET = '!"#$%&\'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr';
const BINHEX_VALUE = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < BINHEX_ALPHABET.length; i++) t[BINHEX_ALPHABET.charCodeAt(i)] = i;
  return t;
})();

/**
 * BinHex 4.0: 6-bit characters between two colons, run-length encoded with 0x90, then a header
 * (name, type, creator, flags, fork lengths, CRC) and the data and resource forks, each followed
 * by a CRC-16/XMODEM. The data fork is the file.
 */
function binhexAt(latin1: string, from: number): { file: LegacyFile; end: number } | null {
  const intro = /\(This file must be converted with BinHex[^)]*\)/i.exec(latin1.slice(from, from + 4096));
  if (!intro) return null;
  const open = latin1.indexOf(':', from + intro.index + intro[0].length);
  if (open === -1) return null;
  let end = latin1.length;
  const bytes: number[] = [];
  let bits = 0;
  let nbits = 0;
  let closed = false;
  for (let i = open + 1; i < latin1.length; i++) {
    const c = latin1.charCodeAt(i);
    if (c === 0x3a) {
      closed = true;
      end = i + 1;
      break;
    }
    if (c === 0x0d || c === 0x0a || c === 0x20 || c === 0x09) continue;
    const v = c < 128 ? BINHEX_VALUE[c]! : -1;
    if (v < 0) {
      end = i;
      break;
    }
    bits = ((bits << 6) | v) & 0xffffff;
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      bytes.push((bits >> nbits) & 0xff);
    }
  }
  const data = unRle(bytes);
  const nameLength = data[0];
  if (nameLength === undefined || data.length < 1 + nameLength + 1 + 4 + 4 + 2 + 4 + 4 + 2) return null;
  const name = data.toString('latin1', 1, 1 + nameLength);
  let at = 1 + nameLength + 1 + 4 + 4 + 2;
  const dataLength = data.readUInt32BE(at);
  const resourceLength = data.readUInt32BE(at + 4);
  const problems: string[] = [];
  if (crc16(data.subarray(0, at + 8)) !== data.readUInt16BE(at + 8))
    problems.push('the header CRC does not match');
  at += 10;
  const fork = data.subarray(at, Math.min(data.length, at + dataLength));
  if (fork.length < dataLength) problems.push(`the data fork is cut (${fork.length} of ${dataLength} bytes)`);
  else if (data.length >= at + dataLength + 2 && crc16(fork) !== data.readUInt16BE(at + dataLength))
    problems.push('the data fork CRC does not match');
  if (!closed) problems.push('no closing ":": the file may be truncated');
  if (resourceLength > 0) problems.push(`a resource fork of ${resourceLength} bytes was not examined`);
  return { file: { encoding: 'binhex', name, content: Buffer.from(fork), problems }, end };
}

/** BinHex run-length encoding: 0x90 n repeats the previous byte n−1 more times; 0x90 0 is a literal 0x90. */
function unRle(bytes: readonly number[]): Buffer {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b !== 0x90) {
      out.push(b);
      continue;
    }
    const n = bytes[++i];
    if (n === undefined) break;
    if (n === 0) out.push(0x90);
    else {
      const prev = out[out.length - 1] ?? 0;
      for (let k = 1; k < n; k++) out.push(prev);
    }
  }
  return Buffer.from(out);
}

/** CRC-16/XMODEM (polynomial 0x1021, initial value 0), as BinHex 4.0 uses it. */
function crc16(b: Uint8Array): number {
  let crc = 0;
  for (const x of b) {
    crc ^= x << 8;
    for (let k = 0; k < 8; k++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}
