/** Evidence websites under `allow-and-record` post, kept write-once under custody (site-evidence.ts). */
export {
  SITE_EVIDENCE_MEDIA_TYPE,
  type SiteEvidenceFilter,
  type SiteEvidenceInput,
  SiteEvidenceStore,
  type SiteEvidenceView,
} from './site-evidence.js';
