/**
 * "We received this too", in one call by a member of a recipient organisation: records the
 * sighting (organisation, user, time, optionally the organisation's own report, a note for the
 * center), links that report to the alert's campaign (sightings.ts), and writes the audit row —
 * all in one transaction. Idempotent per organisation: a second answer, by anyone of the same
 * organisation, returns the first, only adding a report link if the first had none.
 */
import { KobanError } from '../../core/index.js';
import { appendAudit } from '../audit/audit.js';
import type { Actor } from '../identity/actor.js';
import { parseInput } from '../input.js';
import { isRecipient, mayRead, requireScope } from '../labels/access.js';
import { loadLabelled } from '../labels/labelled.js';
import { storedTlp } from '../labels/tlp.js';
import type { AdvisoryContext } from './drafting.js';
import { type ReceivedTooInput, ReceivedTooInputSchema } from './inputs.js';
import { readableAdvisory } from './reading.js';
import { alertLabel, statusOf } from './rows.js';
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
  const label = await alertLabel(ctx.db, row, actor);
  if (!isRecipient(actor, label))
    throw new KobanError('E_FORBIDDEN', `${actor.label}: only recipients of alert ${alertId} answer it`);
  const reportId = r.reportId ?? null;
  if (reportId !== null) {
    const report = await loadLabelled(ctx.db, reportId);
    if (!report || !mayRead(actor, 'report', report))
      throw new KobanError('E_NOT_FOUND', `no report ${reportId}`);
    if (report.ownerOrgId !== me.orgId)
      throw new KobanError('E_FORBIDDEN', `report ${reportId} is not your organisation's own report`);
  }
  const tlp = storedTlp(row.tlp);
  const nowMs = ctx.now();
  const result = (
    id: number,
    linked: number | null,
    created: boolean,
    campaign: ReceivedTooResult['campaign'],
  ) => ({
    sightingId: id,
    alertId,
    orgId: me.orgId,
    reportId: linked,
    created,
    campaign,
  });
  const attempt = () =>
    ctx.db.transaction().execute(async (tx): Promise<ReceivedTooResult> => {
      const had = await sightingOf(tx, alertId, me.orgId);
      if (had) {
        if (had.reportId !== null || reportId === null) return result(had.id, had.reportId, false, null);
        await tx
          .updateTable('member_alert_sightings')
          .set({ report_id: reportId })
          .where('id', '=', had.id)
          .execute();
        const campaign = await joinCampaign(tx, row, reportId, nowMs);
        await appendAudit(
          tx,
          actor,
          {
            action: 'alert.received-too-link',
            targetType: 'alert',
            targetId: alertId,
            tlp,
            details: { orgId: me.orgId, reportId, campaign },
          },
          nowMs,
        );
        return result(had.id, reportId, false, campaign);
      }
      const s = await tx
        .insertInto('member_alert_sightings')
        .values({
          alert_id: alertId,
          org_id: me.orgId,
          user_id: me.userId,
          report_id: reportId,
          note: r.note ?? null,
          created_ms: nowMs,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const campaign = reportId === null ? null : await joinCampaign(tx, row, reportId, nowMs);
      await appendAudit(
        tx,
        actor,
        {
          action: 'alert.received-too',
          targetType: 'alert',
          targetId: alertId,
          tlp,
          details: { orgId: me.orgId, reportId, note: r.note !== undefined, campaign },
        },
        nowMs,
      );
      return result(Number(s.id), reportId, true, campaign);
    });
  try {
    return await attempt();
  } catch (e) {
    // Two colleagues answering at once on PostgreSQL: the unique (alert, organisation) key lets one
    // in; the other finds its answer.
    if (await sightingOf(ctx.db, alertId, me.orgId)) return attempt();
    throw e;
  }
}
