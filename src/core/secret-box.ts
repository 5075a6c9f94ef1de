/**
 * Secrets the center must be able to use again (the HMAC secret that signs a member's webhook
 * deliveries) are kept encrypted at rest: AES-256-GCM (NIST SP 800-38D) with a random 96-bit
 * nonce and the secret's purpose as associated data, under a key that is not in the database
 * (`secret.key` in the data directory, or `KOBAN_SECRET_KEY`). They are decrypted only at the
 * moment they are used. A stored value reads `aes256gcm:<nonce>.<ciphertext>.<tag>` (base64url).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { KobanError } from './errors.js';
import { KEY_BYTES, parseKey, readOrCreateKeyFile } from './key-file.js';
import type { Notice } from './private-files.js';

const PREFIX = 'aes256gcm:';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export const SECRET_KEY_FILE = 'secret.key';

/**
 * The data directory's secret key: `KOBAN_SECRET_KEY` (64 hex digits or base64 of 32 bytes) when
 * set — the operator keeps it out of the data directory and its backups — else `<dataDir>/secret.key`,
 * created on first use.
 */
export function loadSecretKey(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
  notice?: Notice,
): Buffer {
  const given = env.KOBAN_SECRET_KEY;
  if (given !== undefined && given !== '') {
    const key = parseKey(given);
    if (!key)
      throw new KobanError('E_CONFIG', `KOBAN_SECRET_KEY: not a ${KEY_BYTES}-byte key (64 hex digits)`);
    return key;
  }
  return readOrCreateKeyFile(join(dataDir, SECRET_KEY_FILE), notice ? { notice } : {});
}

export class SecretBox {
  private key: Buffer | null = null;

  /** `loadKey` runs at the first seal or open: a process that never touches a secret needs no key. */
  constructor(private readonly loadKey: () => Buffer) {}

  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  private k(): Buffer {
    this.key ??= this.loadKey();
    return this.key;
  }

  /** Encrypts `plain`; `purpose` binds the value to its use (it must be given again to open it). */
  seal(plain: string, purpose: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const c = createCipheriv('aes-256-gcm', this.k(), nonce);
    c.setAAD(Buffer.from(purpose, 'utf8'));
    const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return `${PREFIX}${[nonce, ct, c.getAuthTag()].map((b) => b.toString('base64url')).join('.')}`;
  }

  open(sealed: string, purpose: string): string {
    const parts = SecretBox.isSealed(sealed) ? sealed.slice(PREFIX.length).split('.') : [];
    const [nonce, ct, tag] = parts.map((p) => Buffer.from(p, 'base64url'));
    if (parts.length !== 3 || nonce?.length !== NONCE_BYTES || tag?.length !== TAG_BYTES || !ct)
      throw new KobanError('E_CONFIG', 'a stored secret is not in the encrypted form');
    try {
      const d = createDecipheriv('aes-256-gcm', this.k(), nonce);
      d.setAAD(Buffer.from(purpose, 'utf8'));
      d.setAuthTag(tag);
      return Buffer.concat([d.update(ct), d.final()]).toString('utf8');
    } catch {
      throw new KobanError(
        'E_CONFIG',
        `a stored secret cannot be decrypted with this center's key (was ${SECRET_KEY_FILE} replaced, or KOBAN_SECRET_KEY changed?)`,
      );
    }
  }
}
