/**
 * Turns header facts into the classified `EmailHeaders`, and feeds header, relay-chain, body and
 * attachment-name observables to the collector. Kept apart from eml.ts, which sequences the run.
 */
import type { ObservableCollector } from './collect.js';
import { logicalName } from './file-names.js';
import type { HeaderFacts, MailboxFacts } from './headers.js';
import { extractFromHtml } from './html-links.js';
import { extractFromText, type Found } from './observables.js';
import type { PrivacyRules } from './privacy.js';
import type { Attachment, EmailHeaders, Field, ReceivedHop } from './types.js';

export function classifyHeaders(
  facts: HeaderFacts,
  hops: readonly ReceivedHop[],
  rules: PrivacyRules,
): EmailHeaders {
  const senders = (list: readonly MailboxFacts[]) => list.map((m) => rules.mailbox(m, false));
  const recipients = (list: readonly MailboxFacts[]) => list.map((m) => rules.mailbox(m, true));
  const shared = (v: string | null): Field | null => (v === null ? null : { value: v, privacy: 'shared' });
  const mid = facts.messageId;
  const midDomain = mid === null ? '' : mid.slice(mid.lastIndexOf('@') + 1, -1).toLowerCase();
  return {
    from: senders(facts.from),
    sender: senders(facts.sender),
    replyTo: senders(facts.replyTo),
    returnPath: senders(facts.returnPath),
    to: recipients(facts.to),
    cc: recipients(facts.cc),
    bcc: recipients(facts.bcc),
    deliveredTo: recipients(facts.deliveredTo),
    xOriginalTo: recipients(facts.xOriginalTo),
    messageId:
      mid === null
        ? null
        : rules.field(
            mid,
            rules.inPrivateDomain(midDomain)
              ? { privacy: 'private', reason: 'recipient-domain' }
              : { privacy: 'shared' },
          ),
    xMailer: shared(facts.xMailer),
    userAgent: shared(facts.userAgent),
    date: shared(facts.date),
    subject: shared(facts.subject),
    xOriginatingIp: facts.xOriginatingIp.map((ip) => rules.field(ip, rules.ip(ip))),
    received: hops,
  };
}

const SENDER_HEADERS: readonly [keyof HeaderFacts, string][] = [
  ['from', 'From'],
  ['sender', 'Sender'],
  ['replyTo', 'Reply-To'],
  ['returnPath', 'Return-Path'],
];
const RECIPIENT_HEADERS: readonly [keyof HeaderFacts, string][] = [
  ['to', 'To'],
  ['cc', 'Cc'],
  ['bcc', 'Bcc'],
  ['deliveredTo', 'Delivered-To'],
  ['xOriginalTo', 'X-Original-To'],
];

export function headerObservables(
  facts: HeaderFacts,
  hops: readonly ReceivedHop[],
  c: ObservableCollector,
): void {
  for (const [key, name] of SENDER_HEADERS) {
    for (const m of facts[key] as readonly MailboxFacts[]) {
      if (m.address) addAddress(m.address, name, c);
      // A display name like "support@bank.example" is a spoofing indicator of its own.
      for (const f of extractFromText(m.name)) c.add(f, { origin: 'header', detail: `${name} display name` });
    }
  }
  // Recipient addresses are recorded (as private); their domains are not, so a shared
  // provider domain is never marked as "seen in To".
  for (const [key, name] of RECIPIENT_HEADERS) {
    for (const m of facts[key] as readonly MailboxFacts[]) {
      if (m.address)
        c.add({ kind: 'email', value: m.address, defanged: false }, { origin: 'header', detail: name });
    }
  }
  if (facts.subject)
    for (const f of extractFromText(facts.subject)) c.add(f, { origin: 'header', detail: 'Subject' });
  if (facts.messageId) {
    const domain = facts.messageId.slice(facts.messageId.lastIndexOf('@') + 1, -1).toLowerCase();
    if (facts.messageId.includes('@') && domain.includes('.')) {
      const f = extractFromText(domain).find((x) => x.kind === 'domain' && x.value === domain);
      if (f) c.add(f, { origin: 'header', detail: 'Message-ID' });
    }
  }
  for (const ip of facts.xOriginatingIp)
    c.add({ kind: 'ip', value: ip, defanged: false }, { origin: 'header', detail: 'X-Originating-IP' });
  for (const v of facts.listUnsubscribe) {
    for (const f of extractFromText(v)) c.add(f, { origin: 'header', detail: 'List-Unsubscribe' });
  }
  for (const h of hops) receivedObservables(h, c);
}

function addAddress(address: string, header: string, c: ObservableCollector): void {
  c.add({ kind: 'email', value: address, defanged: false }, { origin: 'header', detail: header });
  const domain = address.slice(address.lastIndexOf('@') + 1);
  if (domain.includes('.'))
    c.add({ kind: 'domain', value: domain, defanged: false }, { origin: 'header', detail: header });
}

function receivedObservables(h: ReceivedHop, c: ObservableCollector): void {
  const hostFields: [Field | null, string][] = [
    [h.fromHost, 'from'],
    [h.fromRdns, 'from (reverse DNS)'],
    [h.byHost, 'by'],
  ];
  for (const [f, part] of hostFields) {
    // Only real-looking names: a HELO of "User" or "localhost" is not a domain indicator.
    if (!f || !/^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/.test(f.value)) continue;
    c.add(
      { kind: 'domain', value: f.value, defanged: false },
      { origin: 'received', detail: `hop ${h.index} ${part}` },
      f,
    );
  }
  for (const [f, part] of [
    [h.relayIp, 'from'],
    [h.byIp, 'by'],
  ] as const) {
    if (f)
      c.add(
        { kind: 'ip', value: f.value, defanged: false },
        { origin: 'received', detail: `hop ${h.index} ${part}` },
        f,
      );
  }
}

export function bodyObservables(
  text: string | null,
  html: string | null,
  maxChars: number,
  c: ObservableCollector,
): boolean {
  let cut = false;
  const clip = (s: string) => {
    if (s.length <= maxChars) return s;
    cut = true;
    return s.slice(0, maxChars);
  };
  if (text !== null) for (const f of extractFromText(clip(text))) c.add(f, { origin: 'body-text' });
  if (html !== null) {
    for (const f of extractFromHtml(clip(html))) {
      const { where, ...found } = f;
      c.add(found as Found, { origin: 'body-html', detail: where });
    }
  }
  return cut;
}

export function attachmentNameObservables(attachments: readonly Attachment[], c: ObservableCollector): void {
  for (const a of attachments) {
    if (a.fileName === null) continue;
    // The extension is not a TLD, whatever `.zip` and `.mov` say: drop it before looking.
    const stem = logicalName(a.fileName).replace(/\.[^.]*$/, '');
    for (const f of extractFromText(stem)) c.add(f, { origin: 'attachment-name', detail: a.fileName });
  }
}
