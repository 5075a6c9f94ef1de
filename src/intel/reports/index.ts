/**
 * Member reports: intake (`IntakeService`: a reported e-mail or another kind of report becomes a
 * stored report in one transaction, its raw file kept as evidence under a chain of custody),
 * e-mail preparation in worker threads (parse-pool.ts), per-organisation limits, reading reports
 * within their labels (`ReportService`) and the network's statistics (`StatsService`). E-mails are
 * parsed by the mail context; indicators go to indicators/, correlation to campaigns/.
 */
export { appendCustody, EvidenceStore, secureEvidenceDir } from './evidence.js';
export type { ImportedReport } from './imported.js';
export { type IntakeResult, IntakeService } from './intake.js';
export { type IntakeLimitOptions, IntakeLimits } from './intake-limits.js';
export { defaultParseWorkers, EmailParsePool, type ParsePoolStats } from './parse-pool.js';
export { type EmailPreparer, prepareEmail } from './prepare-email.js';
export type { PreviewIndicator, SubmissionPreview } from './preview.js';
export { type ReporterView, ReportService, type ReportSummary, type ReportView } from './reports.js';
export { StatsService } from './stats.js';
export { ReportInputSchema, type SharingOptions } from './submissions.js';
export { TRIAGE_STATUSES, type TriageStatus, TriageStatusSchema } from './triage.js';
