/**
 * Tables of the intel context (organisations, people, reports, evidence, indicators, campaigns,
 * audit). Created by the migrations in `migrations/` numbered 0002 and up. Times are UTC
 * milliseconds; JSON columns hold text; booleans are 0/1 integers so SQLite and PostgreSQL agree.
 */
import type { Generated } from 'kysely';

export interface OrganisationTable {
  id: Generated<number>;
  name: string;
  /** center, member-company, local-government, critical-infrastructure, … (intel/orgs.ts). */
  kind: string;
  sector: string | null;
  /** English name of one of the 47 prefectures (JIS X 0401), or null. */
  prefecture: string | null;
  /** JSON array of the organisation's own mail domains: private when they appear in its reports. */
  domains: string;
  active: number;
  created_ms: number;
}

export interface UserTable {
  id: Generated<number>;
  /** Lower-cased login address. */
  email: string;
  display_name: string | null;
  org_id: number;
  role: string;
  /** Argon2id PHC string; null for accounts that may only use API tokens. */
  password_hash: string | null;
  created_ms: number;
  disabled_ms: number | null;
  /** `each`, `daily` or `off`; null: not chosen (intel/advisories/user-mail.ts). */
  advisory_mail: string | null;
}

export interface SessionTable {
  id: Generated<number>;
  user_id: number;
  /** SHA-256 (hex) of the session secret. */
  token_hash: string;
  created_ms: number;
  expires_ms: number;
  last_used_ms: number;
  revoked_ms: number | null;
}

export interface ApiTokenTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  /** JSON array of scopes. */
  scopes: string;
  created_ms: number;
  expires_ms: number | null;
  last_used_ms: number | null;
  revoked_ms: number | null;
}

export interface ReportTable {
  id: Generated<number>;
  /** email, incident, c2, malware, text. */
  kind: string;
  /** The reporting (owning) organisation. */
  org_id: number;
  /** The reporting user; null for reports entered by the system. */
  created_by: number | null;
  tlp: string;
  /** 1 when the reporter consented to sharing the private part with those who may read the report. */
  consent: number;
  received_ms: number;
  /** When the reported thing happened (the mail's date when plausible), else `received_ms`. */
  observed_ms: number;
  /** Shareable one-line summary (an e-mail's redacted subject). */
  title: string;
  evidence_sha256: string | null;
  /** JSON: the shareable content (an e-mail's `shareableView`, or the report's fields). */
  shared: string;
  campaign_id: number | null;
  /** The analysts' triage: new, in-review or done (intel/reports/triage.ts). */
  triage: Generated<string>;
  triage_ms: number | null;
  triage_by: number | null;
}

/** What identifies the reporter: kept apart so that no list query can select it by accident. */
export interface ReportPrivateTable {
  report_id: number;
  /** JSON: recipients, reporter addresses, private observables and header fields, signature text. */
  content: string;
}

/** Organisations or named users an AMBER/RED object is addressed to. */
export interface AudienceTable {
  object_type: string;
  object_id: number;
  org_id: number | null;
  user_id: number | null;
}

export interface EvidenceTable {
  sha256: string;
  size_bytes: number;
  media_type: string;
  first_received_ms: number;
}

/** Append-only chain of custody; hash-chained like the audit log. */
export interface CustodyTable {
  id: Generated<number>;
  evidence_sha256: string;
  report_id: number | null;
  at_ms: number;
  actor_user_id: number | null;
  actor_org_id: number | null;
  actor_label: string;
  /** received, viewed, exported. */
  action: string;
  details: string;
  prev_hash: string;
  hash: string;
}

/**
 * What a website under `allow-and-record` recorded of a request from a listed address, with the
 * center's own answer then (intel/site-evidence/); write-once, its custody in `custody`.
 */
export interface SiteEvidenceTable {
  id: Generated<number>;
  /** SHA-256 of the record's canonical JSON: the same record posted again is this row. */
  record_sha256: string;
  org_id: number;
  received_ms: number;
  request_ms: number;
  ip: string;
  port: number | null;
  account: string | null;
  content_sha256: string;
  /** JSON object of the header names and values the site chose to send. */
  headers: string;
  note: string | null;
  /** JSON: the center's anonymizer answer for the address at `request_ms`. */
  listing: string;
  actor_label: string;
}

