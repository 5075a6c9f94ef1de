/**
 * The shared/private split, decided once per message from its recipients. MISP's e-mail import
 * copies To/Cc into the shared event; a sharing center must not, since a recipient list tells
 * every other member who was attacked (docs/background.md#sharing-schemes: protect personal data and those who report).
 *
 * Private: recipient addresses (To, Cc, Bcc, Delivered-To, X-Original-To, `Received: … for`, and
 * the To/Cc/Bcc of header blocks forwarded inline in the body) and the names beside them,
 * the reporter's own domains (inferred from those recipients unless the caller names them) and
 * every host within them, internal names (single-label, `.local`, `.corp` …), RFC 1918 / ULA
 * addresses, and — when the message is a member's forward of the attack — the forwarder's own
 * address. Everything else is a sender-side fact and shared.
 */
import { addressScope } from '../core/index.js';
import {
  isInternalHost,
  isWithin,
  MAILBOX_PROVIDERS,
  normaliseHost,
  organisationalDomain,
} from './domains.js';
import type { HeaderFacts, MailboxFacts } from './headers.js';
import type { ForwardBlock } from './inline-forward.js';
import type { ReceivedFacts } from './received.js';
import type { Field, Mailbox, Privacy, PrivacyReason, ReceivedHop, RecipientContext } from './types.js';

export interface PrivacyHints {
  /** The reporting member's own domains; when given, they replace the inference from recipients. */
  readonly reporterDomains?: readonly string[];
  /** Addresses of the reporting member's staff, always private. */
  readonly reporterAddresses?: readonly string[];
}

export interface Verdict {
  readonly privacy: Privacy;
  readonly reason?: PrivacyReason;
}

const SHARED: Verdict = { privacy: 'shared' };
const priv = (reason: PrivacyReason): Verdict => ({ privacy: 'private', reason });

/** Which end of the relay chain a Received field's half describes. */
export type HopSide = 'recipient' | 'sender' | 'unknown';

export class PrivacyRules {
  readonly addresses = new Set<string>();
  readonly reporterAddresses = new Set<string>();
  readonly domains = new Set<string>();
  readonly names = new Set<string>();
  readonly privateIps = new Set<string>();

  private constructor(readonly forwarded: boolean) {}

  /**
   * `inline`: header blocks of messages forwarded inline in the body (inline-forward.ts); their
   * To/Cc/Bcc are recipients like the message's own.
   */
  static build(
    facts: HeaderFacts,
    hints: PrivacyHints,
    forwarded: boolean,
    parent?: RecipientContext,
    inline: readonly ForwardBlock[] = [],
  ): PrivacyRules {
    const r = new PrivacyRules(forwarded);
    const recipients = [
      ...facts.to,
      ...facts.cc,
      ...facts.bcc,
      ...facts.deliveredTo,
      ...facts.xOriginalTo,
      ...inline.flatMap((b) => [...b.to, ...b.cc, ...b.bcc]),
    ];
    for (const m of recipients) r.addRecipient(m);
    for (const h of facts.received) if (h.for) r.addRecipient({ name: '', address: h.for });
    for (const a of hints.reporterAddresses ?? []) r.addReporter(a);
    // A forward's own sender is the member who reported it, not the attacker.
    if (forwarded)
      for (const m of [...facts.from, ...facts.sender, ...facts.replyTo]) {
        if (m.address) r.addReporter(m.address);
        if (m.name) r.names.add(m.name);
      }
    if (hints.reporterDomains && hints.reporterDomains.length > 0) {
      for (const d of hints.reporterDomains) {
        const h = normaliseHost(d);
        if (h) r.domains.add(organisationalDomain(h.ascii));
      }
    } else {
      for (const a of [...r.addresses, ...r.reporterAddresses]) r.addDomainOf(a);
    }
    if (parent) r.merge(parent);
    return r;
  }

  private addRecipient(m: MailboxFacts): void {
    if (m.address) this.addresses.add(m.address);
    if (m.name) this.names.add(m.name);
  }

  private addReporter(address: string): void {
    const a = address.trim().toLowerCase();
    if (a === '') return;
    this.reporterAddresses.add(a);
    this.addresses.add(a);
  }

  private addDomainOf(address: string): void {
    const host = normaliseHost(address.slice(address.lastIndexOf('@') + 1));
    if (!host) return;
    const org = organisationalDomain(host.ascii);
    if (!MAILBOX_PROVIDERS.has(org) && !MAILBOX_PROVIDERS.has(host.ascii)) this.domains.add(org);
  }

