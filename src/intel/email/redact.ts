/**
 * `shareableView`: the extraction as it may leave the center. Private items are dropped, the
 * forwarder's signature is cut, and what remains is scrubbed of recipient identifiers: addresses
 * everywhere (also URL-encoded and base64-encoded, as phishing links carry the victim's address
 * so the fake login page can pre-fill it), the reporter's domains everywhere, and recipient
 * local parts and display names in prose (subject, bodies, display names). Names written
 * differently ("Dear Mr Yamada" for "Taro Yamada <t.yamada@…>") cannot all be caught.
 */
import type {
  Body,
  EmailExtraction,
  EmailHeaders,
  Field,
  Mailbox,
  ReceivedHop,
  RecipientContext,
} from './types.js';

export const REDACTED_RECIPIENT = '[recipient]';
export const REDACTED_DOMAIN = '[recipient-domain]';
export const REDACTED_SIGNATURE = '[signature removed]';

interface Scrubber {
  /** Addresses and reporter domains: safe on any string, indicators included. */
  readonly everywhere: (s: string) => string;
  /** Plus local parts and names: for prose only (a local part may be a word of a URL). */
  readonly prose: (s: string) => string;
}

export function shareableView(x: EmailExtraction): EmailExtraction {
  return viewOf(x, scrubberFor(collectContexts(x)));
}

function collectContexts(x: EmailExtraction, into: RecipientContext[] = []): RecipientContext[] {
  into.push(x.recipients);
  for (const a of x.attachments) if (a.message) collectContexts(a.message, into);
  return into;
}

function viewOf(x: EmailExtraction, s: Scrubber): EmailExtraction {
  const view: EmailExtraction = {
    view: 'shareable',
    depth: x.depth,
    evidence: x.evidence,
    headers: headersView(x.headers, s),
    bodies: { text: bodyView(x.bodies.text, s), html: htmlView(x.bodies.html, x.bodies.text, s) },
    observables: x.observables.filter((o) => o.privacy === 'shared'),
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

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** The address as it appears inside base64 at each of the three alignments (RFC 4648 §4, §5). */
function base64Forms(a: string): string[] {
  const whole = Buffer.from(a, 'latin1').toString('base64');
  const forms = [whole, whole.replace(/=+$/, '')];
  for (let k = 0; k < 3; k++) {
    const enc = Buffer.from(`${'\0'.repeat(k)}${a}`, 'latin1')
      .toString('base64')
      .replace(/=+$/, '');
    // Drop the characters that mix in bits of the neighbouring bytes at either end.
    const core = enc.slice([0, 2, 3][k], (k + a.length) % 3 !== 0 ? -1 : undefined);
    if (core.length >= 8) forms.push(core);
  }
  const urlSafe = forms.map((f) => f.replace(/\+/g, '-').replace(/\//g, '_'));
  return [...new Set([...forms, ...urlSafe])];
}

function scrubberFor(contexts: readonly RecipientContext[]): Scrubber {
  const addresses = new Set<string>();
  const domains = new Set<string>();
  const names = new Set<string>();
  for (const c of contexts) {
    for (const a of c.addresses) addresses.add(a);
    for (const d of c.domains) if (d.includes('.')) domains.add(d);
    for (const n of c.names) names.add(n);
  }
  const addrNeedles: string[] = [];
  const localParts = new Set<string>();
  for (const a of addresses) {
    addrNeedles.push(a, a.replace('@', '%40'), encodeURIComponent(a), ...base64Forms(a));
    const local = a.slice(0, a.lastIndexOf('@'));
    if (local.length >= 3) localParts.add(local);
  }
  const nameNeedles = new Set<string>();
  for (const n of names) {
    const t = n.trim();
    if (t.length >= 3) nameNeedles.add(t);
    for (const tok of t.split(/[\s,.'"()<>]+/)) {
      if (tok.length >= 3 || (/[^\x00-\x7f]/.test(tok) && tok.length >= 2)) nameNeedles.add(tok);
    }
  }
  const byLength = (xs: Iterable<string>) => [...xs].sort((p, q) => q.length - p.length).map(escapeRe);
  const addrRe = addrNeedles.length ? new RegExp(byLength(addrNeedles).join('|'), 'gi') : null;
  const domainRe = domains.size
    ? new RegExp(`(?<![a-z0-9-])(?:${byLength(domains).join('|')})(?![a-z0-9-])`, 'gi')
    : null;
  const localRe = localParts.size
    ? new RegExp(`(?<![\\w.+-])(?:${byLength(localParts).join('|')})(?![\\w-])`, 'gi')
    : null;
  const nameRe = nameNeedles.size ? new RegExp(byLength(nameNeedles).join('|'), 'gi') : null;
  const everywhere = (s: string) => {
    let out = addrRe ? s.replace(addrRe, REDACTED_RECIPIENT) : s;
    if (domainRe) out = out.replace(domainRe, REDACTED_DOMAIN);
    return out;
  };
  const prose = (s: string) => {
    let out = everywhere(s);
    if (localRe) out = out.replace(localRe, REDACTED_RECIPIENT);
    if (nameRe) out = out.replace(nameRe, REDACTED_RECIPIENT);
    return out;
  };
  return { everywhere, prose };
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
