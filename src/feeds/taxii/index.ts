/**
 * TAXII 2.1 (OASIS, "TAXII Version 2.1", CS01, 2021): the server's logic — one API root, one
 * collection per audience, objects with the date each was added, status resources — and the
 * client that polls another server's collection into intel (docs/sharing.md#taxii-21); reads
 * counted per reader and hour and sealed into the audit log (read-audit.ts).
 */

export {
  apiRootUrl,
  type FetchLike,
  type PollResult,
  type Subscription,
  type TaxiiCredentials,
  TaxiiSubscriptions,
} from './client.js';
export { type CollectionDef, collectionId } from './collections.js';
export { encodeCursor, type ParsedQuery, parseQuery } from './query.js';
export { TaxiiReadLog, type TaxiiReadRow } from './read-audit.js';
export {
  DEFAULT_TAXII_OPTIONS,
  type Page,
  type TaxiiOptions,
  TaxiiService,
  type VisibleCollection,
} from './service.js';
export type { StatusBody } from './status.js';
export type { StoredVersion } from './store.js';
export { formatMicros } from './timestamps.js';
