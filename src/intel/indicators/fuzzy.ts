/**
 * Fuzzy link keys: what stays the same when an attacker sends one lure to many recipients and
 * only the details change (docs/background.md#sharing-network: one stolen mail, quoted almost verbatim, sent to two
 * associations and four companies).
 * - Subject template: NFKC, lower case, reply/forward prefixes removed, recipient names and
 *   addresses (already redacted to placeholders) and dates → one token each, other digit runs →
 *   `#`, white space collapsed; keyed by its SHA-256.
 * - Attachment-name pattern: the logical name (bidi tricks resolved), NFKC, lower case, digit
 *   runs → `#`, extension kept (`請求書_20120203.zip` → `請求書_#.zip`).
 * - Mailer and sender domain: the X-Mailer (or User-Agent) with the sender's organisational
 *   domain; skipped for webmail senders, where it says nothing.
 */
import { createHash } from 'node:crypto';
import { logicalName, organisationalDomain, REDACTED_DOMAIN, REDACTED_RECIPIENT } from '../../mail/index.js';

const REPLY_PREFIX = /^\s*(?:re|fw|fwd|aw|wg|sv|vs|tr|転送|返信|回覧)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*/i;
const DATE_PATTERNS: readonly RegExp[] = [
  /\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?/g,
  /(?:平成|令和|昭和|h|r)\s*\d{1,2}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?/gi,
  /\d{1,2}\s*月\s*\d{1,2}\s*日/g,
  /\d{1,2}\/\d{1,2}(?:\/\d{2,4})?/g,
  /\d{1,2}:\d{2}(?::\d{2})?/g,
  /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:,?\s+\d{4})?/gi,
];

/** Shorter templates ("re: #", "hello") would link unrelated mail. */
const MIN_TEMPLATE_CHARS = 6;

export function subjectTemplate(shareableSubject: string): string | null {
  let s = shareableSubject.normalize('NFKC').toLowerCase();
  for (let i = 0; i < 10 && REPLY_PREFIX.test(s); i++) s = s.replace(REPLY_PREFIX, '');
  s = s.split(REDACTED_RECIPIENT).join('\u0001').split(REDACTED_DOMAIN).join('\u0001');
  for (const re of DATE_PATTERNS) s = s.replace(re, '\u0002');
  s = s.replace(/\d+/g, '#').replace(/\s+/g, ' ').trim();
  const meaningful = s.replace(/[\u0001\u0002#\s\p{P}\p{S}]/gu, '');
  if (meaningful.length < MIN_TEMPLATE_CHARS) return null;
  return s.replace(/\u0001/g, '<recipient>').replace(/\u0002/g, '<date>');
}

export function templateKey(template: string): string {
  return createHash('sha256').update(template).digest('hex');
}

export function attachmentPattern(shareableFileName: string): string | null {
  const name = logicalName(shareableFileName).normalize('NFKC').toLowerCase().trim();
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  const pattern = stem
    .split(REDACTED_RECIPIENT)
    .join('<recipient>')
    .replace(/\d+/g, '#')
    .replace(/\s+/g, ' ');
  // "#.pdf", "image#.png", "att#.bin": generic names say nothing about the sender.
  const meaningful = pattern.replace(/<recipient>|[#\s\p{P}\p{S}]/gu, '');
  if (
    meaningful.length < 3 ||
    /^(?:image|img|att|attachment|file|document|scan|untitled|noname)$/.test(meaningful)
  ) {
    return null;
  }
  const out = `${pattern}${ext}`;
  return out.length <= 200 ? out : `sha256:${templateKey(out)}`;
}

export function mailerDomain(mailer: string, senderDomain: string): string {
  const m = mailer.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  const out = `${m.slice(0, 150)}|${organisationalDomain(senderDomain)}`;
  return out;
}
