/** What every list parser yields: the entries of one published list, and what it could not read. */
import type { PolicySummary } from './policy.js';

export const LIST_FORMATS = ['tordnsel', 'bulk', 'onionoo', 'rbldnsd', 'tor-relays-csv'] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];

/** What a list's addresses are: exits measured or published by Tor, relays with the Exit flag, others. */
export const LIST_KINDS = ['tor-exit', 'tor-relay', 'proxy', 'vpn', 'other'] as const;
export type ListKind = (typeof LIST_KINDS)[number];

export interface ListEntry {
  /** Canonical address text, or a CIDR block (rbldnsd lists). */
  readonly address: string;
  readonly fingerprint: string | null;
  readonly policy: PolicySummary | null;
  /** When the list says the address was seen (TorDNSEL's ExitAddress time); null: not said. */
  readonly seenMs: number | null;
  /** The reason text to answer with (rbldnsd TXT values); null: the list's default. */
  readonly reason: string | null;
}

export interface LineRejection {
  /** 1-based line (or relay index in an Onionoo document). */
  readonly line: number;
  readonly reason: string;
}

export interface ParsedList {
  readonly format: ListFormat;
  /** The list's own validity time (Downloaded, relays_published, $TIMESTAMP); null: the file has none. */
  readonly publishedMs: number | null;
  readonly entries: readonly ListEntry[];
  readonly rejected: readonly LineRejection[];
}

/** `YYYY-MM-DD HH:MM:SS` (UTC, as Tor writes times) to ms; NaN when it is not one. */
export function torTimeMs(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return Number.NaN;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  // Date.UTC rolls 2017-02-30 over to March: a date that does not round-trip is not one.
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ') === text.trim() ? ms : Number.NaN;
}
