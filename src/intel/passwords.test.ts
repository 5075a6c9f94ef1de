import { describe, expect, it } from 'vitest';
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
});
