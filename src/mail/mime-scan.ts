/**
 * A linear pre-pass over the raw message that enforces the structural limits before mailparser
 * sees it. mailparser (mailsplit) refuses a message outright when a header block passes 1 MiB or
 * the part count passes its ceiling; a report should instead be parsed as far as is safe and say
 * what was cut. So this pass follows the multipart structure (RFC 2046 §5.1.1 delimiters) and
 * rewrites the input: over-long header lines are cut, a multipart nested too deep becomes one
 * opaque part, and everything after the part limit is dropped (the open multiparts are closed).
 */
import { UTF7_RELABEL } from './body-charset.js';
import type { EmailLimits } from './limits.js';
import type { EmailWarning } from './types.js';
import { isUtf7Label } from './utf7.js';

export interface MimeScan {
  /** The input, or a rewritten copy when a limit was applied. */
  readonly raw: Buffer;
  /** MIME parts seen, the message itself included (after truncation). */
  readonly parts: number;
  /** Deepest multipart nesting seen. */
  readonly maxDepth: number;
  /** Charset parameters declared by any part, as written (for decoding warnings). */
  readonly charsets: readonly string[];
  readonly warnings: readonly EmailWarning[];
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly replacement: Buffer;
}

interface HeadLine {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const DASH = 0x2d;

function byteTable(chars: string, extra: readonly number[] = []): Uint8Array {
  const t = new Uint8Array(256);
  for (const c of chars) t[c.charCodeAt(0)] = 1;
  for (const b of extra) t[b] = 1;
  return t;
}
const BASE64_BYTE = byteTable(
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=',
  [0x20, 0x09, 0x0d],
);
const HEX_BYTE = byteTable('0123456789ABCDEFabcdef');
const CRLF = Buffer.from('\r\n');

export function scanMime(raw: Buffer, limits: EmailLimits): MimeScan {
  const s = new Scanner(raw, limits);
  s.run();
  return {
    raw: s.output(),
    parts: s.parts,
    maxDepth: s.maxDepth,
    charsets: [...s.charsets],
    warnings: s.warnings,
  };
}

class Scanner {
  parts = 1;
  maxDepth = 0;
  readonly charsets = new Set<string>();
  readonly warnings: EmailWarning[] = [];
  private readonly edits: Edit[] = [];
  /** Delimiter prefixes (`--boundary`) of the open multiparts, outermost first. */
  private readonly stack: Buffer[] = [];
  private inHead = true;
  private head: HeadLine[] = [];
  private headBytes = 0;
  private cutLines = 0;
  private droppedHeadBytes = 0;
  private deepParts = 0;
  /** Top-level types declared without a subtype, and how often. */
  private readonly bareTypes = new Map<string, number>();
  /** Transfer encoding of the part whose body is being read, and whether it was already found broken. */
  private encoding: 'base64' | 'quoted-printable' | null = null;
  private encodingBroken = false;
  private brokenBase64 = 0;
  private brokenQp = 0;

  constructor(
    private readonly raw: Buffer,
    private readonly limits: EmailLimits,
  ) {}

  run(): void {
    const raw = this.raw;
    let pos = 0;
    while (pos < raw.length) {
      const nl = raw.indexOf(0x0a, pos);
      const next = nl === -1 ? raw.length : nl + 1;
      let end = nl === -1 ? raw.length : nl;
      if (end > pos && raw[end - 1] === 0x0d) end--;
      if (this.stack.length > 0 && end - pos >= 2 && raw[pos] === DASH && raw[pos + 1] === DASH) {
        const hit = this.matchDelimiter(pos, end);
        if (hit) {
          if (this.inHead) this.endHead();
          this.stack.length = hit.level + 1;
          this.encoding = null;
          if (hit.close) {
            this.stack.pop();
            this.inHead = false;
          } else if (++this.parts > this.limits.maxParts) {
            this.parts--;
            this.truncateAt(pos);
            break;
          } else {
            this.inHead = true;
          }
          pos = next;
          continue;
        }
      }
      if (this.inHead) this.headLine(pos, end, next);
      else if (this.encoding !== null && !this.encodingBroken) this.checkEncoding(pos, end);
      pos = next;
    }
    if (this.inHead) this.endHead();
    this.summarise();
  }

  /** RFC 2046 §5.1.1: `--boundary` then optional `--`, then only linear white space. */
  private matchDelimiter(start: number, end: number): { level: number; close: boolean } | null {
    for (let level = this.stack.length - 1; level >= 0; level--) {
      const delim = this.stack[level]!;
      if (
        end - start < delim.length ||
        this.raw.compare(delim, 0, delim.length, start, start + delim.length) !== 0
      ) {
        continue;
      }
      let i = start + delim.length;
      let close = false;
      if (end - i >= 2 && this.raw[i] === DASH && this.raw[i + 1] === DASH) {
        close = true;
        i += 2;
      }
      while (i < end && (this.raw[i] === 0x20 || this.raw[i] === 0x09)) i++;
      if (i === end) return { level, close };
    }
    return null;
  }