  /** Folds in another message's context (a parent's, or an attached message's). */
  merge(ctx: RecipientContext): void {
    for (const a of ctx.addresses) this.addresses.add(a);
    for (const d of ctx.domains) this.domains.add(d);
    for (const n of ctx.names) this.names.add(n);
  }

  context(): RecipientContext {
    return {
      addresses: [...this.addresses].sort(),
      domains: [...this.domains].sort(),
      names: [...this.names].sort(),
      forwarded: this.forwarded,
    };
  }

  inPrivateDomain(host: string): boolean {
    for (const d of this.domains) if (isWithin(host, d)) return true;
    return false;
  }

  host(h: string, side: HopSide = 'unknown'): Verdict {
    const host = h.toLowerCase();
    if (this.inPrivateDomain(host)) return priv('recipient-domain');
    if (side === 'recipient') return priv('internal-host');
    if (!isInternalHost(host)) return SHARED;
    // A bare HELO on the sender's side of the chain ("WIN-3J8K2") fingerprints the attacker's machine;
    // a name under an internal suffix stays private wherever it appears, since the side is inferred.
    return side === 'sender' && !host.includes('.') ? SHARED : priv('internal-host');
  }

  ip(ip: string, side: HopSide = 'unknown'): Verdict {
    if (addressScope(ip) === 'private') return priv('private-address');
    if (side === 'recipient' || this.privateIps.has(ip)) return priv('internal-host');
    return SHARED;
  }

  address(address: string): Verdict {
    if (this.reporterAddresses.has(address)) return priv('reporter');
    if (this.addresses.has(address)) return priv('recipient-address');
    const domain = address.slice(address.lastIndexOf('@') + 1);
    if (this.inPrivateDomain(domain)) return priv('recipient-domain');
    return SHARED;
  }

  /** Recipient headers are private whatever they hold; sender headers by their address. */
  mailbox(m: MailboxFacts, recipientHeader: boolean): Mailbox {
    const v = recipientHeader ? priv('recipient-address') : m.address ? this.address(m.address) : SHARED;
    return { name: m.name, address: m.address, ...v };
  }

  /** Classifies every field of every hop; hop-side facts (IPs) feed `privateIps` for observables. */
  received(hops: readonly ReceivedFacts[]): ReceivedHop[] {
    // The lowest hop received by one of the reporter's hosts is where the mail entered their network:
    // its `from` half is the last sender-side relay, everything above it is the reporter's.
    let entry = -1;
    hops.forEach((h, i) => {
      if (h.byHost && this.inPrivateDomain(h.byHost)) entry = i;
    });
    return hops.map((h, i) => {
      const bySide: HopSide = entry === -1 ? 'unknown' : i <= entry ? 'recipient' : 'sender';
      const fromSide: HopSide = entry === -1 ? 'unknown' : i < entry ? 'recipient' : 'sender';
      const fromHost = h.fromHost ? this.field(h.fromHost, this.host(h.fromHost, fromSide)) : null;
      const fromRdns = h.fromRdns ? this.field(h.fromRdns, this.host(h.fromRdns, fromSide)) : null;
      const byHost = h.byHost ? this.field(h.byHost, this.host(h.byHost, bySide)) : null;
      // An address is private by its own range first, then by the host that uses it.
      const viaHost = (ip: string, side: HopSide, host: Field | null): Verdict => {
        const own = this.ip(ip, side);
        if (own.privacy === 'private' || host?.privacy !== 'private' || host.reason === 'internal-host')
          return own;
        return priv('recipient-domain');
      };
      const relayIp = h.relayIp
        ? this.field(h.relayIp, viaHost(h.relayIp, fromSide, fromRdns ?? fromHost))
        : null;
      const byIp = h.byIp ? this.field(h.byIp, viaHost(h.byIp, bySide, byHost)) : null;
      const byPrivate = byHost?.privacy === 'private';
      if (relayIp?.privacy === 'private') this.privateIps.add(relayIp.value);
      if (byIp?.privacy === 'private') this.privateIps.add(byIp.value);
      return {
        index: i,
        fromHost,
        fromRdns,
        relayIp,
        byHost,
        byIp,
        with: h.with,
        id: h.id ? this.field(h.id, byPrivate ? priv('internal-host') : SHARED) : null,
        for: h.for ? this.field(h.for, priv('envelope-recipient')) : null,
        timestamp: h.timestamp,
        raw: this.field(h.raw, priv('raw-header')),
      };
    });
  }

  field(value: string, v: Verdict): Field {
    return v.reason ? { value, privacy: v.privacy, reason: v.reason } : { value, privacy: v.privacy };
  }
}