export interface IndicatorTable {
  id: Generated<number>;
  /** ipv4, ipv6, cidr, domain, url, email, md5, sha1, sha256, file-name, or a fuzzy key type. */
  type: string;
  /** Canonical value (intel/indicators/canonical.ts). */
  value: string;
  first_seen_ms: number;
  last_seen_ms: number;
  /** Reports holding the value. */
  report_count: number;
  /** Distinct reporting organisations, sectors and prefectures (counted through indicator_facets). */
  org_count: number;
  sector_count: number;
  prefecture_count: number;
  /** 0–100: the highest confidence any sighting gave it. */
  confidence: number;
  /** The most permissive TLP of the reports holding it (what the value itself may be shared at). */
  tlp: string;
  expires_ms: number | null;
  /** Warning-list reason; a listed value never correlates and is never exported as malicious. */
  warning: string | null;
}

export interface IndicatorFacetTable {
  indicator_id: number;
  /** org, sector, prefecture. */
  facet: string;
  value: string;
}

export interface ReportIndicatorTable {
  report_id: number;
  indicator_id: number;
  /** sender, relay, link, attachment, c2, payload, mentioned, template. */
  role: string;
  confidence: number;
  /** JSON: where it was found, port, template text, … */
  context: string;
  added_by: number | null;
  added_ms: number;
}

export interface ReportLinkTable {
  /** The newer report of the pair. */
  report_id: number;
  linked_report_id: number;
  /** Sum of per-indicator weights (1 per shared indicator, 0.5 per fuzzy key). */
  weight: number;
  /** JSON array of up to 10 shared indicator ids. */
  indicator_ids: string;
  created_ms: number;
}

/** A report stored by intake and not yet correlated (intel/reports/intake-pipeline.ts). */
export interface ReportCorrelationQueueTable {
  report_id: number;
  /** The submitting actor, for the report's `report.create` audit row. */
  actor_user_id: number | null;
  actor_org_id: number | null;
  actor_label: string;
  /** JSON: that audit row's details before correlation adds its summary. */
  details: string;
}

export interface CampaignTable {
  id: Generated<number>;
  name: string;
  tlp: string;
  /** The center organisation that owns analyses; null when none is registered yet. */
  org_id: number | null;
  created_by: number | null;
  created_ms: number;
  updated_ms: number;
  merged_into: number | null;
}

/** A report that linked two campaigns: recorded for an analyst instead of merging silently. */
export interface CampaignBridgeTable {
  id: Generated<number>;
  campaign_id: number;
  other_campaign_id: number;
  report_id: number;
  weight: number;
  created_ms: number;
  resolved_ms: number | null;
}

export interface WarningListEntryTable {
  id: Generated<number>;
  /** domain, cidr, url-prefix, hash. */
  kind: string;
  value: string;
  reason: string;
  created_by: number | null;
  created_ms: number;
}

