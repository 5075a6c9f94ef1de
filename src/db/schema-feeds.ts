/**
 * Tables of the feeds context (sharing beyond the center: STIX 2.1 in and out). Created by the
 * migrations numbered 0011 and up.
 */

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

export interface FeedTables {
  stix_objects: StixObjectTable;
  provider_salts: ProviderSaltTable;
  provider_sightings: ProviderSightingTable;
}
