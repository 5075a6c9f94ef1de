/**
 * The intel API's inputs and answers as zod schemas: what each route validates, what the OpenAPI
 * document says, and (in tests) what every answer is checked against. Answers are strict objects,
 * so a field the declaration does not name cannot slip out. Times are ISO 8601 UTC strings, keys
 * camelCase; the report kinds and sharing options are intel's own schemas where it exports them.
 */
import { z } from 'zod';
import {
  INDICATOR_ROLES,
  INDICATOR_TYPES,
  parseTlp,
  ReportInputSchema,
  RoleSchema,
  ScopeSchema,
  TlpSchema,
} from '../../intel/index.js';
import type { ApiRegistry } from '../openapi.js';

const Id = z.number().int().positive();
const Count = z.number().int().nonnegative();
const Timestamp = z.iso.datetime();
const IndicatorTypeEnum = z.enum(INDICATOR_TYPES);
const IndicatorRoleEnum = z.enum(INDICATOR_ROLES);

/** 1 MiB: a structured report, a login or an alert is far smaller; e-mails come as message/rfc822. */
export const MAX_JSON_BYTES = 1024 * 1024;

// ---- inputs -------------------------------------------------------------------------------------

export const IdParams = z.object({
  id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).describe('The numeric id.'),
});

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('Items per page (1–200, default 50).'),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a cursor from nextCursor')
    .optional()
    .describe('The `nextCursor` of the previous page.'),
});

export const ReportGetQuery = z.object({
  include: z
    .enum(['private'])
    .optional()
    .describe(
      '`private`: also the reporter’s private part, when the caller may read it (the reporting ' +
        'organisation, the center, or anyone with the reporter’s consent); such reads are audited.',
    ),
});