/** Hash-chained audit log: each row stores SHA-256(prev_hash ‖ canonical JSON of the row). */
export interface AuditLogTable {
  id: Generated<number>;
  at_ms: number;
  actor_user_id: number | null;
  actor_org_id: number | null;
  actor_label: string;
  action: string;
  target_type: string;
  target_id: string | null;
  tlp: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

/**
 * An alert to members (注意喚起): drafted by an analyst from a report or a campaign, sent to a
 * resolved audience (rows of `audience` with object type `alert`), updated in versions, withdrawn.
 */
export interface MemberAlertTable {
  id: Generated<number>;
  title: string;
  body_ja: string | null;
  body_en: string | null;
  tlp: string;
  /** The most restrictive label among the sources the alert quotes, when last built. */
  tlp_floor: string;
  /** Why the label is more permissive than `tlp_floor` (an analyst's explicit downgrade). */
  downgrade_reason: string | null;
  /** report or campaign. */
  source_type: string;
  source_id: number;
  /** The campaign "received too" answers join: the source campaign, or the source report's. */
  campaign_id: number | null;
  /** JSON array of `type:value` keys to share; null shares every eligible indicator of the sources. */
  indicators: string | null;
  /** The center organisation (the alert's owner); null when none is registered. */
  org_id: number | null;
  created_by: number | null;
  created_ms: number;
  updated_ms: number;
  /** draft, sent, withdrawn. */
  status: string;
  /** 1 until an update after sending; each update adds one. */
  version: number;
  /** JSON: the audience as chosen (all, sectors, prefectures, organisations, users, public). */
  audience: string | null;
  sent_ms: number | null;
  sent_by: number | null;
  withdrawn_ms: number | null;
  withdrawn_reason: string | null;
}

/** What recipients saw in each version: the sanitised content, frozen when sent or updated. */
export interface MemberAlertVersionTable {
  alert_id: number;
  version: number;
  tlp: string;
  title: string;
  /** JSON: the recipients' view (member-alerts/content.ts). */
  content: string;
  /** Why this version replaced the previous one; null for the first. */
  reason: string | null;
  created_by: number | null;
  created_ms: number;
}

/** The reports an alert's current version quotes, and their reporting organisations (for counts). */
export interface MemberAlertSourceTable {
  alert_id: number;
  report_id: number;
  org_id: number;
}

/** A user has read an alert up to `version` (an update makes it unread again). */
export interface MemberAlertReadTable {
  alert_id: number;
  user_id: number;
  version: number;
  read_ms: number;
}

/** "We received this too": one per recipient organisation and alert. */
export interface MemberAlertSightingTable {
  id: Generated<number>;
  alert_id: number;
  org_id: number;
  user_id: number | null;
  /** The organisation's own report of it, which then joins the alert's campaign. */
  report_id: number | null;
  note: string | null;
  created_ms: number;
}

/** Where an organisation receives alerts besides its inbox: contact addresses and webhooks. */
export interface OrgAlertEndpointTable {
  id: Generated<number>;
  org_id: number;
  /** email or webhook. */
  channel: string;
  /** An e-mail address or an https URL. */
  target: string;
  /** Webhooks: the HMAC-SHA256 key (kept as is: signing needs it). */
  secret: string | null;
  created_ms: number;
  /** Removed (for good; deliveries queued to it fail). */
  disabled_ms: number | null;
  /** Paused by the organisation's admins: nothing is queued to it until it is enabled again. */
  paused_ms: number | null;
  /** JSON array of the TLP labels it is sent; null: all. */
  tlps: string | null;
  /** JSON array of the alert events (`sent`, `updated`, `withdrawn`) it is sent; null: all. */
  events: string | null;
}

/** One delivery of one alert event to one recipient over one channel, with its attempts. */
export interface MemberAlertDeliveryTable {
  id: Generated<number>;
  alert_id: number;
  version: number;
  /** sent, updated, withdrawn. */
  event: string;
  org_id: number | null;
  user_id: number | null;
  /** inbox, email, webhook. */
  channel: string;
  target: string;
  endpoint_id: number | null;
  /** pending, delivered, failed. */
  status: string;
  attempts: number;
  next_attempt_ms: number | null;
  last_attempt_ms: number | null;
  last_error: string | null;
  delivered_ms: number | null;
  created_ms: number;
}

/**
 * A request to publish a member's report below its label (intel/declassify.ts): pending until the
 * reporting organisation consents or a second center admin approves — or either refuses.
 */
export interface DeclassificationTable {
  id: Generated<number>;
  report_id: number;
  /** The report's label when requested; a label raised since voids the approval. */
  from_tlp: string;
  /** The least restrictive label the report may then be published under. */
  to_tlp: string;
  reason: string;
  requested_by: number;
  requested_ms: number;
  /** pending, approved, refused. */
  status: string;
  decided_by: number | null;
  decided_ms: number | null;
  /** consent (an org admin of the reporting organisation) or second-admin (four eyes). */
  approval: string | null;
  note: string | null;
}

export interface IntelTables {
  organisations: OrganisationTable;
  users: UserTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  reports: ReportTable;
  report_private: ReportPrivateTable;
  audience: AudienceTable;
  evidence: EvidenceTable;
  custody: CustodyTable;
  site_evidence: SiteEvidenceTable;
  indicators: IndicatorTable;
  indicator_facets: IndicatorFacetTable;
  report_indicators: ReportIndicatorTable;
  report_links: ReportLinkTable;
  report_correlation_queue: ReportCorrelationQueueTable;
  campaigns: CampaignTable;
  campaign_bridges: CampaignBridgeTable;
  warning_list_entries: WarningListEntryTable;
  audit_log: AuditLogTable;
  member_alerts: MemberAlertTable;
  member_alert_versions: MemberAlertVersionTable;
  member_alert_sources: MemberAlertSourceTable;
  member_alert_reads: MemberAlertReadTable;
  member_alert_sightings: MemberAlertSightingTable;
  org_alert_endpoints: OrgAlertEndpointTable;
  member_alert_deliveries: MemberAlertDeliveryTable;
  declassifications: DeclassificationTable;
}