  private headLine(start: number, end: number, next: number): void {
    if (end === start) {
      this.endHead();
      this.inHead = false;
      return;
    }
    const length = end - start;
    if (this.headBytes + Math.min(length, this.limits.maxHeaderLineBytes) > this.limits.maxHeaderBlockBytes) {
      this.droppedHeadBytes += next - start;
      this.edits.push({ start, end: next, replacement: Buffer.alloc(0) });
      return;
    }
    let textEnd = end;
    if (length > this.limits.maxHeaderLineBytes) {
      this.cutLines++;
      textEnd = start + this.limits.maxHeaderLineBytes;
      this.edits.push({
        start,
        end: next,
        replacement: Buffer.concat([this.raw.subarray(start, textEnd), CRLF]),
      });
    }
    this.headBytes += textEnd - start;
    this.head.push({ start, end: next, text: this.raw.toString('latin1', start, textEnd) });
  }

  private endHead(): void {
    const fields = unfold(this.head);
    const ct = fields.find((f) => f.name === 'content-type');
    if (ct) this.contentType(ct);
    const cte = fields.find((f) => f.name === 'content-transfer-encoding')?.value.toLowerCase();
    this.encoding = cte === 'base64' || cte === 'quoted-printable' ? cte : null;
    this.encodingBroken = false;
    this.head = [];
    this.headBytes = 0;
  }

  private contentType(field: UnfoldedField): void {
    const value = field.value;
    const charset = /(?:^|;)\s*charset\s*=\s*(?:"([^"]*)"|([^\s;]+))/i.exec(value);
    if (charset) this.charsets.add((charset[1] ?? charset[2] ?? '').trim());
    const fixed = repairContentType(value);
    if (fixed.missingSubtype !== null)
      this.bareTypes.set(fixed.missingSubtype, (this.bareTypes.get(fixed.missingSubtype) ?? 0) + 1);
    const type = fixed.value.split(';', 1)[0]!.trim().toLowerCase();
    if (!type.startsWith('multipart/')) {
      if (fixed.value !== value) this.replaceField(field, `Content-Type: ${fixed.value}\r\n`);
      return;
    }
    const boundary = /(?:^|;)\s*boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(value);
    const b = boundary ? (boundary[1] ?? boundary[2] ?? '') : '';
    if (b === '') {
      this.warnings.push({
        kind: 'malformed',
        message: `a ${type} part has no boundary parameter; read as one part`,
      });
      return;
    }
    if (this.stack.length + 1 > this.limits.maxMimeDepth) {
      // Replace the Content-Type so that mailparser treats the whole subtree as one opaque body.
      this.deepParts++;
      this.replaceField(field, 'Content-Type: application/octet-stream\r\n');
      return;
    }
    if (fixed.value !== value) this.replaceField(field, `Content-Type: ${fixed.value}\r\n`);
    this.stack.push(Buffer.from(`--${b}`, 'latin1'));
    if (this.stack.length > this.maxDepth) this.maxDepth = this.stack.length;
  }

  /** Replaces a whole (possibly folded) header field, dropping the cuts made inside it. */
  private replaceField(field: UnfoldedField, text: string): void {
    for (let i = this.edits.length - 1; i >= 0; i--) {
      const e = this.edits[i]!;
      if (e.start >= field.start && e.end <= field.end) this.edits.splice(i, 1);
    }
    this.edits.push({ start: field.start, end: field.end, replacement: Buffer.from(text, 'latin1') });
  }

  /** RFC 2045 §6.8 (base64 alphabet) and §6.7 (`=` only before two hex digits or a line break). */
  private checkEncoding(start: number, end: number): void {
    const raw = this.raw;
    let bad = false;
    if (this.encoding === 'base64') {
      for (let i = start; i < end && !bad; i++) bad = BASE64_BYTE[raw[i]!] === 0;
    } else {
      for (let i = start; i < end && !bad; i++) {
        if (raw[i] !== 0x3d) continue;
        let j = i + 1;
        while (j < end && (raw[j] === 0x20 || raw[j] === 0x09)) j++;
        if (j === end) break; // soft line break
        bad = end - i < 3 || HEX_BYTE[raw[i + 1]!] === 0 || HEX_BYTE[raw[i + 2]!] === 0;
      }
    }
    if (!bad) return;
    this.encodingBroken = true;
    if (this.encoding === 'base64') this.brokenBase64++;
    else this.brokenQp++;
  }

