/**
 * The header facts of one message, read from mailparser's raw header lines (which keep the
 * original bytes as latin1) rather than from its decoded map, so that we control decoding,
 * see every repeated field, and never get mailparser's "now" for an unreadable Date.
 */
import { type AddressObject, type EmailAddress, type HeaderLines, parseAddressHeader } from 'mailparser';
import { canonicalIp } from '../core/index.js';
import { decodeGuessing, decodeHeaderText } from './charset.js';
import { parseMailDate } from './dates.js';
import { normaliseHost } from './domains.js';
import { parseReceived, type ReceivedFacts } from './received.js';
import type { EmailWarning } from './types.js';

export interface MailboxFacts {
  readonly name: string;
  readonly address: string | null;
}

export interface HeaderFacts {
  readonly from: readonly MailboxFacts[];
  readonly sender: readonly MailboxFacts[];
  readonly replyTo: readonly MailboxFacts[];
  readonly returnPath: readonly MailboxFacts[];
  readonly to: readonly MailboxFacts[];
  readonly cc: readonly MailboxFacts[];
  readonly bcc: readonly MailboxFacts[];
  readonly deliveredTo: readonly MailboxFacts[];
  readonly xOriginalTo: readonly MailboxFacts[];
  readonly messageId: string | null;
  readonly xMailer: string | null;
  readonly userAgent: string | null;
  readonly date: string | null;
  readonly subject: string | null;
  readonly xOriginatingIp: readonly string[];
  readonly received: readonly ReceivedFacts[];
  readonly listUnsubscribe: readonly string[];
  readonly fieldCount: number;
}

/** One field: lower-cased name and unfolded value, still in latin1 (raw bytes). */
interface RawField {
  readonly name: string;
  readonly value: string;
}

/** Hard cap on Received fields read; mail loops and padding attacks add hundreds. */
const MAX_RECEIVED = 100;

export function readHeaders(lines: HeaderLines, warnings: EmailWarning[]): HeaderFacts {
  const fields = lines.map(unfoldLine);
  const all = (name: string) => fields.filter((f) => f.name === name).map((f) => f.value);
  const first = (name: string): string | null => all(name)[0] ?? null;
  const mailboxes = (name: string, label: string) =>
    all(name).flatMap((v) => parseMailboxes(v, label, warnings));
  const received = all('received');
  if (received.length > MAX_RECEIVED) {
    warnings.push({
      kind: 'limit',
      message: `${received.length} Received fields; only the first ${MAX_RECEIVED} were read`,
    });
  }
  const subjectRaw = first('subject');
  const dateRaw = first('date');
  let date: string | null = null;
  if (dateRaw !== null) {
    const d = parseMailDate(dateRaw);
    if (!d)
      warnings.push({
        kind: 'malformed',
        message: `Date "${clip(dateRaw)}" could not be read (RFC 5322 §3.3)`,
      });
    else if (d.zoneAssumed)
      warnings.push({ kind: 'guessed', message: 'Date has no usable time zone; UTC assumed' });
    date = d?.iso ?? null;
  }
  return {
    from: mailboxes('from', 'From'),
    sender: mailboxes('sender', 'Sender'),
    replyTo: mailboxes('reply-to', 'Reply-To'),
    returnPath: mailboxes('return-path', 'Return-Path'),
    to: mailboxes('to', 'To'),
    cc: mailboxes('cc', 'Cc'),
    bcc: mailboxes('bcc', 'Bcc'),
    deliveredTo: mailboxes('delivered-to', 'Delivered-To'),
    xOriginalTo: mailboxes('x-original-to', 'X-Original-To'),
    messageId: messageId(first('message-id')),
    xMailer: textOrNull(first('x-mailer'), 'X-Mailer', warnings),
    userAgent: textOrNull(first('user-agent'), 'User-Agent', warnings),
    date,
    subject: subjectRaw === null ? null : decodeHeaderText(subjectRaw, 'Subject', warnings),
    xOriginatingIp: all('x-originating-ip').flatMap((v) => {
      const ip = canonicalIp(v.replace(/[[\]\s]/g, ''));
      return ip ? [ip] : [];
    }),
    received: received.slice(0, MAX_RECEIVED).map((v) => parseReceived(decodeGuessing(latin1Bytes(v)).text)),
    listUnsubscribe: all('list-unsubscribe'),
    fieldCount: fields.filter((f) => f.name !== '').length,
  };
}

function unfoldLine(l: { key: string; line: string }): RawField {
  const colon = l.line.indexOf(':');
  const value = colon === -1 ? '' : l.line.slice(colon + 1);
  // RFC 5322 §2.2.3: unfolding removes the CRLF before white space.
  return { name: l.key.toLowerCase(), value: value.replace(/\r?\n(?=[ \t])/g, '').trim() };
}

function latin1Bytes(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

function clip(s: string, n = 80): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

function textOrNull(raw: string | null, what: string, warnings: EmailWarning[]): string | null {
  if (raw === null) return null;
  const t = decodeHeaderText(raw, what, warnings);
  return t === '' ? null : t;
}

function messageId(raw: string | null): string | null {
  if (raw === null) return null;
  const t = raw.replace(/\s+/g, '');
  if (t === '') return null;
  const inner = /<([^<>]*)>/.exec(t)?.[1] ?? t;
  return `<${inner}>`;
}

/** RFC 5322 §3.4 address lists, groups flattened, domains normalised to lower-case ASCII. */
function parseMailboxes(raw: string, label: string, warnings: EmailWarning[]): MailboxFacts[] {
  return parseMailboxText(decodeGuessing(latin1Bytes(raw)).text, label, warnings);
}

/** An address list already decoded to text (as a forwarded header block in a body shows it). */
export function parseMailboxText(text: string, label: string, warnings: EmailWarning[]): MailboxFacts[] {
  let parsed: AddressObject;
  try {
    parsed = parseAddressHeader(text, { flatten: true, decodePunycode: false });
  } catch {
    warnings.push({ kind: 'malformed', message: `${label} could not be parsed as an address list` });
    return [];
  }
  return parsed.value.flatMap((a) => toMailbox(a, label, warnings));
}

function toMailbox(a: EmailAddress, label: string, warnings: EmailWarning[]): MailboxFacts[] {
  const name = (a.name ?? '').replace(/[\x00-\x1f\x7f]/g, '').trim();
  const raw = (a.address ?? '').trim();
  if (raw === '') return name === '' ? [] : [{ name, address: null }];
  const at = raw.lastIndexOf('@');
  if (at <= 0 || at === raw.length - 1) {
    warnings.push({ kind: 'malformed', message: `${label} holds "${clip(raw)}", which is not an addr-spec` });
    return [{ name, address: raw.toLowerCase() }];
  }
  const host = normaliseHost(raw.slice(at + 1));
  const domain = host?.ascii ?? raw.slice(at + 1).toLowerCase();
  return [{ name, address: `${raw.slice(0, at).toLowerCase()}@${domain}` }];
}
