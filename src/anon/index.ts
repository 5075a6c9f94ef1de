/**
 * The anonymizer database (docs/anonymizer.md): Tor exit lists (TorDNSEL, bulk, Onionoo), relay
 * lists and other anonymizer lists (rbldnsd zones: proxies, VPN exits) imported with their
 * history — the intervals each address was listed, with the relay and its exit policy then — and
 * answered over DNS (a DNSBL per RFC 5782, TorDNSEL's ip-port query, a date-qualified query) and
 * through `AnonymizerService.check`. Its data comes from list files an operator imports and lives
 * in the relational store (`anon_imports`, `anon_intervals`).
 */
export { DEFAULT_DNSBL_ZONE } from './dns/answer.js';
export { type DnsblServer, type DnsblServerOptions, startDnsblServer } from './dns/server.js';
export {
  LIST_FORMATS,
  LIST_KINDS,
  type LineRejection,
  type ListFormat,
  type ListKind,
} from './lists/entry.js';
export type { CheckAnswer, Evidence } from './lookup.js';
export {
  type AnonymizerOptions,
  AnonymizerService,
  DEFAULT_STALE_HOURS,
  type ListImport,
  type ListImportInput,
} from './service.js';
export { DEFAULT_SITE_ACTION, isSiteAction, SITE_ACTIONS, type SiteAction } from './site-policy.js';

import type { DnsblSource } from './dns/answer.js';
import type { AnonymizerService } from './service.js';

/** The service as the DNS server's source of answers. */
export function dnsblSource(s: AnonymizerService): DnsblSource {
  return {
    listing: (ip, opts) => s.listing(ip, opts),
    serialMs: () => s.newestMs(),
    share: () => ({ index: s.shareIndex(), staleHours: s.staleHours }),
    onChange: (listener) => s.onReload(listener),
  };
}