  private truncateAt(pos: number): void {
    const closing = this.stack
      .slice()
      .reverse()
      .map((d) => `\r\n${d.toString('latin1')}--\r\n`)
      .join('');
    this.edits.push({ start: pos, end: this.raw.length, replacement: Buffer.from(closing, 'latin1') });
    this.warnings.push({
      kind: 'limit',
      message: `the message has more than ${this.limits.maxParts} MIME parts; only the first ${this.limits.maxParts} were parsed`,
    });
  }

  private summarise(): void {
    if (this.cutLines > 0) {
      this.warnings.push({
        kind: 'limit',
        message: `${this.cutLines} header line(s) longer than ${this.limits.maxHeaderLineBytes} bytes were cut (RFC 5322 §2.1.1 allows 998)`,
      });
    }
    if (this.droppedHeadBytes > 0) {
      this.warnings.push({
        kind: 'limit',
        message: `${this.droppedHeadBytes} bytes of header fields past the ${this.limits.maxHeaderBlockBytes}-byte header block limit were dropped`,
      });
    }
    if (this.brokenBase64 > 0) {
      this.warnings.push({
        kind: 'malformed',
        message: `${this.brokenBase64} base64 part(s) hold characters outside the base64 alphabet; decoded leniently`,
      });
    }
    if (this.brokenQp > 0) {
      this.warnings.push({
        kind: 'malformed',
        message: `${this.brokenQp} quoted-printable part(s) hold malformed "=" escapes; decoded leniently`,
      });
    }
    for (const [bare, n] of this.bareTypes) {
      this.warnings.push({
        kind: 'malformed',
        message: `${n} part(s) declare Content-Type "${bare}" without a subtype; read as ${bare === 'multipart' ? 'multipart/mixed (RFC 2046 §5.1.7)' : 'text/plain (RFC 2045 §5.2)'}`,
      });
    }
    if (this.deepParts > 0) {
      this.warnings.push({
        kind: 'limit',
        message: `${this.deepParts} multipart(s) nested deeper than ${this.limits.maxMimeDepth} levels were kept as opaque parts`,
      });
    }
  }

  output(): Buffer {
    if (this.edits.length === 0) return this.raw;
    const edits = this.edits.slice().sort((a, b) => a.start - b.start);
    const chunks: Buffer[] = [];
    let at = 0;
    for (const e of edits) {
      if (e.start < at) continue;
      chunks.push(this.raw.subarray(at, e.start), e.replacement);
      at = e.end;
    }
    chunks.push(this.raw.subarray(at));
    return Buffer.concat(chunks);
  }
}

/**
 * A Content-Type mailparser would misread, made readable: `text` or `multipart` without a subtype
 * (a part typed `text` would otherwise be taken for an attachment and the body lost) become
 * `text/plain` (RFC 2045 §5.2: the default for an invalid Content-Type) and `multipart/mixed`
 * (RFC 2046 §5.1.7: how an unknown multipart subtype is read). Other bare types stay as written,
 * so their content stays an attachment and is hashed. A UTF-7 charset is relabelled for
 * body-charset.ts. Parameters are kept as written.
 */
function repairContentType(value: string): { value: string; missingSubtype: string | null } {
  const semi = value.indexOf(';');
  const type = (semi === -1 ? value : value.slice(0, semi)).trim();
  const params = semi === -1 ? '' : value.slice(semi);
  const bare = type.toLowerCase();
  let fixedType = type;
  let missingSubtype: string | null = null;
  if (bare === 'text' || bare === 'multipart') {
    fixedType = bare === 'text' ? 'text/plain' : 'multipart/mixed';
    missingSubtype = bare;
  }
  const fixedParams = params.replace(
    /(;\s*charset\s*=\s*)(?:"([^"]*)"|([^\s;]+))/i,
    (all, lead: string, quoted?: string, plain?: string) =>
      isUtf7Label(quoted ?? plain ?? '') ? `${lead}${UTF7_RELABEL}` : all,
  );
  return { value: `${fixedType}${fixedParams}`, missingSubtype };
}

interface UnfoldedField {
  /** Lower-cased field name; empty for a line that is not a field. */
  readonly name: string;
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

/** RFC 5322 §2.2.3: a line starting with white space continues the previous field. */
function unfold(lines: readonly HeadLine[]): UnfoldedField[] {
  const out: { name: string; value: string; start: number; end: number }[] = [];
  for (const l of lines) {
    const c = l.text.charCodeAt(0);
    const last = out[out.length - 1];
    if ((c === 0x20 || c === 0x09) && last) {
      last.value += l.text;
      last.end = l.end;
      continue;
    }
    const colon = l.text.indexOf(':');
    if (colon <= 0) {
      out.push({ name: '', value: l.text, start: l.start, end: l.end });
      continue;
    }
    out.push({
      name: l.text.slice(0, colon).trim().toLowerCase(),
      value: l.text.slice(colon + 1).trim(),
      start: l.start,
      end: l.end,
    });
  }
  return out;
}
