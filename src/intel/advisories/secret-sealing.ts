/**
 * Webhook signing secrets at rest. The center must sign every delivery with the member's secret
 * (HMAC, signature.ts), so it cannot keep only a hash: it keeps the secret encrypted under the data
 * directory's secret key (core `SecretBox`: AES-256-GCM, the key outside the database) and decrypts
 * it only to sign. Secrets stored in clear by an earlier version are encrypted when the services open.
 */
import { type Notice, SecretBox } from '../../core/index.js';
import type { RelationalDb } from '../../db/index.js';

/** Associated data of every sealed webhook secret: a value sealed for another use does not open here. */
export const WEBHOOK_SECRET_PURPOSE = 'koban/org_alert_endpoints.secret';

/** Encrypts the webhook secrets still stored in clear; returns how many. */
export async function sealClearWebhookSecrets(
  db: RelationalDb,
  secrets: SecretBox,
  notice?: Notice,
): Promise<number> {
  const rows = await db
    .selectFrom('org_alert_endpoints')
    .select(['id', 'secret'])
    .where('secret', 'is not', null)
    .execute();
  const clear = rows.filter((r) => r.secret !== null && !SecretBox.isSealed(r.secret));
  if (clear.length === 0) return 0;
  let sealed = 0;
  await db.transaction().execute(async (tx) => {
    for (const r of clear) {
      // Only if unchanged since read: another process may be sealing the same rows.
      const u = await tx
        .updateTable('org_alert_endpoints')
        .set({ secret: secrets.seal(r.secret!, WEBHOOK_SECRET_PURPOSE) })
        .where('id', '=', r.id)
        .where('secret', '=', r.secret)
        .executeTakeFirst();
      sealed += Number(u.numUpdatedRows);
    }
  });
  if (sealed > 0) notice?.(`encrypted ${sealed} webhook signing secrets that were stored in clear`);
  return sealed;
}
