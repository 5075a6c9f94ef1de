/**
 * An alert list for center staff with two numbers per alert: the organisations it was sent to
 * (its recorded recipients) and those that answered "we received this too" — one grouped query
 * each for the whole page, not one per alert.
 */
import type { RelationalDb } from '../../db/index.js';
import type { AdvisorySummary } from './types.js';

export interface TalliedAdvisory extends AdvisorySummary {
  /** Organisations the alert was sent to (0 for a draft). */
  readonly recipients: number;
  /** Organisations that answered "we received this too". */
  readonly answered: number;
}

export async function tallied(
  db: RelationalDb,
  list: readonly AdvisorySummary[],
): Promise<TalliedAdvisory[]> {
  const ids = list.map((a) => a.id);
  if (ids.length === 0) return [];
  const sent = await db
    .selectFrom('audience')
    .select((eb) => ['object_id', eb.fn.count<number | string | bigint>('org_id').distinct().as('n')])
    .where('object_type', '=', 'alert')
    .where('object_id', 'in', ids)
    .groupBy('object_id')
    .execute();
  const answers = await db
    .selectFrom('member_alert_sightings')
    .select((eb) => ['alert_id', eb.fn.count<number | string | bigint>('org_id').distinct().as('n')])
    .where('alert_id', 'in', ids)
    .groupBy('alert_id')
    .execute();
  const to = new Map(sent.map((r) => [Number(r.object_id), Number(r.n)]));
  const answered = new Map(answers.map((r) => [Number(r.alert_id), Number(r.n)]));
  return list.map((a) => ({ ...a, recipients: to.get(a.id) ?? 0, answered: answered.get(a.id) ?? 0 }));
}
