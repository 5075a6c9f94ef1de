/**
 * What comes before MIME parsing: is the input a message at all, and in which line-ending
 * convention. A message is a header block — `Name: value` lines (RFC 5322 §2.2) — then an empty
 * line and a body; a file that does not start with one (an executable, an image, a PDF, plain
 * notes) is refused here, once for every caller (CLI, HTTP upload, e-mail intake), instead of
 * becoming a report full of junk "indicators".
 *
 * Line ends: mailparser splits on LF and accepts CRLF; a classic Mac OS file ends its lines in a
 * bare CR, which would make the whole file one header line and an empty report. Such a file is
 * rewritten to CRLF. Wrappers that exports put in front of the header (a UTF-8 byte order mark,
 * an mbox `From ` separator line, blank lines) are skipped.
 */
import { KobanError } from '../core/index.js';
import { sniffType } from './sniff.js';
import type { EmailWarning } from './types.js';

const CR = 0x0d;
const LF = 0x0a;

export interface ShapedMessage {
  /** The input with its line ends normalised and any wrapper before the header removed. */
  readonly raw: Buffer;
  readonly warnings: readonly EmailWarning[];
}

/**
 * Normalises the input's shape, then refuses it with `E_FORMAT` when it does not begin with a
 * header field. `raw` itself is not changed (its hash is the evidence).
 */
export async function shapeMessage(raw: Buffer): Promise<ShapedMessage> {
  const warnings: EmailWarning[] = [];
  if (raw.length === 0) throw new KobanError('E_FORMAT', 'not an e-mail message: the input is empty');
  let out = raw;
  if (firstLineEndIsBareCr(out)) {
    out = crToCrlf(out);
    warnings.push({
      kind: 'malformed',
      message: 'lines end in a bare CR (classic Mac OS); read as CRLF (RFC 5322 §2.1)',
    });
  }
  out = skipWrapper(out, warnings);
  if (!startsWithField(out)) {
    const looks = await sniffType(raw);
    throw new KobanError(
      'E_FORMAT',
      `not an e-mail message: it does not begin with a header block ("Name: value" lines, RFC 5322 §2.2)${
        looks === 'text' || looks === 'unknown' ? '' : `; its content looks like ${looks}`
      }`,
    );
  }
  return { raw: out, warnings };
}

/** Fields one of which every message has (RFC 5322 §3.6); a header block with none of them is not a message's. */
const MESSAGE_FIELDS = new Set([
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'bcc',
  'date',
  'subject',
  'message-id',
  'received',
  'return-path',
  'delivered-to',
]);

/** Refuses a header block without any message field (a MIME part saved alone, a "Key: value" text file). */
export function requireMessageFields(fieldNames: readonly string[]): void {
  if (fieldNames.some((n) => MESSAGE_FIELDS.has(n.toLowerCase()))) return;
  throw new KobanError(
    'E_FORMAT',
    'none of From, To, Date, Subject, Message-ID or Received is present: this does not look like an e-mail message',
  );
}

function firstLineEndIsBareCr(b: Buffer): boolean {
  const cr = b.indexOf(CR);
  if (cr === -1) return false;
  const lf = b.indexOf(LF);
  return (lf === -1 || cr < lf) && b[cr + 1] !== LF;
}

/** Every CR not followed by LF becomes CRLF; CRLF and bare LF are left as they are. */
function crToCrlf(b: Buffer): Buffer {
  let bare = 0;
  for (let i = b.indexOf(CR); i !== -1; i = b.indexOf(CR, i + 1)) if (b[i + 1] !== LF) bare++;
  const out = Buffer.allocUnsafe(b.length + bare);
  let o = 0;
  let from = 0;
  for (let i = b.indexOf(CR); i !== -1; i = b.indexOf(CR, i + 1)) {
    if (b[i + 1] === LF) continue;
    o += b.copy(out, o, from, i + 1);
    out[o++] = LF;
    from = i + 1;
  }
  b.copy(out, o, from);
  return out;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function skipWrapper(b: Buffer, warnings: EmailWarning[]): Buffer {
  let at = 0;
  if (b.length >= 3 && b.compare(BOM, 0, 3, 0, 3) === 0) at = 3;
  // An mbox separator (RFC 4155): "From " then the envelope sender; "From :" is an obsolete-syntax field.
  if (/^From [ \t]*[^:\s]/.test(b.toString('latin1', at, at + 80))) {
    const nl = b.indexOf(LF, at);
    const end = nl === -1 ? b.length : nl + 1;
    at = end;
    warnings.push({
      kind: 'skipped',
      message: 'an mbox "From " separator line before the header was skipped',
    });
  }
  let blank = 0;
  for (;;) {
    if (b[at] === LF) at += 1;
    else if (b[at] === CR && b[at + 1] === LF) at += 2;
    else break;
    blank++;
  }
  if (blank > 0)
    warnings.push({ kind: 'malformed', message: `${blank} empty line(s) before the header were skipped` });
  return at === 0 ? b : b.subarray(at);
}

/** RFC 5322 §2.2: a field name is printable US-ASCII but the colon; §4.5.3 (obsolete syntax) allows white space before the colon. */
function startsWithField(b: Buffer): boolean {
  let i = 0;
  while (i < b.length && i < 1000 && b[i]! >= 0x21 && b[i]! <= 0x7e && b[i] !== 0x3a) i++;
  if (i === 0) return false;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x09)) i++;
  return b[i] === 0x3a;
}
