/**
 * "We received this too", in one call by a member of a recipient organisation: records the
 * sighting (organisation, user, time, optionally the organisation's own report, a note for the
 * center), links that report to the alert's campaign (sightings.ts), and writes the audit row —
 * all in one transaction. Idempotent per organisation: a second answer, by anyone of the same
 * organisation, returns the first, only adding a report link if the first had none.
 */
import type { Kysely } from 'kysely';
import { KobanError } from '../../core/index.js';
import type { Database } from '../../db/index.js';
import { appendAudit } from '../audit/audit.js';
import type { Actor } from '../identity/actor.js';
import { parseInput } from '../input.js';
import { isRecipient, mayRead, requireScope } from '../labels/access.js';
import { loadLabelled } from '../labels/labelled.js';
import { storedTlp, type Tlp } from '../labels/tlp.js';
import type { AdvisoryContext } from './drafting.js';
import { type ReceivedTooInput, ReceivedTooInputSchema } from './inputs.js';
import { readableAdvisory } from './reading.js';
import { type AdvisoryRow, advisoryLabel, statusOf } from './rows.js';
import { joinCampaign, requireMemberUser, sightingOf } from './sightings.js';
import type { ReceivedTooResult } from './types.js';

export async function receivedToo(
  ctx: AdvisoryContext,
  actor: Actor,
  alertId: number,
  input: ReceivedTooInput = {},
): Promise<ReceivedTooResult> {
  requireScope(actor, 'reports:write');
  const me = requireMemberUser(actor);
  const r = parseInput(ReceivedTooInputSchema, input, 'received too');
  const row = await readableAdvisory(ctx, actor, alertId);
  if (statusOf(row) === 'withdrawn') throw new KobanError('E_CONFLICT', `alert ${alertId} was withdrawn`);
  const label = await advisoryLabel(ctx.db, row, actor);
  if (!isRecipient(actor, label))
    throw new KobanError('E_FORBIDDEN', `${actor.label}: only recipients of alert ${alertId} answer it`);
  const reportId = r.reportId ?? null;
  if (reportId !== null) await requireOwnReport(ctx, actor, me.orgId, reportId);
  const answer: Answer = {
    row,
    alertId,
    me,
    reportId,
    note: r.note,
    tlp: storedTlp(row.tlp),
    nowMs: ctx.now(),
  };
  const attempt = () => ctx.db.transaction().execute((tx) => recordAnswer(tx, actor, answer));
  try {
    return await attempt();
  } catch (e) {
    // Two colleagues answering at once on PostgreSQL: the unique (alert, organisation) key lets one
    // in; the other finds its answer.
    if (await sightingOf(ctx.db, alertId, me.orgId)) return attempt();
    throw e;
  }
}

/** One organisation's answer to one advisory, checked and ready to record. */
interface Answer {
  readonly row: AdvisoryRow;
  readonly alertId: number;
  readonly me: { readonly userId: number; readonly orgId: number };
  readonly reportId: number | null;
  readonly note: string | undefined;
  readonly tlp: Tlp;
  readonly nowMs: number;
}

/** The report a member links to its answer must be its organisation's own, and readable. */
async function requireOwnReport(
  ctx: AdvisoryContext,
  actor: Actor,
  orgId: number,
  reportId: number,
): Promise<void> {
  const report = await loadLabelled(ctx.db, reportId);
  if (!report || !mayRead(actor, 'report', report))
    throw new KobanError('E_NOT_FOUND', `no report ${reportId}`);
  if (report.ownerOrgId !== orgId)
    throw new KobanError('E_FORBIDDEN', `report ${reportId} is not your organisation's own report`);
}

function resultOf(
  a: Answer,
  id: number,
  linked: number | null,
  created: boolean,
  campaign: ReceivedTooResult['campaign'],
): ReceivedTooResult {
  return { sightingId: id, alertId: a.alertId, orgId: a.me.orgId, reportId: linked, created, campaign };
}

/** The first answer of the organisation, or the report link a first answer without one lacked. */
async function recordAnswer(tx: Kysely<Database>, actor: Actor, a: Answer): Promise<ReceivedTooResult> {
  const had = await sightingOf(tx, a.alertId, a.me.orgId);
  if (had) {
    if (had.reportId !== null || a.reportId === null) return resultOf(a, had.id, had.reportId, false, null);
    return linkLater(tx, actor, a, had.id, a.reportId);
  }
  const s = await tx
    .insertInto('member_alert_sightings')
    .values({
      alert_id: a.alertId,
      org_id: a.me.orgId,
      user_id: a.me.userId,
      report_id: a.reportId,
      note: a.note ?? null,
      created_ms: a.nowMs,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const campaign = a.reportId === null ? null : await joinCampaign(tx, a.row, a.reportId, a.nowMs);
  await appendAudit(
    tx,
    actor,
    {
      action: 'alert.received-too',
      targetType: 'alert',
      targetId: a.alertId,
      tlp: a.tlp,
      details: { orgId: a.me.orgId, reportId: a.reportId, note: a.note !== undefined, campaign },
    },
    a.nowMs,
  );
  return resultOf(a, Number(s.id), a.reportId, true, campaign);
}

async function linkLater(
  tx: Kysely<Database>,
  actor: Actor,
  a: Answer,
  sightingId: number,
  reportId: number,
): Promise<ReceivedTooResult> {
  await tx
    .updateTable('member_alert_sightings')
    .set({ report_id: reportId })
    .where('id', '=', sightingId)
    .execute();
  const campaign = await joinCampaign(tx, a.row, reportId, a.nowMs);
  await appendAudit(
    tx,
    actor,
    {
      action: 'alert.received-too-link',
      targetType: 'alert',
      targetId: a.alertId,
      tlp: a.tlp,
      details: { orgId: a.me.orgId, reportId, campaign },
    },
    a.nowMs,
  );
  return resultOf(a, sightingId, reportId, false, campaign);
}
