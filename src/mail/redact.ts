/**
 * `shareableView`: the extraction as it may leave the center. Private items are dropped, the
 * forwarder's signature is cut, and every string that remains is scrubbed of every value
 * classified private (scrubber.ts): recipients' and reporters' addresses, local parts and names,
 * private domains, host names and addresses — in bodies, subject, file names and indicator
 * values alike. Names written differently ("Dear Mr Yamada" for "Taro Yamada <t.yamada@…>")
 * cannot all be caught.
 */
import { privateValuesOf, type Scrubber, scrubberFor } from './scrubber.js';
import type { Body, EmailExtraction, EmailHeaders, Field, Mailbox, ReceivedHop } from './types.js';

export { REDACTED_DOMAIN, REDACTED_HOST, REDACTED_IP, REDACTED_RECIPIENT } from './scrubber.js';
export const REDACTED_SIGNATURE = '[signature removed]';

export function shareableView(x: EmailExtraction): EmailExtraction {
  return viewOf(x, scrubberFor(privateValuesOf(x)));
}

function viewOf(x: EmailExtraction, s: Scrubber): EmailExtraction {
  const view: EmailExtraction = {
    view: 'shareable',
    depth: x.depth,
    evidence: x.evidence,
    headers: headersView(x.headers, s),
    bodies: { text: bodyView(x.bodies.text, s), html: htmlView(x.bodies.html, x.bodies.text, s) },
    observables: x.observables
      .filter((o) => o.privacy === 'shared')
      .map((o) => (o.kind === 'url' ? { ...o, value: s.url(o.value) } : o)),
    attachments: x.attachments.map((a) => {
      const { message, ...rest } = a;
      const fileName = a.fileName === null ? null : s.prose(a.fileName);
      return message ? { ...rest, fileName, message: viewOf(message, s) } : { ...rest, fileName };
    }),
    recipients: { addresses: [], domains: [], names: [], forwarded: x.recipients.forwarded },
    warnings: x.warnings,
  };
  return scrubDeep(view, s.everywhere);
}

function headersView(h: EmailHeaders, s: Scrubber): EmailHeaders {
  const boxes = (list: readonly Mailbox[]) =>
    list.filter((m) => m.privacy === 'shared').map((m) => ({ ...m, name: s.prose(m.name) }));
  const field = (f: Field | null) => (f && f.privacy === 'shared' ? f : null);
  return {
    from: boxes(h.from),
    sender: boxes(h.sender),
    replyTo: boxes(h.replyTo),
    returnPath: boxes(h.returnPath),
    to: [],
    cc: [],
    bcc: [],
    deliveredTo: [],
    xOriginalTo: [],
    messageId: field(h.messageId),
    xMailer: field(h.xMailer),
    userAgent: field(h.userAgent),
    date: field(h.date),
    subject:
      h.subject && h.subject.privacy === 'shared' ? { ...h.subject, value: s.prose(h.subject.value) } : null,
    xOriginatingIp: h.xOriginatingIp.filter((f) => f.privacy === 'shared'),
    received: h.received.map(
      (r): ReceivedHop => ({
        index: r.index,
        fromHost: field(r.fromHost),
        fromRdns: field(r.fromRdns),
        relayIp: field(r.relayIp),
        byHost: field(r.byHost),
        byIp: field(r.byIp),
        with: r.with,
        id: field(r.id),
        for: null,
        timestamp: r.timestamp,
        raw: null,
      }),
    ),
  };
}

function cutSpans(b: Body): string {
  let out = '';
  let at = 0;
  for (const sp of [...b.privateSpans].sort((p, q) => p.start - q.start)) {
    if (sp.start < at) continue;
    out += `${b.content.slice(at, sp.start)}${REDACTED_SIGNATURE}\n`;
    at = sp.end;
  }
  return out + b.content.slice(at);
}

function bodyView(b: Body | null, s: Scrubber): Body | null {
  return b === null ? null : { content: s.prose(cutSpans(b)), privateSpans: [] };
}

/** The HTML twin of a text signature cannot be located by offsets; remove its lines by content. */
function htmlView(html: Body | null, text: Body | null, s: Scrubber): Body | null {
  if (html === null) return null;
  let content = html.content;
  for (const sp of text?.privateSpans ?? []) {
    for (const line of text!.content.slice(sp.start, sp.end).split(/\r?\n/)) {
      const l = line.trim();
      if (l.length >= 4 && l !== '--') content = content.split(l).join(REDACTED_SIGNATURE);
    }
  }
  return { content: s.prose(content), privateSpans: [] };
}

/** Applies `f` to every string in a JSON-like value. */
function scrubDeep<T>(value: T, f: (s: string) => string): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return f(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}
