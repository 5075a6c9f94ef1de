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

export interface FeedTables {
  stix_objects: StixObjectTable;
}
