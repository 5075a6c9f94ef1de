/**
 * The chain key file: `<data dir>/audit.key` (JSON, mode 0600), created on first use. It lives
 * outside the databases on purpose — whoever can write the database must not also hold the key
 * that makes a rewritten chain verify — so operators back it up and keep a copy apart from the
 * database backups (docs/audit.md). Every node of a scaled-out center (one PostgreSQL) needs the
 * same file.
 *
 * Creating the key records the switch-over point: the id of the last row of each chained table
 * then, up to which rows keep the unkeyed SHA-256 rule. If the chains already end in keyed rows
 * the key was lost (or the data directory moved without it): the key is not silently replaced.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { KobanError } from '../../core/index.js';
import type { RelationalDb } from '../../db/index.js';
import { chainHash, rowContent } from './chain.js';
import { CHAIN_TABLES, ChainKey, type ChainTable, chainLastId, chainRow } from './keyed-chain.js';

export const CHAIN_KEY_FILE = 'audit.key';

const KeyFileSchema = z.object({
  version: z.literal(1),
  created: z.string(),
  /** 32 random bytes, base64url: the HMAC-SHA256 key of the chains. */
  macKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  /** Ed25519 private key, PKCS #8 PEM: signs checkpoints. */
  signingKey: z.string().startsWith('-----BEGIN PRIVATE KEY-----'),
  switchover: z.object({
    audit_log: z.number().int().nonnegative(),
    custody: z.number().int().nonnegative(),
  }),
});
type KeyFile = z.infer<typeof KeyFileSchema>;

function fromFile(path: string, f: KeyFile): ChainKey {
  try {
    const priv = createPrivateKey(f.signingKey);
    if (priv.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
    return new ChainKey(Buffer.from(f.macKey, 'base64url'), priv, createPublicKey(priv), f.switchover);
  } catch (e) {
    throw new KobanError('E_CONFIG', `${path}: the signing key cannot be read (${(e as Error).message})`);
  }
}

function readKeyFile(path: string): ChainKey | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new KobanError('E_IO', `cannot read the audit chain key ${path}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  const r = KeyFileSchema.safeParse(parsed);
  if (!r.success) throw new KobanError('E_CONFIG', `${path} is not an audit chain key file (version 1)`);
  return fromFile(path, r.data);
}

/** The id of the last row of a table, refusing a chain that already ends in a keyed row. */
async function switchoverOf(db: RelationalDb, table: ChainTable, path: string): Promise<number> {
  const id = await chainLastId(db, table);
  const row = id === 0 ? undefined : await chainRow(db, table, id);
  if (row && chainHash(row.prev_hash, rowContent(row)) !== row.hash) {
    throw new KobanError(
      'E_CONFIG',
      `${table} row ${id} does not verify without a key: it was written with the audit chain key ` +
        `${path}, which is missing — restore it from its backup (or copy it from another node of ` +
        'this center); a new key would leave the existing chain unverifiable. If the row itself was ' +
        'altered, `koban audit verify` run with the key names it.',
    );
  }
  return id;
}

/** Writes the file only if none exists (link(2) fails on an existing name), fully written and 0600. */
function createExclusive(path: string, text: string): boolean {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new KobanError('E_IO', `cannot create the audit chain key ${path}: ${(e as Error).message}`);
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * Loads the key at `path`, creating it on first use (`created`: this call made it, so the caller
 * records the switch-over in the audit log and writes the first checkpoint).
 */
export async function loadChainKey(
  db: RelationalDb,
  path: string,
  nowMs: number,
): Promise<{ key: ChainKey; created: boolean }> {
  const existing = readKeyFile(path);
  if (existing) return { key: existing, created: false };
  const switchover = { audit_log: 0, custody: 0 };
  for (const table of CHAIN_TABLES) switchover[table] = await switchoverOf(db, table, path);
  const { privateKey } = generateKeyPairSync('ed25519');
  const file: KeyFile = {
    version: 1,
    created: new Date(nowMs).toISOString(),
    macKey: randomBytes(32).toString('base64url'),
    signingKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    switchover,
  };
  if (createExclusive(path, `${JSON.stringify(file, null, 2)}\n`)) {
    return { key: fromFile(path, file), created: true };
  }
  // Another process created it meanwhile: use theirs.
  return { key: readKeyFile(path)!, created: false };
}
