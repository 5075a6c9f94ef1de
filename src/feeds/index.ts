/**
 * Sharing beyond the center (docs/sharing.md): Koban's shareable intelligence out in the formats
 * partners read, and theirs in. STIX 2.1 now (`StixService`: bundles out — what an audience may
 * see, read through intel's one access check — and in, object by object, idempotent, with TLP
 * markings honoured); format detection for `koban intel import`. Its data comes from and goes to
 * the intel context; the `stix_objects` table remembers what partners sent, by id and version.
 */
export {
  BUILT_EXPORT_FORMATS,
  detectFormat,
  EXPORT_FORMATS,
  type ExportFormat,
  exportFormat,
  type ImportFormat,
} from './formats.js';
export type { StixBundle, StixObject } from './stix/export.js';
export type { ImportCounts, ImportOutcome } from './stix/import-apply.js';
export type { ObjectRejection } from './stix/import-plan.js';
export { TLP2_IDS } from './stix/markings.js';
export {
  DEFAULT_STIX_LIMITS,
  type FileImport,
  type ImportOptions,
  type StixLimits,
  StixService,
} from './stix/service.js';
export {
  apiRootUrl,
  type CollectionDef,
  collectionId,
  DEFAULT_TAXII_OPTIONS,
  encodeCursor,
  type FetchLike,
  formatMicros,
  type Page,
  type ParsedQuery,
  type PollResult,
  parseQuery,
  type StatusBody,
  type StoredVersion,
  type Subscription,
  type TaxiiCredentials,
  type TaxiiOptions,
  TaxiiService,
  TaxiiSubscriptions,
  type VisibleCollection,
} from './taxii/index.js';
