/**
 * UTF-7 (RFC 2152), which spam still uses to hide text and links from filters that only read
 * ASCII: `+` opens a run of modified base64 (RFC 2152 §3 rule 2) holding UTF-16 code units,
 * big-endian; the run ends at the first character outside the base64 alphabet, and a `-` that
 * ends it is absorbed; `+-` is a literal `+`. `TextDecoder` has no UTF-7, and `iconv-lite`'s
 * decoder drops a `+` that opens no character (`1+1=2` becomes `1=2`), lets a lone surrogate
 * through and counts nothing ill-formed, which the warn-on-guess policy needs: decoded here.
 *
 * The result is data, never markup: a body that decodes to `<script>` is shown escaped like any
 * other text, which is why decoding it is safe here though a mail renderer must refuse it.
 */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < B64.length; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

/** Labels under which UTF-7 is declared in the wild (IANA and the names mail clients write). */
const UTF7_LABELS = new Set(['utf-7', 'utf7', 'unicode-1-1-utf-7', 'csunicode11utf7', 'x-unicode-2-0-utf-7']);

export function isUtf7Label(label: string): boolean {
  return UTF7_LABELS.has(
    label
      .trim()
      .replace(/^["']|["']$/g, '')
      .toLowerCase(),
  );
}

export interface Utf7Result {
  readonly text: string;
  /** Ill-formed sequences met (RFC 2152 §3: a run whose leftover bits are not zero, a lone surrogate, 8-bit bytes). */
  readonly malformed: number;
}

/** Decodes UTF-7 bytes (or their latin1 string); bytes ≥ 0x80 are not UTF-7 and become U+FFFD. */
export function decodeUtf7(input: Uint8Array | string): Utf7Result {
  const s = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  const out: string[] = [];
  let malformed = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      out.push('\ufffd');
      malformed++;
      i++;
      continue;
    }
    if (c !== 0x2b) {
      // Copy the direct characters up to the next shift in one slice.
      let j = i + 1;
      while (j < s.length && s.charCodeAt(j) !== 0x2b && s.charCodeAt(j) < 0x80) j++;
      out.push(s.slice(i, j));
      i = j;
      continue;
    }
    if (s.charCodeAt(i + 1) === 0x2d) {
      out.push('+');
      i += 2;
      continue;
    }
    const run = readRun(s, i + 1);
    out.push(run.text);
    malformed += run.malformed;
    i = run.end;
  }
  return { text: out.join(''), malformed };
}

/** One base64 run starting at `from` (just after the `+`). */
function readRun(s: string, from: number): { text: string; end: number; malformed: number } {
  const units: number[] = [];
  let bits = 0;
  let nbits = 0;
  let i = from;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64_VALUE[c]! : -1;
    if (v < 0) break;
    bits = ((bits << 6) | v) & 0xffffff;
    nbits += 6;
    if (nbits >= 16) {
      nbits -= 16;
      units.push((bits >> nbits) & 0xffff);
    }
  }
  let malformed = 0;
  // RFC 2152 §3: the bits left over at the end of a run must be zero and fewer than six.
  if (nbits >= 6 || (bits & ((1 << nbits) - 1)) !== 0) malformed++;
  const end = i < s.length && s.charCodeAt(i) === 0x2d ? i + 1 : i;
  // A "+" that opens no character ("1+1=2" written by someone who did not escape it) is kept as written.
  if (units.length === 0) return { text: s.slice(from - 1, i), end: i, malformed: 1 };
  const parts: string[] = [];
  for (let k = 0; k < units.length; k += 8192) parts.push(String.fromCharCode(...units.slice(k, k + 8192)));
  // A lone surrogate cannot be shown: it becomes U+FFFD and counts as ill-formed.
  const text = parts
    .join('')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, () => {
      malformed++;
      return '\ufffd';
    });
  return { text, end, malformed };
}
