/**
 * What the alert service returns: the content recipients see (also the sanitisation preview), an
 * alert as one reader sees it, inbox items, counts of "received too" answers, and the delivery log.
 */
import type { IndicatorRole, IndicatorType } from '../indicators/types.js';
import type { Tlp } from '../labels/tlp.js';
import type { AdvisoryAudience, AdvisorySource } from './inputs.js';

export const ADVISORY_STATUSES = ['draft', 'sent', 'withdrawn'] as const;
export type AdvisoryStatus = (typeof ADVISORY_STATUSES)[number];

export interface AdvisoryIndicator {
  readonly type: IndicatorType;
  readonly value: string;
  readonly role: IndicatorRole;
  /** Quoted reports holding it, and their distinct reporting organisations. */
  readonly reports: number;
  readonly organisations: number;
}

/** One lure as recipients may recognise it in their own mail (sender-side facts only). */
export interface AdvisoryLure {
  readonly subject: string | null;
  /** Sender addresses as the lure shows them (often a real partner's, spoofed). */
  readonly from: readonly string[];
  readonly mailer: string | null;
  /** The lure's own Date header (ISO 8601), as written by the attacker. */
  readonly sentAt: string | null;
  readonly attachments: readonly {
    readonly fileName: string | null;
    readonly sha256: string | null;
    /** Names inside an archive (a password-locked ZIP lists them even when it cannot be opened). */
    readonly entries: readonly string[];
  }[];
  readonly reports: number;
}

export interface NamedReporter {
  readonly name: string;
  readonly sector: string | null;
  readonly prefecture: string | null;
}

/** Exactly what recipients see (the sanitisation preview shows the same object before sending). */
export interface AdvisoryContent {
  readonly title: string;
  readonly bodyJa: string | null;
  readonly bodyEn: string | null;
  readonly tlp: Tlp;
  readonly indicators: readonly AdvisoryIndicator[];
  readonly lures: readonly AdvisoryLure[];
  /** How many organisations reported what the alert quotes; named only with their consent. */
  readonly reporters: { readonly organisations: number; readonly named: readonly NamedReporter[] };
}

export interface ExcludedValue {
  readonly type: IndicatorType;
  readonly value: string;
  readonly reason: string;
}

/** The sanitisation preview: the content, and for the analyst what was left out and why. */
export interface AdvisoryPreview {
  readonly alertId: number;
  readonly status: AdvisoryStatus;
  readonly version: number;
  readonly content: AdvisoryContent;
  readonly tlpFloor: Tlp;
  readonly downgradeReason: string | null;
  readonly campaignId: number | null;
  readonly sources: readonly { readonly reportId: number; readonly tlp: Tlp }[];
  /** Values of the sources not shared (warning-listed, identifying a recipient or reporter). */
  readonly excluded: readonly ExcludedValue[];
  /** Strings replaced because they named a recipient or a reporter. */
  readonly redactions: number;
  /** Reporting organisations not named (no consent). */
  readonly anonymisedReporters: number;
}

export interface AdvisoryCounts {
  /** Distinct organisations whose reports the alert quotes (the original reporters). */
  readonly reporters: number;
  /** Distinct organisations that answered "we received this too". */
  readonly receivedToo: number;
  /** Distinct organisations known to have received it: both of the above, each counted once. */
  readonly organisations: number;
  /** Of those organisations, how many per sector and per prefecture (`unknown` when not set). */
  readonly bySector: Readonly<Record<string, number>>;
  readonly byPrefecture: Readonly<Record<string, number>>;
}

export interface CampaignAdvisoryCounts extends AdvisoryCounts {
  readonly campaignId: number;
  /** Alerts sent about the campaign. */
  readonly alerts: number;
}

export interface SightingView {
  readonly id: number;
  readonly orgId: number;
  readonly orgName: string;
  readonly userId: number | null;
  readonly reportId: number | null;
  readonly note: string | null;
  readonly atMs: number;
}

export interface DeliveryRecord {
  readonly id: number;
  readonly version: number;
  readonly event: string;
  readonly orgId: number | null;
  readonly userId: number | null;
  /** `digest`: the user's daily digest e-mail (user-mail.ts). */
  readonly channel: 'inbox' | 'email' | 'webhook' | 'digest';
  readonly target: string;
  readonly status: 'pending' | 'delivered' | 'failed';
  readonly attempts: number;
  readonly nextAttemptMs: number | null;
  readonly lastAttemptMs: number | null;
  readonly lastError: string | null;
  readonly deliveredMs: number | null;
  /**
   * Why a pending delivery has not gone out yet: no SMTP server configured, waiting for the next
   * run, or the time of the next attempt and the last error. Null once delivered or failed.
   */
  readonly waitingFor: string | null;
}

/** Center staff's part of an alert view. */
export interface AdvisoryAnalysis {
  readonly source: AdvisorySource;
  readonly campaignId: number | null;
  readonly tlpFloor: Tlp;
  readonly downgradeReason: string | null;
  readonly audience: AdvisoryAudience | null;
  readonly recipients: { readonly organisations: number; readonly users: number };
  readonly counts: AdvisoryCounts;
  readonly sightings: readonly SightingView[];
  /** Deliveries of the current version by channel and status, e.g. `{ email: { delivered: 3 } }`. */
  readonly deliveries: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly createdBy: number | null;
  readonly createdMs: number;
}

export interface AdvisoryView {
  readonly id: number;
  readonly status: AdvisoryStatus;
  readonly version: number;
  readonly tlp: Tlp;
  readonly title: string;
  readonly content: AdvisoryContent;
  readonly sentMs: number | null;
  readonly updatedMs: number;
  readonly withdrawn: { readonly atMs: number; readonly reason: string } | null;
  /** For a user: the current version is not marked read. */
  readonly unread: boolean;
  /** The reader's organisation's answer, if any. */
  readonly receivedToo: { readonly atMs: number; readonly reportId: number | null } | null;
  /** Center staff only. */
  readonly analysis: AdvisoryAnalysis | null;
}

export interface AdvisorySummary {
  readonly id: number;
  readonly status: AdvisoryStatus;
  readonly version: number;
  readonly tlp: Tlp;
  readonly title: string;
  readonly createdMs: number;
  readonly sentMs: number | null;
  readonly updatedMs: number;
}

export interface InboxItem extends AdvisorySummary {
  readonly unread: boolean;
  readonly receivedToo: boolean;
}

export interface SendResult {
  readonly alertId: number;
  readonly version: number;
  readonly recipients: { readonly orgIds: readonly number[]; readonly userIds: readonly number[] };
  /** Deliveries queued (or, for the inbox, done) per channel. */
  readonly deliveries: {
    readonly inbox: number;
    readonly email: number;
    readonly webhook: number;
    /** Users' daily digests this event joins (user-mail.ts). */
    readonly digest: number;
  };
}

export interface ReceivedTooResult {
  readonly sightingId: number;
  readonly alertId: number;
  readonly orgId: number;
  readonly reportId: number | null;
  /** False when the organisation had already answered (the call is idempotent). */
  readonly created: boolean;
  /** What happened to the linked report: joined the alert's campaign, or linked another (a bridge). */
  readonly campaign: {
    readonly id: number;
    readonly joined: boolean;
    readonly bridgedFrom: number | null;
  } | null;
}

export interface DeliveryRun {
  readonly attempted: number;
  readonly delivered: number;
  /** Failed this time, to be tried again later. */
  readonly retrying: number;
  /** Failed for good (permanent error or attempts exhausted). */
  readonly failed: number;
  /** Due e-mail deliveries left queued because no SMTP server is configured. */
  readonly waitingForSmtp: number;
}
