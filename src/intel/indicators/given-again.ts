/**
 * A report gives values again (feeds/: a source's newer version has them back after it had
 * dropped them): from now on the report counts as giving them — `report_indicators.added_ms`, the
 * time a blocklist's incremental variant dates a value by. Run in the caller's transaction, beside
 * what it records of why.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';

export async function markGivenAgain(
  db: Kysely<Database>,
  reportId: number,
  values: readonly { readonly type: string; readonly value: string }[],
  nowMs: number,
): Promise<void> {
  for (const v of values)
    await db
      .updateTable('report_indicators')
      .set({ added_ms: nowMs })
      .where('report_id', '=', reportId)
      .where('indicator_id', 'in', (q) =>
        q.selectFrom('indicators').select('id').where('type', '=', v.type).where('value', '=', v.value),
      )
      .execute();
}
