/**
 * Sending, updating and withdrawing an alert. Sending builds the content once more, checks the
 * label against the audience (label-rules.ts), resolves the audience to recipients, and freezes
 * version 1 — the content, the reports it quotes — with the recipients, the queued deliveries and
 * the audit row in one transaction. An update freezes the next version and delivers it to everyone
 * who had the alert and to any recipients it adds (it becomes unread again); a withdrawal tells
 * the same recipients. Only center staff with `campaigns:write` act here.
 */
import type { Kysely } from 'kysely';
import { KobanError } from '../../core/index.js';
import type { Database } from '../../db/index.js';
import { appendAudit } from '../audit/audit.js';
import type { Actor } from '../identity/actor.js';
import { parseInput } from '../input.js';
import { storedTlp, type Tlp } from '../labels/tlp.js';
import {
  mergeAudience,
  type Recipients,
  recipientsOf,
  resolveAudience,
  writeRecipients,
} from './audience.js';
import { queueDeliveries } from './delivery-queue.js';
import {
  type AdvisoryContext,
  type Built,
  build,
  changedKeys,
  type Fields,
  fieldsOf,
  patched,
  writable,
} from './drafting.js';
import {
  type AdvisoryAudience,
  type SendAdvisoryInput,
  SendAdvisoryInputSchema,
  type UpdateAdvisoryInput,
  UpdateAdvisoryInputSchema,
  type WithdrawAdvisoryInput,
  WithdrawAdvisoryInputSchema,
} from './inputs.js';
import { audienceLabelProblem, isDowngrade } from './label-rules.js';
import { type AdvisoryRow, audienceSpecOf, loadAdvisoryRow, statusOf, summaryOf } from './rows.js';
import type { AdvisorySummary, SendResult } from './types.js';

/**
 * Moves the alert to its next state only if it is still in the state read before the transaction:
 * of two analysts sending (or updating) at once, one wins and the other gets E_CONFLICT.
 */
async function claim(
  q: { executeTakeFirst(): Promise<{ numUpdatedRows: bigint }> },
  conflict: string,
): Promise<void> {
  const r = await q.executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw new KobanError('E_CONFLICT', conflict);
}

function checkAudience(tlp: Tlp, audience: AdvisoryAudience): void {
  const problem = audienceLabelProblem(tlp, audience);
  if (problem) throw new KobanError('E_USAGE', problem);
}

/** Freezes a version: its content, the reports it quotes (for counts), the row's new state. */
async function freeze(
  tx: Kysely<Database>,
  actor: Actor,
  row: AdvisoryRow,
  f: Fields,
  b: Built,
  version: number,
  reason: string | null,
  nowMs: number,
): Promise<void> {
  const id = Number(row.id);
  await tx
    .insertInto('member_alert_versions')
    .values({
      alert_id: id,
      version,
      tlp: b.tlp,
      title: b.content.title,
      content: JSON.stringify(b.content),
      reason,
      created_by: actor.userId,
      created_ms: nowMs,
    })
    .execute();
  await tx.deleteFrom('member_alert_sources').where('alert_id', '=', id).execute();
  const rows = b.sources.map((s) => ({ alert_id: id, report_id: s.reportId, org_id: s.orgId }));
  for (let i = 0; i < rows.length; i += 300)
    await tx
      .insertInto('member_alert_sources')
      .values(rows.slice(i, i + 300))
      .execute();
  await tx
    .updateTable('member_alerts')
    .set({
      title: f.title,
      body_ja: f.bodyJa,
      body_en: f.bodyEn,
      tlp: b.tlp,
      tlp_floor: b.floor,
      downgrade_reason: isDowngrade(b.tlp, b.floor) ? f.downgradeReason : null,
      indicators: f.picks === null ? null : JSON.stringify(f.picks),
      campaign_id: b.campaignId ?? row.campaign_id,
      version,
      updated_ms: nowMs,
    })
    .where('id', '=', id)
    .execute();
}

/** What sending needs beyond drafting: when a digest row of the event is due (user-mail.ts). */
export interface SendContext extends AdvisoryContext {
  readonly nextDigestMs: (nowMs: number) => number;
}

/** Whom sending a draft to an audience would reach, and why it may not, without sending anything. */
export interface AudienceReach {
  readonly tlp: Tlp;
  readonly public: boolean;
  /** The label rule or audience rule the send would refuse with (null: it would go out). */
  readonly problem: string | null;
  readonly recipients: Recipients;
}

/**
 * The send's own checks (label against audience, audience resolved to recipients) on a draft,
 * without the send: the console shows each audience's preview and its refusal before the analyst
 * sends. An invalid audience input is still E_USAGE, as for `send`.
 */
export async function audienceReach(
  ctx: AdvisoryContext,
  actor: Actor,
  id: number,
  input: SendAdvisoryInput,
): Promise<AudienceReach> {
  const row = await writable(ctx, actor, id);
  const { audience } = parseInput(SendAdvisoryInputSchema, input, 'send');
  const tlp = storedTlp(row.tlp);
  const none: Recipients = { orgIds: [], userIds: [] };
  const refused = audienceLabelProblem(tlp, audience);
  if (refused) return { tlp, public: audience.public, problem: refused, recipients: none };
  try {
    const recipients = await resolveAudience(ctx.db, audience);
    return { tlp, public: audience.public, problem: null, recipients };
  } catch (e) {
    if (e instanceof KobanError && (e.code === 'E_USAGE' || e.code === 'E_NOT_FOUND'))
      return { tlp, public: audience.public, problem: e.message, recipients: none };
    throw e;
  }
}

