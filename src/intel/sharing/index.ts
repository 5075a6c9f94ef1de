/**
 * Sharing with other systems: the snapshot of what a reader or an audience may see (through the
 * one access check), for the feeds context to render as STIX, MISP or blocklists, and the campaign
 * a partner's objects belong to.
 */
export { audienceReaders, COUNCIL_KINDS, type ExportAudience, ExportAudienceSchema } from './audience.js';
export { SharingService } from './service.js';
export type {
  SharedAdvisory,
  SharedCampaign,
  SharedOrg,
  SharedReport,
  SharedValue,
  SharingSnapshot,
} from './snapshot.js';
