// Webhook signing secrets are kept encrypted at rest, under a key outside the database.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSecretKey, SecretBox } from '../../core/index.js';
import { openTestIntel, type TestIntel } from '../_testkit.js';
import { IntelService } from '../service.js';
import { WEBHOOK_SECRET_PURPOSE } from './secret-sealing.js';

let t: TestIntel;
beforeEach(async () => {
  t = await openTestIntel();
});
afterEach(async () => {
  await t.close();
});

const storedSecret = async (id: number) =>
  (
    await t.db
      .selectFrom('org_alert_endpoints')
      .select('secret')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  ).secret;
/** The key the services use: `secret.key` beside the evidence directory (the data directory). */
const box = () => new SecretBox(() => loadSecretKey(t.dir, {}));

async function webhook(): Promise<{ id: number; secret: string }> {
  const org = await t.intel.orgs.add(t.system, { name: 'X産業', kind: 'member-company' });
  const { endpoint, secret } = await t.intel.advisories.endpoints.addWebhook(t.system, {
    orgId: org.id,
    url: 'https://hooks.x-sangyo.example/koban',
  });
  return { id: endpoint.id, secret };
}

describe('webhook signing secrets at rest', () => {
  it('are stored only encrypted, under a key file outside the database', async () => {
    const { id, secret } = await webhook();
    const stored = await storedSecret(id);
    expect(stored).toMatch(/^aes256gcm:/);
    expect(stored).not.toContain(secret);
    expect(statSync(join(t.dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(box().open(stored!, WEBHOOK_SECRET_PURPOSE)).toBe(secret);
  });

  it('stored in clear by an earlier version are encrypted when the services open', async () => {
    const { id } = await webhook();
    await t.db
      .updateTable('org_alert_endpoints')
      .set({ secret: 'clear-secret-of-an-earlier-version' })
      .execute();
    const notes: string[] = [];
    const reopened = await IntelService.open(t.db, {
      evidenceDir: join(t.dir, 'evidence'),
      notice: (m) => notes.push(m),
    });
    await reopened.close();
    expect(notes).toEqual(['encrypted 1 webhook signing secrets that were stored in clear']);
    const stored = await storedSecret(id);
    expect(stored).toMatch(/^aes256gcm:/);
    expect(box().open(stored!, WEBHOOK_SECRET_PURPOSE)).toBe('clear-secret-of-an-earlier-version');
    // Once sealed, opening again changes nothing.
    const again = await IntelService.open(t.db, {
      evidenceDir: join(t.dir, 'evidence'),
      notice: (m) => notes.push(m),
    });
    await again.close();
    expect(notes).toHaveLength(1);
    expect(await storedSecret(id)).toBe(stored);
  });
});
