/**
 * The information-sharing network (docs/background.md#sharing-network). Member organisations and
 * their people (identity/: roles, sessions, API tokens with scopes) report the targeted e-mails
 * they receive and other incidents; intake (reports/) keeps the raw file as evidence under a
 * hash-chained chain of custody (audit/), extracts indicators (indicators/: typed, canonical,
 * checked against warning lists), keeps what identifies the reporter in a private part shared only
 * with consent, and correlates every report on arrival (campaigns/: per-value aggregates, links
 * between reports that share values or fuzzy keys, campaigns analysts can rename, merge and split).
 * Advisories (advisories/) go back out to members: drafted from a report or campaign, sanitised,
 * labelled, sent to an audience by inbox, e-mail and webhook, and answered "we received this too";
 * quoting a report below its label needs an approved declassification (labels/).
 *
 * Main types: `IntelService` (all services over one store), `Actor` (who acts), `Tlp`,
 * `ReportView`, `IndicatorView`, `CampaignView`, the advisories' views and inputs, and the audit
 * chain's `Checkpoint`. E-mails are parsed by the mail context (src/mail/). Reports come from the
 * API, the portal and `koban report add`; relational data: Kysely (db context).
 *
 * This door exports what is used outside intel (web/, cli/, benchmarks); each subfolder's
 * `index.ts` says what that part offers to the rest of intel.
 */
export {
  ADVISORY_EVENTS,
  ADVISORY_MAIL_MODES,
  type AdvisoryAudienceInput,
  type AdvisoryEndpoint,
  AdvisoryListFilterSchema,
  type AdvisoryMail,
  type AdvisoryPreview,
  type AdvisorySummary,
  type AdvisoryView,
  type AudienceReach,
  advisoryConfigFrom,
  type DeliveryRecord,
  type DeliveryRun,
  DraftAdvisoryInputSchema,
  type EndpointPreferences,
  type EndpointTestResult,
  type LastDelivery,
  NO_SMTP_CONFIGURED,
  ReceivedTooInputSchema,
  SendAdvisoryInputSchema,
  type TalliedAdvisory,
  type UserMailSetting,
} from './advisories/index.js';
export type { Checkpoint } from './audit/index.js';
// For the other contexts that record what they do in the audit chain (feeds: TAXII reads).
export { type AuditEntry, appendAudit, CHAIN_KEY_FILE } from './audit/index.js';
export {
  type CampaignSummary,
  type CampaignView,
  campaignsOfIndicator,
  hiddenLinkedReports,
  readableCampaign,
} from './campaigns/index.js';
export {
  type Actor,
  ANONYMOUS,
  type ApiTokenInfo,
  AuthService,
  argon2Hasher,
  DEFAULT_TOKEN_TTL_DAYS,
  INVALID_CREDENTIAL,
  MAX_TOKEN_TTL_DAYS,
  type NewOrg,
  ORG_KINDS,
  type Organisation,
  type OrgKind,
  type PasswordHasher,
  ROLE_SCOPES,
  ROLES,
  type Role,
  RoleSchema,
  SCOPES,
  type Scope,
  ScopeSchema,
  systemActor,
  type User,
  userActor,
} from './identity/index.js';
export {
  type AtomicType,
  canonicalIndicator,
  INDICATOR_ROLES,
  INDICATOR_TYPES,
  type IndicatorRole,
  IndicatorStore,
  type IndicatorType,
  type IndicatorView,
  indicatorTtlMs,
  markGivenAgain,
  type NewWarningEntry,
} from './indicators/index.js';
export {
  DECLASSIFICATION_STATUSES,
  type Declassification,
  type DeclassificationStatus,
  DeclassifyRequestSchema,
  hasScope,
  isCenter,
  parseTlp,
  type Tlp,
  TlpSchema,
} from './labels/index.js';
export {
  defaultParseWorkers,
  type ImportedReport,
  type IntakeResult,
  prepareEmail,
  type ReporterView,
  ReportInputSchema,
  type ReportSummary,
  type ReportView,
  type SharingOptions,
  type SubmissionPreview,
  TRIAGE_STATUSES,
  type TriageStatus,
  TriageStatusSchema,
} from './reports/index.js';
export { type IntelOptions, IntelService } from './service.js';
export {
  COUNCIL_KINDS,
  type ExportAudience,
  ExportAudienceSchema,
  type SharedAdvisory,
  type SharedCampaign,
  type SharedOrg,
  type SharedReport,
  type SharedValue,
  SharingService,
  type SharingSnapshot,
} from './sharing/index.js';
export type {
  SiteEvidenceFilter,
  SiteEvidenceInput,
  SiteEvidenceView,
} from './site-evidence/index.js';