const tlpText = z
  .string()
  .max(20)
  .transform((s, ctx) => {
    try {
      return parseTlp(s);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  });

const idList = z
  .string()
  .regex(/^\d{1,15}(,\d{1,15}){0,999}$/, 'comma-separated ids')
  .transform((s) => s.split(',').map(Number));

/** Sharing options as query parameters: the only place for them when the body is a raw e-mail. */
export const SubmitQuery = z.object({
  tlp: tlpText.optional().describe('CLEAR, GREEN, AMBER (default), AMBER+STRICT (or AMBER-STRICT) or RED.'),
  consent: z
    .stringbool()
    .optional()
    .describe('true: the reporter consents to sharing the private part with every reader.'),
  audienceOrgs: idList.optional().describe('Organisations (ids, comma-separated) an AMBER report is for.'),
  audienceUsers: idList.optional().describe('Users (ids, comma-separated) an AMBER or RED report is for.'),
});

export const SharingBody = z.strictObject({
  tlp: TlpSchema.optional(),
  consent: z.boolean().optional(),
  audience: z
    .strictObject({
      orgIds: z.array(Id).max(1000).optional(),
      userIds: z.array(Id).max(1000).optional(),
    })
    .optional(),
});

export const SubmitJsonBody = z.strictObject({
  report: ReportInputSchema,
  sharing: SharingBody.optional(),
});

export const IndicatorQuery = z.object({
  value: z
    .string()
    .min(1)
    .max(8192)
    .describe('An address, network, domain, URL, e-mail address or hash; defanged forms are read too.'),
  type: IndicatorTypeEnum.optional().describe('The type, when guessing from the value is not wanted.'),
});

export const LoginBody = z.strictObject({
  email: z.string().trim().min(3).max(254),
  password: z.string().min(1).max(1024),
});

// ---- answers ------------------------------------------------------------------------------------

export const ReporterSchema = z.strictObject({
  orgId: Id,
  orgName: z.string(),
  orgKind: z.string(),
  sector: z.string().nullable(),
  prefecture: z.string().nullable(),
  userId: Id.nullable(),
});

export const ObservableSchema = z.strictObject({
  type: IndicatorTypeEnum,
  value: z.string(),
  role: IndicatorRoleEnum,
  confidence: z.number().int().min(0).max(100),
  context: z.record(z.string(), z.unknown()),
  warning: z.string().nullable(),
  reportCount: Count,
  orgCount: Count,
});

export const CampaignRefSchema = z.strictObject({ id: Id, name: z.string(), tlp: TlpSchema });

export const CorrelationsSchema = z.strictObject({
  links: z.array(z.strictObject({ reportId: Id, weight: z.number() })),
  otherLinkedReports: Count.describe(
    'Center staff: linked reports they may not read (a count, never which). Others: 0 — reports a ' +
      'member may not read are not counted anywhere it can see.',
  ),
});

export const ReportSummarySchema = z.strictObject({
  id: Id,
  kind: z.string(),
  tlp: TlpSchema,
  title: z.string(),
  receivedAt: Timestamp,
  observedAt: Timestamp,
  reporter: ReporterSchema.nullable(),
});

export const ReportSchema = z.strictObject({
  ...ReportSummarySchema.shape,
  consent: z.boolean(),
  shared: z.unknown().describe('The shareable content (an e-mail’s redacted view, a report’s fields).'),
  private: z.unknown().describe('The private part with `?include=private` when readable; null otherwise.'),
  evidenceSha256: z.string().nullable(),
  observables: z.array(ObservableSchema),
  correlations: CorrelationsSchema,
  campaign: CampaignRefSchema.nullable().describe('Null when none, or when the caller may not read it.'),
});

export const ReportPageSchema = z.strictObject({
  reports: z.array(ReportSummarySchema),
  nextCursor: z.string().nullable(),
});

export const ReportSubmittedSchema = z.strictObject({
  id: Id,
  report: ReportSchema.nullable().describe(
    'The stored report as the caller reads it; null without reports:read.',
  ),
  warnings: z.array(z.string()),
});

export const IndicatorSchema = z.strictObject({
  id: Id,
  type: IndicatorTypeEnum,
  value: z.string().describe('The canonical value.'),
  tlp: TlpSchema.describe('The label the caller reads it under (its most permissive readable report’s).'),
  firstSeenAt: Timestamp,
  lastSeenAt: Timestamp,
  expiresAt: Timestamp.nullable(),
  reportCount: Count,
  orgCount: Count.describe('Distinct reporting organisations.'),
  sectorCount: Count,
  prefectureCount: Count,
  confidence: z.number().int().min(0).max(100),
  warning: z.string().nullable().describe('Why a warning list holds it (then it never correlates).'),
  fuzzy: z.boolean(),
  sectors: z.array(z.string()).optional().describe('Center staff only.'),
  prefectures: z.array(z.string()).optional().describe('Center staff only.'),
  campaigns: z.array(CampaignRefSchema).describe('Readable campaigns with a readable report holding it.'),
});

export const CampaignSummarySchema = z.strictObject({
  id: Id,
  name: z.string(),
  tlp: TlpSchema,
  reportCount: Count.describe('Reports of the campaign the caller may read.'),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const CampaignPageSchema = z.strictObject({
  campaigns: z.array(CampaignSummarySchema),
  nextCursor: z.string().nullable(),
});

export const CampaignSchema = z.strictObject({
  ...CampaignSummarySchema.shape,
  reports: z.array(ReportSummarySchema),
  indicators: z.array(
    z.strictObject({ type: IndicatorTypeEnum, value: z.string(), reports: Count, orgCount: Count }),
  ),
  bridges: z
    .array(z.strictObject({ otherCampaignId: Id, reportId: Id, weight: z.number() }))
    .describe('Center staff only: other campaigns a report links this one to.'),
});

export const SessionSchema = z.strictObject({
  kind: z.enum(['user', 'anonymous', 'system']),
  userId: Id.nullable(),
  orgId: Id.nullable(),
  role: RoleSchema.nullable(),
  scopes: z.array(ScopeSchema),
  expiresAt: Timestamp.nullable().describe('When the session ends at the latest (login answers only).'),
});

/** Component names in the OpenAPI document. */
export function nameIntelSchemas(reg: ApiRegistry): void {
  reg.name(TlpSchema, 'Tlp', 'TLP 2.0 label.');
  reg.name(ScopeSchema, 'Scope');
  reg.name(RoleSchema, 'Role');
  reg.name(IndicatorTypeEnum, 'IndicatorType');
  reg.name(IndicatorRoleEnum, 'IndicatorRole', 'Where in a report a value was found.');
  reg.name(ReportInputSchema, 'ReportInput', 'A report of a kind other than e-mail.');
  reg.name(SharingBody, 'Sharing', 'Who may read the report, and consent to share its private part.');
  reg.name(ReporterSchema, 'Reporter', 'Who reported: shown to the owner, the center, or with consent.');
  reg.name(
    ObservableSchema,
    'Observable',
    'A value extracted from the report, with its counts over the reports the caller may read (center staff: all).',
  );
  reg.name(CampaignRefSchema, 'CampaignRef');
  reg.name(CorrelationsSchema, 'Correlations');
  reg.name(ReportSummarySchema, 'ReportSummary');
  reg.name(ReportSchema, 'Report', 'A report as the caller may read it.');
  reg.name(ReportPageSchema, 'ReportPage');
  reg.name(ReportSubmittedSchema, 'ReportSubmitted');
  reg.name(
    IndicatorSchema,
    'Indicator',
    'A canonical indicator with its aggregates (counts, first/last seen, expiry) over the reports the caller may read; center staff see them over all reports.',
  );
  reg.name(CampaignSummarySchema, 'CampaignSummary');
  reg.name(CampaignPageSchema, 'CampaignPage');
  reg.name(CampaignSchema, 'Campaign');
  reg.name(SessionSchema, 'Session');
  reg.name(LoginBody, 'Login');
}
