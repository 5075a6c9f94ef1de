/**
 * Alerts to members (注意喚起, MISSION.md §5): an analyst drafts one from a report or a campaign,
 * sees a sanitisation preview (exactly what recipients will see: shareable data only, warning-
 * listed values out, recipients and non-consenting reporters removed), picks an audience (all
 * members, sectors, prefectures, named organisations or users, the public) and a TLP 2.0 label
 * (label-rules.ts), and sends it: to the members' inboxes, by e-mail (SMTP) and by signed webhook,
 * with a delivery log. Recipients answer "we received this too" in one call, which links their
 * report to the campaign and counts their organisation (seed 002: 6 companies; 2, then 23 local
 * governments and 4 operators).
 *
 * Main types: `MemberAlertService`, `AlertContent` (what recipients see), `AlertPreview`,
 * `AlertView`, `InboxItem`, `AlertCounts`, `DeliveryRecord`; inputs as zod schemas for the API.
 * Reads go through access.ts (alerts are `addressed` labelled objects); data lives in the
 * relational store (migration 0003).
 */
export {
  type MemberAlertConfig,
  MemberAlertConfigSchema,
  memberAlertConfigFrom,
  type ParsedMemberAlertConfig,
  type SmtpConfig,
  SmtpConfigSchema,
} from './config.js';
export { NO_SMTP_CONFIGURED } from './delivery.js';
export type { AlertEndpoint } from './endpoints.js';
export {
  type AlertAudience,
  type AlertAudienceInput,
  AlertAudienceSchema,
  type AlertListFilter,
  AlertListFilterSchema,
  type AlertSource,
  AlertSourceSchema,
  type ContactsInput,
  ContactsInputSchema,
  type DeliveryFilter,
  DeliveryFilterSchema,
  type DraftAlertInput,
  DraftAlertInputSchema,
  type EditAlertInput,
  EditAlertInputSchema,
  type EmailContactsInput,
  EmailContactsInputSchema,
  type InboxFilter,
  InboxFilterSchema,
  type IndicatorPick,
  IndicatorPickSchema,
  type ReceivedTooInput,
  ReceivedTooInputSchema,
  type SendAlertInput,
  SendAlertInputSchema,
  type UpdateAlertInput,
  UpdateAlertInputSchema,
  type WebhookInput,
  WebhookInputSchema,
  type WithdrawAlertInput,
  WithdrawAlertInputSchema,
} from './inputs.js';
export { audienceLabelProblem, floorProblem, labelFloor } from './label-rules.js';
export { alertMailText, alertWebhookDocument, defang } from './render.js';
export { sealClearWebhookSecrets, WEBHOOK_SECRET_PURPOSE } from './secret-sealing.js';
export { MemberAlertService } from './service.js';
export {
  DELIVERY_HEADER,
  EVENT_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
} from './signature.js';
export { type AlertMailer, DeliveryError, type OutgoingMail, smtpMailer } from './transports.js';
export {
  ALERT_STATUSES,
  type AlertAnalysis,
  type AlertContent,
  type AlertCounts,
  type AlertIndicator,
  type AlertLure,
  type AlertPreview,
  type AlertStatus,
  type AlertSummary,
  type AlertView,
  type CampaignAlertCounts,
  type DeliveryRecord,
  type DeliveryRun,
  type ExcludedValue,
  type InboxItem,
  type NamedReporter,
  type ReceivedTooResult,
  type SendResult,
  type SightingView,
} from './types.js';
