import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openRelational } from '../../db/index.js';
import { IntelService } from '../service.js';
import { systemActor } from './actor.js';
import { argon2Hasher, DEFAULT_PASSWORD_HASHER } from './passwords.js';

describe('password hashing', () => {
  it('hashes with Argon2id at OWASP’s minimum cost by default', async () => {
    const phc = await DEFAULT_PASSWORD_HASHER.hash('correct horse battery staple');
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await DEFAULT_PASSWORD_HASHER.verify(phc, 'correct horse battery staple')).toBe(true);
    expect(await DEFAULT_PASSWORD_HASHER.verify(phc, 'correct horse battery stapler')).toBe(false);
  });

  it('verifies a hash of any cost from the parameters it carries', async () => {
    const phc = await argon2Hasher({ memoryCost: 8, timeCost: 1 }).hash('correct horse battery staple');
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=8,t=1,p=1\$/);
    expect(await DEFAULT_PASSWORD_HASHER.verify(phc, 'correct horse battery staple')).toBe(true);
  });

  it('answers false, not an error, for a stored value that is not a PHC hash', async () => {
    expect(await DEFAULT_PASSWORD_HASHER.verify('not a hash', 'x')).toBe(false);
  });

  it('is what the intel services store and check when not given another hasher', async () => {
    const raw = await openRelational(':memory:');
    const dir = mkdtempSync(join(tmpdir(), 'koban-passwords-'));
    const intel = await IntelService.open(raw, { evidenceDir: join(dir, 'evidence'), auditDir: dir });
    onTestFinished(async () => {
      await intel.close();
      await raw.destroy();
      rmSync(dir, { recursive: true, force: true });
    });
    const system = systemActor('test');
    const org = await intel.orgs.add(system, { name: 'P1', kind: 'member-company' });
    const user = await intel.users.add(system, {
      email: 'csirt@p1.example',
      orgId: org.id,
      role: 'org-member',
      password: 'correct horse battery staple',
    });
    const row = await intel.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await intel.auth.login('csirt@p1.example', 'correct horse battery staple')).actor).toMatchObject({
      userId: user.id,
    });
  });
});
