/**
 * `parseEml`: one reported message (RFC 5322 / MIME, RFC 2045–2049) → `EmailExtraction`.
 * Sequence: size check → structural pre-scan (limits) → mailparser → header facts → privacy
 * rules → attachments (archives, attached messages recursively) → observables → classified record.
 * Pure apart from the clock: no I/O, no network, no database.
 */
import { KobanError } from '../../core/index.js';
import {
  attachmentNameObservables,
  bodyObservables,
  classifyHeaders,
  headerObservables,
} from './assemble.js';
import { describeAttachment } from './attachments.js';
import { repairIso2022, resolveCharset } from './charset.js';
import { ObservableCollector } from './collect.js';
import { hasForwardMarker, isForwardSubject, signatureSpans } from './forward.js';
import { sha256 } from './hashing.js';
import { type HeaderFacts, readHeaders } from './headers.js';
import { Deadline, type EmailLimits, resolveLimits } from './limits.js';
import { type MimeAttachment, runMailParser } from './mime.js';
import { scanMime } from './mime-scan.js';
import type { Found } from './observables.js';
import { type PrivacyHints, PrivacyRules } from './privacy.js';
import type {
  Attachment,
  Body,
  EmailExtraction,
  EmailWarning,
  ObservableSource,
  ReceivedHop,
  RecipientContext,
} from './types.js';
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
 * over the size limit or parsing runs out of time; everything else that is malformed, skipped
 * or cut becomes a warning in the result.
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
  const warnings: EmailWarning[] = [];
  const scan = scanMime(raw, run.limits);
  warnings.push(...scan.warnings);
  const mime = await runMailParser(scan.raw, run.limits, run.deadline);
  const facts = readHeaders(mime.headerLines, warnings);
  if (!looksLikeMail(facts)) {
    warnings.push({
      kind: 'malformed',
      message:
        'none of From, To, Date, Subject, Message-ID or Received is present: this does not look like an e-mail message',
    });
  }
  charsetWarnings(scan.charsets, warnings);
  const text = repairBody(mime.text, 'text body', warnings);
  const html = repairBody(mime.html, 'HTML body', warnings);

  const attachedMessage = mime.attachments.some((a) => a.declaredType === 'message/rfc822');
  const forwarded = isForwardSubject(facts.subject) && (attachedMessage || hasForwardMarker(text));
  if (forwarded) {
    warnings.push({
      kind: 'privacy',
      message:
        "read as a member's forward of the attack: the forwarder's address and signature are kept private",
    });
  }
  const rules = PrivacyRules.build(facts, run.hints, forwarded, parent);
  const hops = rules.received(facts.received);

  const { attachments, contentFound } = await examineAttachments(mime.attachments, run, rules, warnings);
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
  return {
    view: 'full',
    depth: run.depth,
    evidence: { sha256: sha256(raw), sizeBytes: raw.length },
    headers: classifyHeaders(facts, hops, rules),
    bodies: { text: body(text, forwarded), html: body(html, false) },
    observables: collector.list(),
    attachments,
    recipients: rules.context(),
    warnings: capWarnings(warnings),
  };
}

interface ContentFound {
  readonly found: Found;
  readonly source: ObservableSource;
}

async function examineAttachments(
  list: readonly MimeAttachment[],
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

function body(content: string | null, forwarded: boolean): Body | null {
  if (content === null || content === '') return null;
  return { content, privateSpans: forwarded ? signatureSpans(content) : [] };
}

function charsetWarnings(charsets: readonly string[], warnings: EmailWarning[]): void {
  for (const cs of charsets) {
    const r = resolveCharset(cs);
    if (r.label === null) {
      warnings.push({
        kind: 'malformed',
        message: `charset "${cs}" is not known; that part was decoded as UTF-8 (best effort)`,
      });
    } else if (r.repaired) {
      warnings.push({
        kind: 'malformed',
        message: `charset "${cs}" is garbled (it contains "${r.label}"); decoded best effort`,
      });
    }
  }
}

/** Re-decodes ISO-2022-JP left undecoded under a garbled label; reports undecodable bytes. */
function repairBody(content: string | null, what: string, warnings: EmailWarning[]): string | null {
  if (content === null) return null;
  let out = content;
  const repaired = repairIso2022(content);
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
