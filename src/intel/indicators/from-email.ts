/**
 * Indicators of one reported e-mail, taken from its shareable view only, so that nothing private
 * can become a shared indicator: the sender-side observables, attachment and archive-entry
 * hashes (attached messages included, as in a member's forward of the attack), and the fuzzy
 * keys. The view's redaction helps correlation too: a per-recipient tracking URL has the
 * recipient's address replaced by a placeholder, so every copy of the lure yields the same URL.
 *
 * Relay addresses paired with a listed provider's host name in the Received chain (an Outlook or
 * Gmail server) are marked `provider relay`: they link every message that provider carried.
 */
import type { Attachment, EmailExtraction, Observable, ObservableSource } from '../../mail/index.js';
import { canonicalIndicator } from './canonical.js';
import { attachmentPattern, mailerDomain, subjectTemplate, templateKey } from './fuzzy.js';
import type { Candidate, IndicatorRole } from './types.js';
import type { WarningList } from './warning-list.js';

const SENDER_DETAILS = /^(?:From|Sender|Reply-To|Return-Path|X-Originating-IP|Message-ID)\b/;

function roleOf(sources: readonly ObservableSource[]): IndicatorRole {
  const origins = new Set(sources.map((s) => s.origin));
  if (sources.some((s) => s.origin === 'header' && SENDER_DETAILS.test(s.detail ?? ''))) return 'sender';
  if (origins.has('attachment-content') || origins.has('attachment-name')) return 'attachment';
  if (origins.has('body-html') || origins.has('body-text')) return 'link';
  if (origins.has('received')) return 'relay';
  return 'mentioned';
}

const CONFIDENCE: Readonly<Record<IndicatorRole, number>> = {
  sender: 60,
  relay: 50,
  link: 70,
  attachment: 80,
  c2: 80,
  payload: 80,
  mentioned: 40,
  template: 30,
};

function fromObservable(o: Observable, providerRelays: ReadonlyMap<string, string>): Candidate | null {
  const type = o.kind === 'ip' ? (o.value.includes(':') ? 'ipv6' : 'ipv4') : o.kind;
  const c = canonicalIndicator(type, o.value);
  if (!c) return null;
  const role = roleOf(o.sources);
  const relay = providerRelays.get(c.value);
  return {
    type: c.type,
    value: c.value,
    role,
    confidence: CONFIDENCE[role],
    context: {
      found: o.sources.slice(0, 5).map((s) => (s.detail ? `${s.origin}: ${s.detail}` : s.origin)),
      ...(o.defanged ? { defanged: true } : {}),
    },
    ...(relay && role === 'relay' ? { warning: `provider relay (${relay})` } : {}),
  };
}

/** Relay addresses whose paired host name (reverse DNS, HELO or `by`) is a listed provider's. */
function providerRelayAddresses(x: EmailExtraction, list: WarningList): Map<string, string> {
  const out = new Map<string, string>();
  for (const h of x.headers.received) {
    const pairs = [
      [h.relayIp?.value, h.fromRdns?.value ?? h.fromHost?.value],
      [h.byIp?.value, h.byHost?.value],
    ] as const;
    for (const [ip, host] of pairs) {
      if (!ip || !host) continue;
      const reason = list.check('domain', host.toLowerCase());
      if (reason !== null) out.set(ip, host.toLowerCase());
    }
  }
  return out;
}

function attachmentCandidates(a: Attachment, out: Candidate[], path: string[]): void {
  const context = {
    fileName: a.fileName,
    sizeBytes: a.sizeBytes,
    sniffedType: a.sniffedType,
    ...(path.length ? { in: path.join(' / ') } : {}),
  };
  if (a.sizeBytes > 0 && a.sniffedType !== 'empty') {
    const tiny = ['png', 'gif', 'jpeg'].includes(a.sniffedType) && a.sizeBytes < 2048;
    for (const type of ['sha256', 'sha1', 'md5'] as const) {
      out.push({
        type,
        value: a.hashes[type],
        role: 'attachment',
        confidence: CONFIDENCE.attachment,
        context,
        ...(tiny ? { warning: 'tiny image (logo, tracking pixel)' } : {}),
      });
    }
  }
  const entries = a.archive?.entries ?? [];
  for (const e of entries) {
    if (!e.hashes || e.directory || e.sizeBytes === 0) continue;
    for (const type of ['sha256', 'sha1', 'md5'] as const) {
      out.push({
        type,
        value: e.hashes[type],
        role: 'payload',
        confidence: CONFIDENCE.payload,
        context: {
          archive: a.fileName,
          entry: e.path,
          sizeBytes: e.sizeBytes,
          sniffedType: e.sniffedType ?? null,
        },
      });
    }
  }
  if (a.fileName) {
    const p = attachmentPattern(a.fileName);
    if (p)
      out.push({
        type: 'attachment-pattern',
        value: p,
        role: 'template',
        confidence: CONFIDENCE.template,
        context: { fileName: a.fileName },
      });
  }
}

