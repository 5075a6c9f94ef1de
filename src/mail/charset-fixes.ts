/**
 * Decoders where Node's `TextDecoder` departs from the WHATWG Encoding Standard, which defines
 * what mail labels mean in practice:
 * - `windows-1252` (also every `iso-8859-1` and `us-ascii` label, WHATWG §4.2) is read by Node as
 *   ISO-8859-1, so 0x80–0x9F come out as C1 controls instead of € ‘ ’ “ ” – — …;
 * - `euc-kr` (also `ks_c_5601-1987`) lacks the 8,822 Hangul syllables of Unified Hangul Code
 *   (CP949), in which Korean mail is written, and passes their bytes through silently.
 * UHC places the syllables that KS X 1001 lacks, in Unicode order, at lead bytes 0x81–0xC6 with
 * trail bytes 0x41–0x5A, 0x61–0x7A and 0x81–0xFE (0x81–0xA0 only from lead 0xA1), so the table is
 * computed here from Node's own KS X 1001 decoding rather than stored.
 */

/** WHATWG index-windows-1252 for 0x80–0x9F; the five unassigned bytes stay C1 controls. */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(bytes: Uint8Array): string {
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return latin1.replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
}

let uhcTable: Map<number, string> | null = null;

function uhc(): Map<number, string> {
  if (uhcTable) return uhcTable;
  const table = new Map<number, string>();
  const ks = new TextDecoder('euc-kr', { fatal: true });
  const inKs = new Set<number>();
  for (let lead = 0xa1; lead <= 0xfe; lead++) {
    for (let trail = 0xa1; trail <= 0xfe; trail++) {
      let ch: string;
      try {
        ch = ks.decode(Uint8Array.of(lead, trail));
      } catch {
        continue;
      }
      if (ch.length === 0 || ch === '\ufffd') continue;
      table.set((lead << 8) | trail, ch);
      const cp = ch.codePointAt(0)!;
      if (cp >= 0xac00 && cp <= 0xd7a3) inKs.add(cp);
    }
  }
  let syllable = 0xac00;
  const next = () => {
    while (inKs.has(syllable)) syllable++;
    return syllable <= 0xd7a3 ? String.fromCharCode(syllable++) : null;
  };
  for (let lead = 0x81; lead <= 0xc6; lead++) {
    const trails = [
      [0x41, 0x5a],
      [0x61, 0x7a],
      [0x81, lead <= 0xa0 ? 0xfe : 0xa0],
    ];
    for (const [from, to] of trails) {
      for (let trail = from!; trail <= to!; trail++) {
        const ch = next();
        if (ch === null) break;
        table.set((lead << 8) | trail, ch);
      }
    }
  }
  uhcTable = table;
  return table;
}

/** WHATWG EUC-KR (= UHC) decoder; null in fatal mode on an invalid sequence. */
function decodeUhc(bytes: Uint8Array, fatal: boolean): string | null {
  const table = uhc();
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x80) {
      out.push(String.fromCharCode(b));
      continue;
    }
    const t = bytes[i + 1];
    const ch = t === undefined ? undefined : table.get((b << 8) | t);
    if (ch !== undefined) {
      out.push(ch);
      i++;
      continue;
    }
    if (fatal) return null;
    out.push('\ufffd');
    // An ASCII byte after a bad lead is a character of its own (WHATWG §5.1.1, EUC-KR decoder).
    if (t !== undefined && t >= 0x80) i++;
  }
  return out.join('');
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
