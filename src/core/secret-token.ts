/**
 * Bearer tokens the center mints for machines and people: the operator token, sensor tokens, API
 * tokens and session tokens. One way to mint, hash, compare and read them from a request.
 *
 * - A token is a kind prefix, for id-carrying kinds a decimal row id, and a secret of 256 random
 *   bits in base64url (43 characters): `kbo_<secret>`, `kbs_<id>_<secret>`, `kbt_<id>_<secret>`,
 *   `kss_<id>_<secret>`. The prefix lets a reader (and a secret scanner) tell the kinds apart; the
 *   id finds the stored row without a search by hash.
 * - Only a SHA-256 of the secret is stored (of the whole token for the operator token, which has no
 *   id). A fast hash is the right tool for 256-bit random secrets — no dictionary can guess them;
 *   argon2 is for human passwords (NIST SP 800-63B §5.1.1.2 asks for a slow hash only for memorised
 *   secrets). Stored hashes are lower-case hex, so data directories written before keep working.
 * - Hashes are compared with `timingSafeEqual`, also when no row was found (against zeros), so a
 *   wrong id costs the same time as a wrong secret.
 * - `Authorization: Bearer <token>` is read one way (RFC 6750 §2.1; the scheme is
 *   case-insensitive, RFC 9110 §11.1).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The prefix of each kind of token (the text before the first `_`). */
export const TOKEN_PREFIXES = {
  operator: 'kbo',
  sensor: 'kbs',
  apiToken: 'kbt',
  session: 'kss',
} as const;
export type TokenKind = keyof typeof TOKEN_PREFIXES;
export type TokenPrefix = (typeof TOKEN_PREFIXES)[TokenKind];
/** The kinds whose tokens carry the row id: `<prefix>_<id>_<secret>`. */
export type IdTokenKind = Exclude<TokenKind, 'operator'>;

const SECRET_BYTES = 32;
const HASH_BYTES = 32;
const ID_TOKEN_RE = /^([a-z]{3})_(\d{1,12})_([A-Za-z0-9_-]{43})$/;

/** A fresh secret: 256 random bits, base64url. */
export function mintSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

/** A fresh token of a kind without an id (the operator token): `<prefix>_<secret>`. */
export function mintToken(kind: 'operator'): string {
  return `${TOKEN_PREFIXES[kind]}_${mintSecret()}`;
}

/** The token of an id-carrying kind for a row and its secret (from `mintSecret`). */
export function formatIdToken(kind: IdTokenKind, id: number, secret: string): string {
  return `${TOKEN_PREFIXES[kind]}_${id}_${secret}`;
}

export interface IdToken<K extends IdTokenKind = IdTokenKind> {
  readonly kind: K;
  readonly id: number;
  readonly secret: string;
}

/** Reads `<prefix>_<id>_<secret>` of one of `kinds`; null when malformed or of another kind. */
export function parseIdToken<K extends IdTokenKind>(token: string, kinds: readonly K[]): IdToken<K> | null {
  const m = ID_TOKEN_RE.exec(token);
  if (!m) return null;
  const kind = kinds.find((k) => TOKEN_PREFIXES[k] === m[1]);
  return kind === undefined ? null : { kind, id: Number(m[2]), secret: m[3]! };
}

/** The kind a token's prefix names (whether or not the rest is well formed), or null. */
export function tokenKind(token: string): TokenKind | null {
  const prefix = token.slice(0, token.indexOf('_'));
  const kinds = Object.keys(TOKEN_PREFIXES) as TokenKind[];
  return kinds.find((k) => TOKEN_PREFIXES[k] === prefix) ?? null;
}

/** SHA-256 of a secret (or of a whole operator token). */
export function secretHash(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** The stored form: SHA-256 in lower-case hex. */
export function secretHashHex(secret: string): string {
  return secretHash(secret).toString('hex');
}

const NO_HASH = Buffer.alloc(HASH_BYTES);

/**
 * Whether a stored hash (hex text or bytes; null or undefined when no row was found) equals the
 * hash of the secret given, in constant time. Anything but a 32-byte hash never matches (the
 * sensor registry stores `none` for relayed sensors, which have no token of their own).
 */
export function secretHashMatches(stored: string | Buffer | null | undefined, given: Buffer): boolean {
  const bytes = typeof stored === 'string' ? Buffer.from(stored, 'hex') : (stored ?? null);
  const valid = bytes !== null && bytes.length === HASH_BYTES && given.length === HASH_BYTES;
  // Compared even when there is nothing to compare with, so both cases take the same time.
  const equal = timingSafeEqual(valid ? bytes : NO_HASH, given.length === HASH_BYTES ? given : NO_HASH);
  return valid && equal;
}

/**
 * The token of an `Authorization: Bearer <token>` header, or null when the header is absent, of
 * another scheme, empty, or holds more than one word (RFC 6750 §2.1: b64token, no spaces).
 */
export function parseBearer(header: string | null | undefined): string | null {
  if (header === null || header === undefined) return null;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header.trim());
  return m ? m[1]! : null;
}
