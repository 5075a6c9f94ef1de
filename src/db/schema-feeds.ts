/**
 * Tables of the feeds context (sharing beyond the center: STIX 2.1 in and out). Created by the
 * migrations numbered 0011 and up.
 */
import type { Generated } from 'kysely';

/** A STIX 2.1 object imported from a partner, by id (migrations/0011-stix-objects.ts). */
export interface StixObjectTable {
  stix_id: string;
  stix_type: string;
  /** The STIX `modified` (or `created`) timestamp of the version held, as written. */
  modified: string;
  /** SHA-256 (hex) of the object's canonical JSON. */
  content_sha256: string;
  /** Who it came from: the organisation or named source it is attributed to. */
  source: string;
  /** report or campaign; null for objects kept only to recognise them again. */
  koban_type: string | null;
  koban_id: number | null;
  revoked: number;
  imported_ms: number;
  /** An indicator's values as given to the report holding them: JSON `[{type, value}]` (migration 0022). */
  koban_values: string | null;
}

/** A provider's salt for its customers' pseudonyms, sealed (migrations/0012-provider-sightings.ts). */
export interface ProviderSaltTable {
  org_id: number;
  salt_sealed: string;
  created_ms: number;
}

/** A provider's customer seen at a C2 destination (migrations/0012-provider-sightings.ts). */
export interface ProviderSightingTable {
  provider_org_id: number;
  type: string;
  value: string;
  /** HMAC-SHA256 (hex) of the provider's customer hash under the provider's salt. */
  customer_key: string;
  first_seen_ms: number;
  last_seen_ms: number;
  count: number;
  /** When the center first received a sighting of this customer at this destination. */
  received_ms: number;
}

/** One version of a STIX object in a TAXII collection (migrations/0013-taxii-collections.ts). */
export interface TaxiiObjectTable {
  id: Generated<number>;
  /** The collection's id (a UUID). */
  collection: string;
  stix_id: string;
  stix_type: string;
  /** `modified` (else `created`) as written. */
  version: string;
  /** The version as a fixed-width UTC timestamp (nanoseconds): compares as text in time order. */
  version_key: string;
  spec_version: string;
  /** When it was added to this collection, µs since the epoch; strictly increasing per collection. */
  date_added_us: number;
  /** `export` (the audience's view of the center's intelligence) or `post` (a TAXII client sent it). */
  origin: string;
  /** The organisation that posted it (null for exports). */
  org_id: number | null;
  is_first: number;
  is_last: number;
  content_sha256: string;
  /** The STIX object, JSON. */
  object: string;
}

/** A TAXII 2.1 status resource (§4.3.1) of one POST, as JSON. */
export interface TaxiiStatusTable {
  id: string;
  collection: string;
  user_id: number | null;
  org_id: number | null;
  request_us: number;
  body: string;
}

/** A TAXII collection this center polls (`koban feeds subscribe`). */
export interface TaxiiSubscriptionTable {
  id: Generated<number>;
  /** The API root's URL, ending in "/". */
  api_root: string;
  collection: string;
  /** The source named on the reports imported from it. */
  source: string;
  /** The organisation the objects are attributed to (null: the center). */
  org: string | null;
  /** The last `X-TAXII-Date-Added-Last` seen, as the server wrote it: the next poll's added_after. */
  last_added: string | null;
  last_poll_ms: number | null;
  objects_seen: number;
  created_ms: number;
}

/** The pull state of a federation peer (migrations/0019-federation-operations.ts). */
export interface FederationPeerTable {
  peer: string;
  /** When the last pull ended (ok or not). */
  last_pull_ms: number | null;
  last_ok_ms: number | null;
  /** Objects received by the last successful pull. */
  last_objects: number;
  /** Objects received from this peer since it was first pulled. */
  objects_total: number;
  /** Failed pulls in a row (the back-off's exponent). */
  failures: number;
  /** Why the last pull failed (never a token); null after a successful one. */
  last_error: string | null;
  /** When the next scheduled pull is due (0: now). */
  next_due_ms: number;
}

/** Reads of a TAXII collection by one reader in one hour (migrations/0019-federation-operations.ts). */
export interface TaxiiReadTable {
  collection: string;
  /** The actor's audit label: `token:3 (user:12)`, `user:12`, `anonymous`. */
  reader: string;
  /** The hour's start, ms since the epoch (UTC). */
  hour_ms: number;
  user_id: number | null;
  org_id: number | null;
  requests: number;
  objects: number;
  first_ms: number;
  last_ms: number;
  /** 1 once the hour is over and its `taxii.read` row is in the audit chain. */
  sealed: number;
}

/** A value of an imported report that its source revoked (migrations/0019-federation-operations.ts). */
export interface StixWithdrawalTable {
  report_id: number;
  type: string;
  value: string;
  /** The revoked STIX object (the report, or the indicator that gave the value). */
  stix_id: string;
  source: string;
  withdrawn_ms: number;
}

export interface FeedTables {
  stix_objects: StixObjectTable;
  provider_salts: ProviderSaltTable;
  provider_sightings: ProviderSightingTable;
  taxii_objects: TaxiiObjectTable;
  taxii_status: TaxiiStatusTable;
  taxii_subscriptions: TaxiiSubscriptionTable;
  federation_peers: FederationPeerTable;
  taxii_reads: TaxiiReadTable;
  stix_withdrawals: StixWithdrawalTable;
}
