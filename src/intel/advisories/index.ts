/**
 * Advisories — alerts to members (注意喚起, docs/background.md#sharing-network): an analyst drafts
 * one from a report or a campaign, sees a sanitisation preview (exactly what recipients will see:
 * shareable data only, warning-listed values out, recipients and non-consenting reporters
 * removed), picks an audience (all members, sectors, prefectures, named organisations or users, the
 * public) and a TLP 2.0 label (label-rules.ts), and sends it: to the members' inboxes, by e-mail
 * (SMTP) and by signed webhook, with a delivery log. Recipients answer "we received this too" in
 * one call, which links their report to the campaign and counts their organisation (the 2012
 * campaign: 6 companies; 2, then 23 local governments and 4 operators).
 *
 * Main types: `AdvisoryService`, `AdvisoryContent` (what recipients see), `AdvisoryPreview`,
 * `AdvisoryView`, `InboxItem`, `AdvisoryCounts`, `DeliveryRecord`; inputs as zod schemas for the
 * API. Reads go through labels/access.ts (advisories are `addressed` labelled objects); data lives
 * in the relational store. The tables keep their first name, `member_alerts*` (migration 0003):
 * the rename to "advisories" is in code only, so no migration moves data.
 */
export { type AdvisoryConfig, advisoryConfigFrom } from './config.js';
export { NO_SMTP_CONFIGURED } from './delivery.js';
export type { EndpointTestResult, LastDelivery } from './endpoint-activity.js';
export { ADVISORY_EVENTS, type EndpointPreferences } from './endpoint-preferences.js';
export type { AdvisoryEndpoint } from './endpoints.js';
export {
  type AdvisoryAudienceInput,
  AdvisoryListFilterSchema,
  DraftAdvisoryInputSchema,
  ReceivedTooInputSchema,
  SendAdvisoryInputSchema,
} from './inputs.js';
export { sealClearWebhookSecrets } from './secret-sealing.js';
export type { AudienceReach } from './sending.js';
export { AdvisoryService } from './service.js';
export type { TalliedAdvisory } from './tallies.js';
export type {
  AdvisoryPreview,
  AdvisorySummary,
  AdvisoryView,
  DeliveryRecord,
  DeliveryRun,
} from './types.js';
export { ADVISORY_MAIL_MODES, type AdvisoryMail, type UserMailSetting } from './user-mail.js';
