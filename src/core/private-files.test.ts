import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { KobanError } from './errors.js';
import { parseKey, readOrCreateKeyFile } from './key-file.js';
import { ensurePrivateDir, tightenTree } from './private-files.js';
import { loadSecretKey, SecretBox } from './secret-box.js';

let dir: string;
const mode = (p: string) => statSync(p).mode & 0o777;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'koban-private-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('private directories and trees', () => {
  it('creates missing directories 0700, parents included', () => {
    const deep = join(dir, 'a', 'b');
    ensurePrivateDir(deep, () => {});
    expect([mode(join(dir, 'a')), mode(deep)]).toEqual([0o700, 0o700]);
  });

  it('tightens a tree an earlier version left readable by others, and sums it up in one note', () => {
    const root = join(dir, 'evidence');
    mkdirSync(join(root, 'ab'), { recursive: true, mode: 0o755 });
    chmodSync(root, 0o755);
    writeFileSync(join(root, 'ab', 'f1'), 'x', { mode: 0o444 });
    writeFileSync(join(root, 'ab', 'f2'), 'y', { mode: 0o400 });
    const notes: string[] = [];
    expect(tightenTree(root, (m) => notes.push(m))).toBe(3);
    expect([root, join(root, 'ab'), join(root, 'ab', 'f1'), join(root, 'ab', 'f2')].map(mode)).toEqual([
      0o700, 0o700, 0o400, 0o400,
    ]);
    expect(notes).toEqual([`${root}: 3 files and directories were readable by other users: tightened`]);
  });
});

describe('koban.json', () => {
  it('readable by other users is warned about; private, it is not', () => {
    const path = join(dir, 'koban.json');
    writeFileSync(path, '{"retentionDays": 30}', { mode: 0o644 });
    chmodSync(path, 0o644);
    const notes: string[] = [];
    expect(loadConfig(dir, {}, (m) => notes.push(m)).retentionDays).toBe(30);
    expect(notes).toEqual([
      `warning: ${path} can be read or changed by other users (mode 0644) and may hold credentials: chmod 600 ${path}`,
    ]);
    chmodSync(path, 0o600);
    notes.length = 0;
    loadConfig(dir, {}, (m) => notes.push(m));
    expect(notes).toEqual([]);
  });

  it('says where retention counts back from: the wall clock unless history is asked for', () => {
    expect(loadConfig(dir, {}).retentionFrom).toBe('wall-clock');
    writeFileSync(join(dir, 'koban.json'), '{"retentionFrom": "newest-event"}', { mode: 0o600 });
    expect(loadConfig(dir, {}).retentionFrom).toBe('newest-event');
  });
});

describe('key files', () => {
  it('creates a random 32-byte key once, 0600, and reads the same key back', () => {
    const path = join(dir, 'data', 'secret.key');
    const key = readOrCreateKeyFile(path);
    expect(key.length).toBe(32);
    expect(mode(path)).toBe(0o600);
    expect(mode(join(dir, 'data'))).toBe(0o700);
    expect(readOrCreateKeyFile(path).equals(key)).toBe(true);
    expect(readOrCreateKeyFile(join(dir, 'other.key')).equals(key)).toBe(false);
  });

  it('refuses a file that is not a key rather than replacing it', () => {
    const path = join(dir, 'secret.key');
    writeFileSync(path, 'not a key\n', { mode: 0o600 });
    expect(() => readOrCreateKeyFile(path)).toThrow(
      new KobanError('E_CONFIG', `${path}: not a key file (expected 64 hex digits)`),
    );
  });

  it('reads keys as hex or base64 of exactly the right length', () => {
    const k = Buffer.alloc(32, 7);
    expect(parseKey(k.toString('hex'))?.equals(k)).toBe(true);
    expect(parseKey(k.toString('base64'))?.equals(k)).toBe(true);
    expect(parseKey(k.toString('base64url'))?.equals(k)).toBe(true);
    expect(parseKey(Buffer.alloc(16).toString('hex'))).toBeNull();
    expect(parseKey('zz')).toBeNull();
  });
});

describe('the secret box', () => {
  const box = new SecretBox(() => Buffer.alloc(32, 1));

  it('seals to a form that does not contain the secret, and opens it again', () => {
    const sealed = box.seal('s3cr3t-webhook-key', 'purpose-a');
    expect(sealed).toMatch(/^aes256gcm:[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
    expect(sealed).not.toContain('s3cr3t');
    expect(box.seal('s3cr3t-webhook-key', 'purpose-a')).not.toBe(sealed);
    expect(box.open(sealed, 'purpose-a')).toBe('s3cr3t-webhook-key');
  });

  it('does not open under another key or for another purpose', () => {
    const sealed = box.seal('x', 'purpose-a');
    const message =
      "a stored secret cannot be decrypted with this center's key (was secret.key replaced, or KOBAN_SECRET_KEY changed?)";
    expect(() => new SecretBox(() => Buffer.alloc(32, 2)).open(sealed, 'purpose-a')).toThrow(message);
    expect(() => box.open(sealed, 'purpose-b')).toThrow(message);
    expect(() => box.open('clear-secret', 'purpose-a')).toThrow(
      'a stored secret is not in the encrypted form',
    );
  });

  it('takes its key from KOBAN_SECRET_KEY when set, else from secret.key in the data directory', () => {
    const given = Buffer.alloc(32, 9);
    expect(loadSecretKey(dir, { KOBAN_SECRET_KEY: given.toString('hex') }).equals(given)).toBe(true);
    expect(() => statSync(join(dir, 'secret.key'))).toThrow();
    const fromFile = loadSecretKey(dir, {});
    expect(mode(join(dir, 'secret.key'))).toBe(0o600);
    expect(loadSecretKey(dir, {}).equals(fromFile)).toBe(true);
    expect(() => loadSecretKey(dir, { KOBAN_SECRET_KEY: 'short' })).toThrow(
      'KOBAN_SECRET_KEY: not a 32-byte key (64 hex digits)',
    );
  });
});