/**
 * Candidates of one e-mail. `view` must be the shareable view (`shareableView(parseEml(raw))`);
 * the warning list is used only for the provider-relay and webmail-sender decisions here, the
 * store checks every value against it again.
 */
export function indicatorsFromEmail(
  view: EmailExtraction,
  list: WarningList,
  path: string[] = [],
): Candidate[] {
  if (view.view !== 'shareable') throw new Error('indicatorsFromEmail needs the shareable view');
  const out: Candidate[] = [];
  const relays = providerRelayAddresses(view, list);
  for (const o of view.observables) {
    if (o.privacy !== 'shared') continue;
    const c = fromObservable(o, relays);
    if (c) out.push(path.length ? { ...c, context: { ...c.context, in: path.join(' / ') } } : c);
  }
  const subject = view.headers.subject?.value;
  const template = subject ? subjectTemplate(subject) : null;
  if (template) {
    out.push({
      type: 'subject-template',
      value: templateKey(template),
      role: 'template',
      confidence: CONFIDENCE.template,
      context: { template },
    });
  }
  const mailer = view.headers.xMailer?.value ?? view.headers.userAgent?.value;
  const sender = view.headers.from.find((m) => m.address)?.address;
  if (mailer && sender) {
    const domain = sender.slice(sender.lastIndexOf('@') + 1);
    if (list.check('domain', domain) === null) {
      out.push({
        type: 'mailer-domain',
        value: mailerDomain(mailer, domain),
        role: 'template',
        confidence: CONFIDENCE.template,
        context: { mailer },
      });
    }
  }
  view.attachments.forEach((a, i) => {
    attachmentCandidates(a, out, path);
    if (a.message) out.push(...indicatorsFromEmail(a.message, list, [...path, `attached message ${i + 1}`]));
  });
  return out;
}

/** The reporter's private part of one e-mail: everything the shareable view dropped, by kind. */
export interface PrivateEmailPart {
  readonly recipients: EmailExtraction['recipients'];
  readonly observables: readonly { kind: string; value: string; reason: string | null }[];
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly received: readonly { index: number; raw: string | null; for: string | null }[];
  readonly signatures: readonly string[];
  readonly attachedMessages: readonly PrivateEmailPart[];
}

export function privatePartOfEmail(full: EmailExtraction): PrivateEmailPart {
  const h = full.headers;
  const boxes = (list: readonly { name: string; address: string | null; privacy: string }[]) =>
    list
      .filter((m) => m.privacy === 'private')
      .map((m) => (m.name ? `${m.name} <${m.address ?? ''}>` : (m.address ?? '')));
  const text = full.bodies.text;
  return {
    recipients: full.recipients,
    observables: full.observables
      .filter((o) => o.privacy === 'private')
      .map((o) => ({ kind: o.kind, value: o.value, reason: o.reason ?? null })),
    headers: {
      from: boxes(h.from),
      sender: boxes(h.sender),
      replyTo: boxes(h.replyTo),
      to: boxes(h.to),
      cc: boxes(h.cc),
      bcc: boxes(h.bcc),
      deliveredTo: boxes(h.deliveredTo),
      xOriginalTo: boxes(h.xOriginalTo),
      messageId: h.messageId?.privacy === 'private' ? [h.messageId.value] : [],
    },
    received: h.received.map((r) => ({
      index: r.index,
      raw: r.raw?.value ?? null,
      for: r.for?.value ?? null,
    })),
    signatures: text ? text.privateSpans.map((s) => text.content.slice(s.start, s.end)) : [],
    attachedMessages: full.attachments.flatMap((a) => (a.message ? [privatePartOfEmail(a.message)] : [])),
  };
}
