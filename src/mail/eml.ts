/**
 * `parseEml`: one reported message (RFC 5322 / MIME, RFC 2045–2049) → `EmailExtraction`.
 * Sequence: size check → shape (line ends; is it a message?) → structural pre-scan (limits) →
 * mailparser (bodies decoded by body-charset.ts) → header facts → legacy file encodings →
 * inline-forwarded header blocks → privacy rules → attachments (archives, attached messages
 * recursively) → observables → names beside private addresses → classified record.
 * Pure apart from the clock: no I/O, no network, no database.
 */
import { KobanError } from '../core/index.js';
import {
  attachmentNameObservables,
  bodyObservables,
  classifyHeaders,
  headerObservables,
} from './assemble.js';
import { describeAttachment } from './attachments.js';
import type { BodyDecoding } from './body-charset.js';
import { repairIso2022, resolveCharset } from './charset.js';
import { ObservableCollector } from './collect.js';
import { hasForwardMarker, isForwardSubject, signatureSpans } from './forward.js';
import { sha256 } from './hashing.js';
import { type HeaderFacts, readHeaders } from './headers.js';
import { type ForwardBlock, findForwardBlocks, htmlAsText } from './inline-forward.js';
import { type DecodedAttachment, decodeLegacyParts } from './legacy-parts.js';
import { Deadline, type EmailLimits, resolveLimits } from './limits.js';
import { requireMessageFields, shapeMessage } from './message-shape.js';
import { runMailParser } from './mime.js';
import { scanMime } from './mime-scan.js';
import { namesNearAddresses } from './names-near.js';
import type { Found } from './observables.js';
import { type PrivacyHints, PrivacyRules } from './privacy.js';
import type {
  Attachment,
  Body,
  EmailExtraction,
  EmailWarning,
  Observable,
  ObservableSource,
  ReceivedHop,
  RecipientContext,
} from './types.js';
import { isUtf7Label } from './utf7.js';
import type { ArchiveBudget } from './zip.js';

/** Limits (any subset) and what is known about the reporter. */
export interface EmailParseOptions extends Partial<EmailLimits>, PrivacyHints {}

interface Run {
  readonly limits: EmailLimits;
  readonly deadline: Deadline;
  readonly hints: PrivacyHints;
  readonly budget: ArchiveBudget;
  readonly depth: number;
}

/**
 * Extracts everything from one raw message. Throws `KobanError` `E_LIMIT` when the message is
 * over the size limit or parsing runs out of time, and `E_FORMAT` when the input is not a message
 * at all (no header block, or none of the fields a message has: message-shape.ts); everything
 * else that is malformed, skipped or cut becomes a warning in the result.
 */
export async function parseEml(raw: Buffer, options: EmailParseOptions = {}): Promise<EmailExtraction> {
  if (!Buffer.isBuffer(raw)) throw new KobanError('E_USAGE', 'parseEml needs the raw message as a Buffer');
  const limits = resolveLimits(options);
  if (raw.length > limits.maxRawBytes) {
    throw new KobanError(
      'E_LIMIT',
      `the message is ${raw.length} bytes; the limit is ${limits.maxRawBytes} bytes (maxRawBytes)`,
    );
  }
  const hints: PrivacyHints = {
    reporterDomains: options.reporterDomains,
    reporterAddresses: options.reporterAddresses,
  };
  const run: Run = {
    limits,
    deadline: new Deadline(limits.timeoutMs),
    hints,
    budget: { entries: 0, bytes: 0, totalExceeded: false },
    depth: 0,
  };
  return parseLevel(raw, run, undefined);
}

