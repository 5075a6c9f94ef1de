/**
 * Sharing beyond the center (docs/sharing.md): Koban's shareable intelligence out in the formats
 * partners read, and theirs in. STIX 2.1 (`StixService`: bundles out — what an audience may see,
 * read through intel's one access check — and in, object by object, idempotent, with TLP markings
 * honoured); MISP (`MispService`: a feed directory out, events, feeds and warninglists in);
 * blocklists of C2 destinations for the service-provider council (`BlocklistService`: text, CSV,
 * Suricata, RPZ) and their sightings back (`SightingService`); format detection and one import
 * entry for `koban intel import` (`SharingImporter`). Its data comes from and goes to the intel
 * context; `stix_objects` remembers what partners sent, by id and version, and
 * `provider_sightings` what providers saw, under per-provider pseudonyms. Federation with other Koban
 * centers (`Federation`, docs/sharing.md#federation): one TAXII collection published per peer, and
 * the peers' collections pulled on a schedule by `koban serve`.
 */
export { BLOCKABLE_TYPES, type BlocklistEntry } from './blocklists/entries.js';
export { BLOCKLIST_FORMATS, BLOCKLIST_MEDIA_TYPES, type BlocklistFormat } from './blocklists/render.js';
export { type Blocklist, BlocklistService, PROVIDER_KINDS } from './blocklists/service.js';
export {
  type CampaignSightings,
  type DestinationSightings,
  MAX_SIGHTINGS,
  type SightingReceipt,
  SightingService,
  sightingsFromCsv,
} from './blocklists/sightings.js';
export {
  FEDERATION_TLPS,
  type FederationConfig,
  federationConfigFrom,
  type PeerCollection,
  type PeerConfig,
  peerCollections,
  taxiiOptionsFrom,
} from './federation/config.js';
export {
  Federation,
  type FederationDeps,
  type PeerPullOutcome,
  type PeerStatus,
} from './federation/puller.js';
export {
  BUILT_EXPORT_FORMATS,
  detectFormat,
  EXPORT_FORMATS,
  type ExportFormat,
  exportFormat,
  type ImportFormat,
} from './formats.js';
export { type SharingImport, SharingImporter, type SharingImportOptions } from './import.js';
export type { ManifestEntry, MispEvent, MispFeed } from './misp/feed-export.js';
export { type MispImportOutcome, MispService, type WarninglistOutcome } from './misp/service.js';
export type { StixBundle, StixObject } from './stix/export.js';
export type { ImportCounts } from './stix/import-apply.js';
export type { ImportOutcome } from './stix/import-bundle.js';
export type { ObjectRejection } from './stix/import-plan.js';
export { TLP2_IDS } from './stix/markings.js';
export { valuesOfPattern } from './stix/patterns.js';
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
  TaxiiReadLog,
  type TaxiiReadRow,
  TaxiiService,
  TaxiiSubscriptions,
  type VisibleCollection,
} from './taxii/index.js';
