/**
 * The information-sharing network (MISSION.md §5–8). Member organisations and their people
 * (roles, sessions, API tokens with scopes) report the targeted e-mails they receive and other
 * incidents; intake keeps the raw file as evidence under a hash-chained chain of custody, extracts
 * indicators (typed, canonical, checked against warning lists), keeps what identifies the reporter
 * in a private part shared only with consent, and correlates every report on arrival: per-value
 * aggregates (organisations, sectors, prefectures, first/last seen), links between reports that
 * share values or fuzzy keys, and campaigns analysts can rename, merge and split. Alerts to members
 * (member-alerts/) go back out: drafted from a report or campaign, sanitised, labelled, sent to an
 * audience by inbox, e-mail and webhook, and answered "we received this too"; quoting a report
 * below its label needs an approved declassification (declassify.ts).
 *
 * Main types: `IntelService` (all services over one store), `Actor` (who acts), `Tlp` and the one
 * access-control module (`canRead`, `readableWhere`: TLP 2.0 and audiences), `IntakeResult`,
 * `ReportView`, `IndicatorView`, `CampaignView`, and the audit chain (`verifyAuditChain`), keyed
 * with a key outside the database, with signed checkpoints of its head (`Checkpoint`).
 * Reports come from the API, the portal and `koban report add`; alerts to members (`MemberAlertService`)
 * and feeds (later) read through the same services and access rules. Relational data: Kysely (db context).
 */

export {
  asLabelReader,
  canAnalyse,
  canDecideForReport,
  canRead,
  canReadPrivate,
  hasScope,
  isCenter,
  isRecipient,
  type Labelled,
  type LabelledType,
  mayRead,
  privateOpenTo,
  type ReadReason,
  readableWhere,
  readReason,
  requireCenter,
  requireScope,
} from './access.js';
export {
  type Actor,
  ANONYMOUS,
  isCenterRole,
  ROLE_SCOPES,
  ROLES,
  type Role,
  RoleSchema,
  SCOPES,
  type Scope,
  ScopeSchema,
  systemActor,
  userActor,
} from './actor.js';
export {
  type AuditEntry,
  type AuditRecord,
  type AuditVerification,
  appendAudit,
  verifyAuditChain,
} from './audit.js';
export {
  type ApiTokenInfo,
  type AuthCheck,
  type AuthOptions,
  AuthService,
  INVALID_CREDENTIAL,
  type LoginResult,
  type NewToken,
} from './auth.js';
export {
  type CampaignRef as CampaignReference,
  campaignsOfIndicator,
  hiddenLinkedReports,
  readableCampaign,
} from './campaign-refs.js';
export {
  type CampaignPage,
  CampaignService,
  type CampaignSummary,
  type CampaignView,
  MAX_CAMPAIGN_PAGE,
} from './campaigns.js';
export { type ChainCheck, canonicalJson, chainHash, GENESIS_HASH } from './chain.js';
export { CHAIN_KEY_FILE } from './chain-key-file.js';
export { CHECKPOINT_FILE, type Checkpoint } from './checkpoints.js';
export { type Bridge, type CorrelationResult, DEFAULT_FAN_OUT, type Link } from './correlate.js';
export { DEFAULT_TOKEN_TTL_DAYS, MAX_TOKEN_TTL_DAYS } from './credentials.js';
export {
  DECLASSIFICATION_STATUSES,
  type Declassification,
  type DeclassificationStatus,
  DeclassifyRequestSchema,
} from './declassify.js';
export * from './email/index.js';
export { type CustodyAction, type CustodyRecord, EvidenceStore } from './evidence.js';
export {
  type Canonical,
  canonicalDomain,
  canonicalEmail,
  canonicalHash,
  canonicalIndicator,
  canonicalUrl,
  guessIndicator,
} from './indicators/canonical.js';
export { attachmentPattern, mailerDomain, subjectTemplate } from './indicators/fuzzy.js';
export { type IndicatorFilter, IndicatorService, type IndicatorView } from './indicators/queries.js';
export { type IndicatorRecord, IndicatorStore, type Sighted } from './indicators/store.js';
export {
  ATOMIC_TYPES,
  FUZZY_TYPES,
  INDICATOR_ROLES,
  INDICATOR_TYPES,
  type IndicatorRole,
  type IndicatorType,
  isFuzzy,
} from './indicators/types.js';
export {
  type NewWarningEntry,
  type WarningEntry,
  WarningEntryService,
} from './indicators/warning-entries.js';
export { type ConfiguredEntry, WarningList, type WarningListData } from './indicators/warning-list.js';
export { type IntakeResult, IntakeService } from './intake.js';
export { type IntakeLimitOptions, IntakeLimits } from './intake-limits.js';
export * from './member-alerts/index.js';
export { type NewOrg, ORG_KINDS, type Organisation, type OrgKind, OrgService } from './orgs.js';
export {
  defaultParseWorkers,
  EmailParsePool,
  PARSE_QUEUE_RETRY_AFTER_S,
  type ParsePoolOptions,
  type ParsePoolStats,
} from './parse-pool.js';
export { type Argon2Cost, argon2Hasher, DEFAULT_PASSWORD_HASHER, type PasswordHasher } from './passwords.js';
export { canonicalPrefecture, PREFECTURE_NAMES } from './prefectures.js';
export { type EmailPreparer, type PreparedEmail, prepareEmail, prepareInThread } from './prepare-email.js';
export { REDACTED_PRIVATE } from './report-kinds.js';
export {
  type ReporterView,
  type ReportFilter,
  type ReportIndicatorView,
  ReportService,
  type ReportSummary,
  type ReportView,
} from './reports.js';
export { type IntelOptions, IntelService } from './service.js';
export { type C2Countries, type CountryShare, type PeriodCount, StatsService } from './stats.js';
export {
  type AddedIndicator,
  type ReportInput,
  ReportInputSchema,
  type SharingOptions,
} from './submissions.js';
export { isAuditedRead, parseTlp, TLP_LABELS, type Tlp, TlpSchema, tlpRank } from './tlp.js';
export { MIN_PASSWORD_LENGTH, type NewUser, type User, UserService } from './users.js';