export async function sendAdvisory(
  ctx: SendContext,
  actor: Actor,
  id: number,
  input: SendAdvisoryInput,
): Promise<SendResult> {
  const row = await writable(ctx, actor, id);
  if (statusOf(row) !== 'draft') throw new KobanError('E_CONFLICT', `alert ${id} was already sent`);
  const { audience } = parseInput(SendAdvisoryInputSchema, input, 'send');
  const f = fieldsOf(row);
  const b = await build(ctx, actor, f);
  checkAudience(b.tlp, audience);
  const recipients = await resolveAudience(ctx.db, audience);
  const nowMs = ctx.now();
  const deliveries = await ctx.db.transaction().execute(async (tx) => {
    await claim(
      tx
        .updateTable('member_alerts')
        .set({ status: 'sent', audience: JSON.stringify(audience), sent_ms: nowMs, sent_by: actor.userId })
        .where('id', '=', id)
        .where('status', '=', 'draft'),
      `alert ${id} was already sent`,
    );
    await freeze(tx, actor, row, f, b, 1, null, nowMs);
    await writeRecipients(tx, id, recipients);
    const queued = await queueDeliveries(
      tx,
      id,
      1,
      'sent',
      b.tlp,
      recipients,
      nowMs,
      ctx.nextDigestMs(nowMs),
    );
    await appendAudit(
      tx,
      actor,
      {
        action: 'alert.send',
        targetType: 'alert',
        targetId: id,
        tlp: b.tlp,
        details: {
          version: 1,
          audience,
          recipients,
          floor: b.floor,
          downgradeReason: isDowngrade(b.tlp, b.floor) ? f.downgradeReason : null,
          declassifications: b.declassifications,
          reports: b.sources.map((s) => s.reportId),
          deliveries: queued,
        },
      },
      nowMs,
    );
    return queued;
  });
  return { alertId: id, version: 1, recipients, deliveries };
}

export async function updateAdvisory(
  ctx: SendContext,
  actor: Actor,
  id: number,
  input: UpdateAdvisoryInput,
): Promise<SendResult> {
  const row = await writable(ctx, actor, id);
  if (statusOf(row) !== 'sent')
    throw new KobanError('E_CONFLICT', `alert ${id} is ${row.status}: only a sent alert is updated`);
  const u = parseInput(UpdateAdvisoryInputSchema, input, 'update');
  const f = patched(fieldsOf(row), u);
  const b = await build(ctx, actor, f);
  const before = audienceSpecOf(row)!;
  const audience = u.audience ? mergeAudience(before, u.audience) : before;
  checkAudience(b.tlp, audience);
  const had = await recipientsOf(ctx.db, id);
  const extra: Recipients = u.audience
    ? await resolveAudience(ctx.db, u.audience)
    : { orgIds: [], userIds: [] };
  const union = (x: readonly number[], y: readonly number[]) =>
    [...new Set([...x, ...y])].sort((p, q) => p - q);
  const recipients = { orgIds: union(had.orgIds, extra.orgIds), userIds: union(had.userIds, extra.userIds) };
  const version = Number(row.version) + 1;
  const nowMs = ctx.now();
  const deliveries = await ctx.db.transaction().execute(async (tx) => {
    await claim(
      tx
        .updateTable('member_alerts')
        .set({ audience: JSON.stringify(audience) })
        .where('id', '=', id)
        .where('status', '=', 'sent')
        .where('version', '=', version - 1),
      `alert ${id} changed meanwhile; read it again and update that version`,
    );
    await freeze(tx, actor, row, f, b, version, u.reason, nowMs);
    await writeRecipients(tx, id, recipients);
    const queued = await queueDeliveries(
      tx,
      id,
      version,
      'updated',
      b.tlp,
      recipients,
      nowMs,
      ctx.nextDigestMs(nowMs),
    );
    await appendAudit(
      tx,
      actor,
      {
        action: 'alert.update',
        targetType: 'alert',
        targetId: id,
        tlp: b.tlp,
        details: {
          version,
          reason: u.reason,
          changed: changedKeys(u),
          addedOrgs: recipients.orgIds.length - had.orgIds.length,
          addedUsers: recipients.userIds.length - had.userIds.length,
          floor: b.floor,
          declassifications: b.declassifications,
          deliveries: queued,
        },
      },
      nowMs,
    );
    return queued;
  });
  return { alertId: id, version, recipients, deliveries };
}

export async function withdrawAdvisory(
  ctx: SendContext,
  actor: Actor,
  id: number,
  input: WithdrawAdvisoryInput,
): Promise<AdvisorySummary> {
  const row = await writable(ctx, actor, id);
  if (statusOf(row) !== 'sent')
    throw new KobanError('E_CONFLICT', `alert ${id} is ${row.status}: only a sent alert is withdrawn`);
  const w = parseInput(WithdrawAdvisoryInputSchema, input, 'withdrawal');
  const recipients = await recipientsOf(ctx.db, id);
  const nowMs = ctx.now();
  await ctx.db.transaction().execute(async (tx) => {
    await claim(
      tx
        .updateTable('member_alerts')
        .set({ status: 'withdrawn', withdrawn_ms: nowMs, withdrawn_reason: w.reason, updated_ms: nowMs })
        .where('id', '=', id)
        .where('status', '=', 'sent'),
      `alert ${id} was already withdrawn`,
    );
    const queued = await queueDeliveries(
      tx,
      id,
      Number(row.version),
      'withdrawn',
      storedTlp(row.tlp),
      recipients,
      nowMs,
      ctx.nextDigestMs(nowMs),
    );
    await appendAudit(
      tx,
      actor,
      {
        action: 'alert.withdraw',
        targetType: 'alert',
        targetId: id,
        tlp: storedTlp(row.tlp),
        details: { reason: w.reason, deliveries: queued },
      },
      nowMs,
    );
  });
  return summaryOf((await loadAdvisoryRow(ctx.db, id))!);
}
