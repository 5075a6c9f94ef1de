/**
 * Key files: random keys kept beside, never inside, the databases they protect, so a copy of a
 * database (a backup, a stolen file) does not carry what decrypts or authenticates it. One key per
 * file, as hex, mode 0600. Creation is atomic: the key is written to a temporary file and linked
 * into place, so two processes opening the same data directory at once end up with the same key,
 * and nobody ever reads a half-written one.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { KobanError } from './errors.js';
import {
  ensurePrivateDir,
  type Notice,
  PRIVATE_FILE_MODE,
  stderrNotice,
  tightenMode,
} from './private-files.js';

export const KEY_BYTES = 32;

/** A key given as hex (2 digits a byte) or base64/base64url; null when it is neither, or not `bytes` long. */
export function parseKey(text: string, bytes = KEY_BYTES): Buffer | null {
  const t = text.trim();
  if (new RegExp(`^[0-9a-fA-F]{${2 * bytes}}$`).test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) {
    const b = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (b.length === bytes) return b;
  }
  return null;
}

/**
 * The key in `path`, created (random, `bytes` long) if the file does not exist. A key file others
 * may read is tightened to 0600 and reported.
 */
export function readOrCreateKeyFile(path: string, opts: { bytes?: number; notice?: Notice } = {}): Buffer {
  const bytes = opts.bytes ?? KEY_BYTES;
  const notice = opts.notice ?? stderrNotice;
  const existing = readKeyFile(path, bytes);
  if (existing) {
    tightenMode(path, notice);
    return existing;
  }
  ensurePrivateDir(dirname(path), notice);
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.key.tmp`);
  const fd = openSync(tmp, 'wx', PRIVATE_FILE_MODE);
  try {
    writeSync(fd, `${randomBytes(bytes).toString('hex')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
  } catch (e) {
    // Another process created it first: theirs is the key.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    unlinkSync(tmp);
  }
  const key = readKeyFile(path, bytes);
  if (!key) throw new KobanError('E_CONFIG', `${path}: not a key file (expected ${2 * bytes} hex digits)`);
  return key;
}

function readKeyFile(path: string, bytes: number): Buffer | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new KobanError('E_CONFIG', `${path}: cannot read the key file (${(e as Error).message})`);
  }
  const key = parseKey(text, bytes);
  if (!key) throw new KobanError('E_CONFIG', `${path}: not a key file (expected ${2 * bytes} hex digits)`);
  return key;
}
