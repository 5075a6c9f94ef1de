/**
 * The center's triage of incoming member reports: each report is `new` until an analyst takes it
 * `in-review`, then `done` (an analyst may also reopen one). It is the center's working state, not
 * the reporter's: only center staff change it, only for reports they may read (a RED report not
 * addressed to them stays "not found"), every change audited; members are not shown it.
 */
import { z } from 'zod';
import { KobanError } from '../../core/index.js';
import type { RelationalDb } from '../../db/index.js';
import { appendAudit } from '../audit/audit.js';
import type { Actor } from '../identity/actor.js';
import { mayRead, requireCenter } from '../labels/access.js';
import { loadLabelled } from '../labels/labelled.js';

export const TRIAGE_STATUSES = ['new', 'in-review', 'done'] as const;
export const TriageStatusSchema = z.enum(TRIAGE_STATUSES);
export type TriageStatus = z.infer<typeof TriageStatusSchema>;

/** Narrows a stored status; a corrupt row is an internal error. */
export function storedTriage(s: string): TriageStatus {
  const parsed = TriageStatusSchema.safeParse(s);
  if (!parsed.success) throw new KobanError('E_INTERNAL', `stored triage status "${s}" is unknown`);
  return parsed.data;
}

/** Sets a report's triage status; returns the status it had. */
export async function setTriage(
  db: RelationalDb,
  actor: Actor,
  reportId: number,
  status: TriageStatus,
  nowMs: number,
): Promise<TriageStatus> {
  requireCenter(actor, 'reports:write');
  const to = TriageStatusSchema.safeParse(status);
  if (!to.success)
    throw new KobanError('E_USAGE', `triage status must be one of ${TRIAGE_STATUSES.join(', ')}`);
  const label = await loadLabelled(db, reportId);
  if (!label || !mayRead(actor, 'report', label))
    throw new KobanError('E_NOT_FOUND', `no report ${reportId}`);
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('reports')
      .select('triage')
      .where('id', '=', reportId)
      .executeTakeFirstOrThrow();
    const from = storedTriage(row.triage);
    await tx
      .updateTable('reports')
      .set({ triage: to.data, triage_ms: nowMs, triage_by: actor.userId })
      .where('id', '=', reportId)
      .execute();
    await appendAudit(
      tx,
      actor,
      {
        action: 'report.triage',
        targetType: 'report',
        targetId: reportId,
        tlp: label.tlp,
        details: { from, to: to.data },
      },
      nowMs,
    );
    return from;
  });
}
