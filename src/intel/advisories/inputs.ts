/**
 * What callers give the alert service, validated at the boundary (zod; the TypeScript types are
 * inferred). The HTTP routes and the OpenAPI document reuse these schemas as they are: one
 * definition per input. The service parses again, so a caller that skips validation gets the same
 * errors (E_USAGE, naming the field).
 */
import { z } from 'zod';
import { canonicalPrefecture } from '../identity/prefectures.js';
import { IndicatorTypeSchema } from '../indicators/types.js';
import { TlpSchema } from '../labels/tlp.js';

const Id = z.number().int().positive();
const Title = z.string().trim().min(1).max(300);
const Body = z.string().trim().min(1).max(20_000);
/** A recorded reason (a downgrade, an update, a withdrawal): a few words at least. */
const Reason = z.string().trim().min(3).max(2000);

/**
 * What an alert is drafted from: one report, or a campaign (its reports the analyst may read), or
 * nothing the center holds (`none`: a warning written from scratch, say from an outside source —
 * it quotes no report, so it shares no indicator or lure, and its label is the analyst's choice).
 */
export const AdvisorySourceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('report'), id: Id }),
  z.object({ type: z.literal('campaign'), id: Id }),
  z.object({ type: z.literal('none') }),
]);
export type AdvisorySource = z.infer<typeof AdvisorySourceSchema>;

/** One value of the sources to share; the type is guessed from the value when absent. */
export const IndicatorPickSchema = z.object({
  type: IndicatorTypeSchema.optional(),
  value: z.string().trim().min(1).max(8192),
});
export type IndicatorPick = z.infer<typeof IndicatorPickSchema>;

export const DraftAdvisoryInputSchema = z.object({
  source: AdvisorySourceSchema,
  title: Title,
  /** The body in Japanese and/or English; either may be left out. */
  bodyJa: Body.optional(),
  bodyEn: Body.optional(),
  /**
   * Default: the most restrictive label among the sources (no downgrade). Required for a draft of
   * source `none`: with nothing quoted there is no floor, and TLP:CLEAR by default would publish.
   */
  tlp: TlpSchema.optional(),
  /** Required when `tlp` is less restrictive than a source the alert quotes; recorded. */
  downgradeReason: Reason.optional(),
  /** The values to share; default: every eligible value of the sources. */
  indicators: z.array(IndicatorPickSchema).min(1).max(1000).optional(),
});
export type DraftAdvisoryInput = z.input<typeof DraftAdvisoryInputSchema>;

/** Changes to a draft; `null` clears a body, the downgrade reason or the indicator choice. */
export const EditAdvisoryInputSchema = z.object({
  title: Title.optional(),
  bodyJa: Body.nullable().optional(),
  bodyEn: Body.nullable().optional(),
  tlp: TlpSchema.optional(),
  downgradeReason: Reason.nullable().optional(),
  indicators: z.array(IndicatorPickSchema).min(1).max(1000).nullable().optional(),
});
export type EditAdvisoryInput = z.input<typeof EditAdvisoryInputSchema>;

const Sector = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a sector key: lower-case letters, digits and hyphens');

const Prefecture = z.string().transform((s, ctx) => {
  const p = canonicalPrefecture(s);
  if (p === null) {
    ctx.addIssue({
      code: 'custom',
      message: `"${s}" is not a prefecture (JIS code, English or Japanese name)`,
    });
    return z.NEVER;
  }
  return p;
});

/**
 * Who receives an alert: the union of the parts given. `allMembers` is every active organisation
 * but the center; `public` publishes it (TLP:CLEAR only) and also reaches every member's inbox.
 * Resolved to a concrete list of organisations and users when the alert is sent, and recorded.
 */
export const AdvisoryAudienceSchema = z
  .object({
    public: z.boolean().default(false),
    allMembers: z.boolean().default(false),
    sectors: z.array(Sector).max(100).default([]),
    prefectures: z.array(Prefecture).max(47).default([]),
    orgIds: z.array(Id).max(20_000).default([]),
    userIds: z.array(Id).max(1000).default([]),
  })
  .refine(
    (a) =>
      a.public ||
      a.allMembers ||
      a.sectors.length + a.prefectures.length + a.orgIds.length + a.userIds.length > 0,
    'choose an audience: all members, sectors, prefectures, organisations, users or the public',
  );
export type AdvisoryAudienceInput = z.input<typeof AdvisoryAudienceSchema>;
export type AdvisoryAudience = z.output<typeof AdvisoryAudienceSchema>;

export const SendAdvisoryInputSchema = z.object({ audience: AdvisoryAudienceSchema });
export type SendAdvisoryInput = z.input<typeof SendAdvisoryInputSchema>;

/** A new version of a sent alert; `audience` adds recipients (those who had it keep it). */
export const UpdateAdvisoryInputSchema = EditAdvisoryInputSchema.extend({
  reason: Reason,
  audience: AdvisoryAudienceSchema.optional(),
});
export type UpdateAdvisoryInput = z.input<typeof UpdateAdvisoryInputSchema>;

export const WithdrawAdvisoryInputSchema = z.object({ reason: Reason });
export type WithdrawAdvisoryInput = z.input<typeof WithdrawAdvisoryInputSchema>;

/** "We received this too": optionally the organisation's own report of it, or a note for the center. */
export const ReceivedTooInputSchema = z.object({
  reportId: Id.optional(),
  note: z.string().trim().min(1).max(2000).optional(),
});
export type ReceivedTooInput = z.input<typeof ReceivedTooInputSchema>;

export const InboxFilterSchema = z.object({
  unreadOnly: z.boolean().default(false),
  /** Alerts with a smaller id (paging, newest first). */
  beforeId: Id.optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type InboxFilter = z.input<typeof InboxFilterSchema>;

export const AdvisoryListFilterSchema = z.object({
  status: z.enum(['draft', 'sent', 'withdrawn']).optional(),
  campaignId: Id.optional(),
  /** Alerts with a smaller id (paging, newest first). */
  beforeId: Id.optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type AdvisoryListFilter = z.input<typeof AdvisoryListFilterSchema>;

export const DeliveryFilterSchema = z.object({
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  limit: z.number().int().min(1).max(100_000).default(10_000),
});
export type DeliveryFilter = z.input<typeof DeliveryFilterSchema>;

/** An organisation's contact addresses for alerts (replaces the previous list). */
export const EmailContactsInputSchema = z.object({
  orgId: Id,
  addresses: z.array(z.string().trim().toLowerCase().max(254).pipe(z.email())).max(20),
});
export type EmailContactsInput = z.input<typeof EmailContactsInputSchema>;

export const WebhookInputSchema = z.object({ orgId: Id, url: z.url().max(2000) });
export type WebhookInput = z.input<typeof WebhookInputSchema>;

/** Contact addresses (replacing the current ones) and/or a webhook to add, applied all or nothing. */
export const ContactsInputSchema = z
  .object({
    orgId: Id,
    addresses: EmailContactsInputSchema.shape.addresses.optional(),
    webhook: WebhookInputSchema.shape.url.optional(),
  })
  .refine((c) => c.addresses !== undefined || c.webhook !== undefined, 'give addresses, a webhook or both');
export type ContactsInput = z.input<typeof ContactsInputSchema>;