async function parseLevel(
  raw: Buffer,
  run: Run,
  parent: RecipientContext | undefined,
): Promise<EmailExtraction> {
  const shaped = await shapeMessage(raw);
  const warnings: EmailWarning[] = [...shaped.warnings];
  const scan = scanMime(shaped.raw, run.limits);
  warnings.push(...scan.warnings);
  const mime = await runMailParser(scan.raw, run.limits, run.deadline);
  requireMessageFields(mime.headerLines.map((l) => l.key));
  const facts = readHeaders(mime.headerLines, warnings);
  if (!looksLikeMail(facts)) {
    warnings.push({
      kind: 'malformed',
      message:
        'none of From, To, Date, Subject, Message-ID or Received is present: this does not look like an e-mail message',
    });
  }
  charsetWarnings(scan.charsets, mime.decodings, warnings);
  const legacy = decodeLegacyParts(mime.text, mime.attachments, warnings);
  const text = repairBody(legacy.text, 'text body', warnings);
  const html = repairBody(mime.html, 'HTML body', warnings);
  const blocks = forwardBlocks(text, html, run.limits.maxScanChars);

  const attachedMessage = legacy.attachments.some((a) => a.declaredType === 'message/rfc822');
  const forwarded =
    isForwardSubject(facts.subject) && (attachedMessage || hasForwardMarker(text) || blocks.length > 0);
  if (forwarded) {
    warnings.push({
      kind: 'privacy',
      message:
        "read as a member's forward of the attack: the forwarder's address and signature are kept private",
    });
  }
  const rules = PrivacyRules.build(facts, run.hints, forwarded, parent, blocks);
  const hops = rules.received(facts.received);

  const { attachments, contentFound } = await examineAttachments(legacy.attachments, run, rules, warnings);
  // An attached message's recipients are the reporter's colleagues: private here too.
  for (const a of attachments) if (a.message) rules.merge(a.message.recipients);

  const collector = collectObservables(
    facts,
    hops,
    text,
    html,
    attachments,
    contentFound,
    rules,
    run,
    warnings,
  );
  const observables = collector.list();
  learnNames(rules, observables, text, html, run.limits.maxScanChars);
  const firstBlock = blocks[0]?.start;
  return {
    view: 'full',
    depth: run.depth,
    evidence: { sha256: sha256(raw), sizeBytes: raw.length },
    headers: classifyHeaders(facts, hops, rules),
    bodies: { text: body(text, forwarded, firstBlock), html: body(html, false) },
    observables,
    attachments,
    recipients: rules.context(),
    warnings: capWarnings(warnings),
  };
}

/** Inline-forwarded header blocks of the text body, or of the HTML one when there is no text. */
function forwardBlocks(text: string | null, html: string | null, maxChars: number): ForwardBlock[] {
  if (text !== null) return findForwardBlocks(text.slice(0, maxChars));
  return html === null ? [] : findForwardBlocks(htmlAsText(html.slice(0, maxChars)));
}

/** Names written beside a private address in the bodies are private too (names-near.ts). */
function learnNames(
  rules: PrivacyRules,
  observables: readonly Observable[],
  text: string | null,
  html: string | null,
  maxChars: number,
): void {
  const addresses = new Set(rules.addresses);
  for (const o of observables) if (o.kind === 'email' && o.privacy === 'private') addresses.add(o.value);
  const texts = [text, html === null ? null : htmlAsText(html.slice(0, maxChars))].flatMap((t) =>
    t === null ? [] : [t.slice(0, maxChars)],
  );
  for (const n of namesNearAddresses(texts, addresses)) rules.names.add(n);
}

interface ContentFound {
  readonly found: Found;
  readonly source: ObservableSource;
}

async function examineAttachments(
  list: readonly DecodedAttachment[],
  run: Run,
  rules: PrivacyRules,
  warnings: EmailWarning[],
): Promise<{ attachments: Attachment[]; contentFound: ContentFound[] }> {
  const contentFound: ContentFound[] = [];
  const attachments: Attachment[] = [];
  for (const [i, a] of list.entries()) {
    if (run.deadline.expired()) {
      warnings.push({
        kind: 'limit',
        message: `time limit reached; ${list.length - i} attachment(s) not examined`,
      });
      break;
    }
    const described = await describeAttachment(a, i, {
      limits: run.limits,
      deadline: run.deadline,
      budget: run.budget,
      warnings,
      depth: run.depth,
      parseNested: (nested) => parseLevel(nested, { ...run, depth: run.depth + 1 }, rules.context()),
      found: (found, source) => contentFound.push({ found, source }),
    });
    attachments.push(described);
  }
  return { attachments, contentFound };
}

