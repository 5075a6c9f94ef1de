/**
 * The machine key (Ed25519, RFC 8032): generated on the first run into `<out>/recorder-key.pem`
 * with mode 0600, so only the recorder's user can seal. Public keys travel as the raw 32 bytes in
 * base64url; the fingerprint is the SHA-256 of those bytes in hex.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KobanError } from '../core/index.js';
import { sha256Hex } from './format.js';

export const KEY_FILE = 'recorder-key.pem';
/** The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4) before the 32 key bytes. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface SigningKey {
  readonly publicKey: string;
  readonly fingerprint: string;
  sign(text: string): string;
}

export function rawPublicKey(key: KeyObject): string {
  const der = key.export({ format: 'der', type: 'spki' });
  return der.subarray(SPKI_PREFIX.length).toString('base64url');
}

export function publicKeyFromRaw(raw: string): KeyObject {
  const bytes = Buffer.from(raw, 'base64url');
  if (bytes.length !== 32) throw new KobanError('E_FORMAT', 'an Ed25519 public key is 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, bytes]), format: 'der', type: 'spki' });
}

export const fingerprintOf = (raw: string): string => sha256Hex(Buffer.from(raw, 'base64url'));

export function signingKey(privateKey: KeyObject): SigningKey {
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  return {
    publicKey,
    fingerprint: fingerprintOf(publicKey),
    sign: (text) => sign(null, Buffer.from(text), privateKey).toString('base64url'),
  };
}

/** A key held elsewhere (the center's checkpoint key) seen as a recorder signing key. */
export function externalSigningKey(publicKey: KeyObject, signText: (text: string) => string): SigningKey {
  const raw = rawPublicKey(publicKey);
  return { publicKey: raw, fingerprint: fingerprintOf(raw), sign: signText };
}

export function verifySignature(publicKey: KeyObject, text: string, sig: string): boolean {
  try {
    return verify(null, Buffer.from(text), publicKey, Buffer.from(sig, 'base64url'));
  } catch {
    return false;
  }
}

export function generateSigningKey(): { key: SigningKey; pem: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  return {
    key: signingKey(privateKey),
    pem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

/** Loads the key of `dir`, creating it (mode 0600) on the first run. */
export function loadOrCreateKey(dir: string): SigningKey {
  const file = join(dir, KEY_FILE);
  if (!existsSync(file)) {
    const { key, pem } = generateSigningKey();
    // 'wx': two recorders started at once must not overwrite each other's key.
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
    return key;
  }
  const mode = statSync(file).mode & 0o077;
  if (mode !== 0)
    throw new KobanError(
      'E_CONFIG',
      `${file} is readable by others (mode ${(statSync(file).mode & 0o777).toString(8)}); chmod 600 it`,
    );
  try {
    return signingKey(createPrivateKey(readFileSync(file)));
  } catch (e) {
    throw new KobanError('E_CONFIG', `${file}: not an Ed25519 private key in PEM`, { cause: e });
  }
}
