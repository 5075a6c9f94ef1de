/**
 * Password hashing: Argon2id PHC strings (RFC 9106). A stored string carries its own parameters,
 * so verifying needs none and hashes of any cost verify alike. Production hashes at
 * @node-rs/argon2's defaults (m=19 MiB, t=2, p=1: OWASP's recommended minimum); the cost is a
 * parameter only so that tests, which create accounts by the hundred, can use argon2's lowest.
 */
import { hash, verify } from '@node-rs/argon2';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False (never a throw) for a wrong password or a string that is not a PHC hash. */
  verify(phc: string, password: string): Promise<boolean>;
}

export interface Argon2Cost {
  /** KiB (default 19,456). */
  readonly memoryCost?: number;
  /** Passes (default 2). */
  readonly timeCost?: number;
}

export function argon2Hasher(cost: Argon2Cost = {}): PasswordHasher {
  return {
    hash: (password) => hash(password, cost),
    verify: (phc, password) => verify(phc, password).catch(() => false),
  };
}

export const DEFAULT_PASSWORD_HASHER: PasswordHasher = argon2Hasher();
