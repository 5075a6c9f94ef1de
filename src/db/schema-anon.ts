/** Tables of the anonymizer context (anon/), created by migrations/0014-anonymizer.ts. */
import type { Generated } from 'kysely';

/** One list imported: the history is built from these in publication order. */
export interface AnonImportTable {
  id: Generated<number>;
  list: string;
  /** tor-exit, tor-relay, proxy, vpn, other. */
  kind: string;
  format: string;
  /** The file name given to the import. */
  source: string;
  content_sha256: string;
  /** The list's own validity time (or the import time when the file has none). */
  published_ms: number;
  imported_ms: number;
  entries: number;
  rejected: number;
}

/** An address on a list during [from_ms, to_ms); `to_ms` null: still on the newest list. */
export interface AnonIntervalTable {
  id: Generated<number>;
  list: string;
  address: string;
  /** The relay's fingerprint; '' when the list names none. */
  fingerprint: string;
  /** Onionoo exit_policy_summary JSON, or null. */
  policy: string | null;
  /** The list's reason text (rbldnsd values), or null. */
  reason: string | null;
  from_ms: number;
  to_ms: number | null;
  /** anon_imports ids: the list that opened the interval, and the newest list it was on. */
  first_import: number;
  last_import: number;
}

/** What a website operator (an organisation) wants done with a listed visitor. */
export interface AnonSitePolicyTable {
  org_id: number;
  /** restrict, allow-and-record or ignore-but-keep-logs. */
  action: string;
  updated_ms: number;
  /** Who set it (the operator's actor name). */
  updated_by: string;
}

export interface AnonTables {
  anon_imports: AnonImportTable;
  anon_intervals: AnonIntervalTable;
  anon_site_policies: AnonSitePolicyTable;
}