function collectObservables(
  facts: HeaderFacts,
  hops: readonly ReceivedHop[],
  text: string | null,
  html: string | null,
  attachments: readonly Attachment[],
  contentFound: readonly ContentFound[],
  rules: PrivacyRules,
  run: Run,
  warnings: EmailWarning[],
): ObservableCollector {
  const collector = new ObservableCollector(rules, run.limits.maxObservables);
  headerObservables(facts, hops, collector);
  if (bodyObservables(text, html, run.limits.maxScanChars, collector)) {
    warnings.push({
      kind: 'limit',
      message: `only the first ${run.limits.maxScanChars} characters of a body were scanned`,
    });
  }
  attachmentNameObservables(attachments, collector);
  for (const { found, source } of contentFound) collector.add(found, source);
  if (collector.dropped > 0) {
    warnings.push({
      kind: 'limit',
      message: `${collector.dropped} observable(s) past the limit of ${run.limits.maxObservables} were dropped`,
    });
  }
  return collector;
}

const MAX_WARNINGS = 200;

/** A message built to trip every check must not produce an unbounded report. */
function capWarnings(warnings: EmailWarning[]): EmailWarning[] {
  if (warnings.length <= MAX_WARNINGS) return warnings;
  return [
    ...warnings.slice(0, MAX_WARNINGS),
    { kind: 'limit', message: `${warnings.length - MAX_WARNINGS} further warnings were left out` },
  ];
}

function looksLikeMail(f: HeaderFacts): boolean {
  return (
    f.from.length + f.to.length + f.received.length > 0 ||
    f.date !== null ||
    f.subject !== null ||
    f.messageId !== null
  );
}

function body(content: string | null, forwarded: boolean, blockStart?: number): Body | null {
  if (content === null || content === '') return null;
  return { content, privateSpans: forwarded ? signatureSpans(content, blockStart) : [] };
}

/**
 * Labels that were unknown or garbled, and text parts whose bytes did not fit their label (the
 * charset used instead is named: warn-on-guess).
 */
function charsetWarnings(
  charsets: readonly string[],
  decodings: readonly BodyDecoding[],
  warnings: EmailWarning[],
): void {
  const guessedFor = new Map(decodings.map((d) => [d.declared.toLowerCase(), d.guessed]));
  for (const cs of charsets) {
    const r = resolveCharset(cs);
    if (isUtf7Label(cs)) continue;
    if (r.label === null) {
      const used = guessedFor.get(cs.toLowerCase());
      warnings.push({
        kind: 'malformed',
        message: `charset "${cs}" is not known; that part was decoded as ${used && used !== 'utf-8' ? used : 'UTF-8'} (best effort)`,
      });
    } else if (r.repaired) {
      warnings.push({
        kind: 'malformed',
        message: `charset "${cs}" is garbled (it contains "${r.label}"); decoded best effort`,
      });
    }
  }
  for (const d of decodings) {
    if (!d.repaired) continue;
    const r = resolveCharset(d.declared);
    if (isUtf7Label(d.declared)) {
      warnings.push({
        kind: 'malformed',
        message: `a text part declared as "${d.declared}" holds ill-formed UTF-7 (RFC 2152); decoded as ${d.guessed ?? 'unknown'} (best effort)`,
      });
    } else if (r.label !== null && !r.repaired) {
      warnings.push({
        kind: 'guessed',
        message: `a text part declared as "${d.declared}" holds bytes invalid in it; decoded as ${d.guessed ?? 'unknown'} (best effort)`,
      });
    }
  }
}

/** Line ends as LF; re-decodes ISO-2022-JP left undecoded under a garbled label; reports undecodable bytes. */
function repairBody(content: string | null, what: string, warnings: EmailWarning[]): string | null {
  if (content === null) return null;
  // mailparser turns CRLF into LF; a bare CR left in a body (a classic Mac OS part) ends a line too.
  let out = content.includes('\r') ? content.replace(/\r\n?/g, '\n') : content;
  const repaired = repairIso2022(out);
  if (repaired !== null) {
    warnings.push({ kind: 'guessed', message: `${what} held undecoded ISO-2022-JP (RFC 1468); re-decoded` });
    out = repaired;
  }
  let bad = 0;
  for (let i = out.indexOf('\ufffd'); i !== -1; i = out.indexOf('\ufffd', i + 1)) bad++;
  if (bad > 0) {
    warnings.push({
      kind: 'malformed',
      message: `${what} has ${bad} undecodable byte sequence(s); its declared charset is probably wrong`,
    });
  }
  return out;
}
