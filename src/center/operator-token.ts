/**
 * The center operator's token (`kbo_…`): `koban operator-token` mints one and keeps only its
 * SHA-256 in the data directory (a token of 256 random bits needs no slow hash); each running
 * center also mints a local one for CLI commands on the same data directory (written owner-only by
 * server.ts, never stored hashed). A request carries one or the other, compared in constant time.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  KobanError,
  mintToken,
  parseBearer,
  secretHash,
  secretHashHex,
  secretHashMatches,
} from '../core/index.js';

export const OPERATOR_TOKEN_FILE = 'operator-token.sha256';
/**
 * The running center's own operator token, for CLI commands on the same data directory that ask
 * it instead of the store it holds (`koban stats`). Readable by the data directory's owner only:
 * whoever can read it can read the stores themselves.
 */
export const LOCAL_OPERATOR_FILE = 'operator-local.token';

/** Creates a new operator token, stores its hash in the data directory and returns it. */
export function rotateOperatorToken(dataDir: string): string {
  const token = mintToken('operator');
  writeFileSync(join(dataDir, OPERATOR_TOKEN_FILE), secretHashHex(token), { mode: 0o600 });
  return token;
}

export interface OperatorCheck {
  /** This process's operator token for local CLI commands. */
  readonly localToken: string;
  /** Throws E_AUTH unless the header carries the operator token (or the local one). */
  require(authorization: string | undefined): void;
}

/** The check of a data directory's operator token, read at each request (rotation takes effect at once). */
export function operatorCheck(dataDir: string): OperatorCheck {
  const tokenPath = join(dataDir, OPERATOR_TOKEN_FILE);
  const localToken = mintToken('operator');
  const localHash = secretHash(localToken);
  return {
    localToken,
    require(authorization) {
      const token = parseBearer(authorization);
      const stored = existsSync(tokenPath) ? readFileSync(tokenPath, 'utf8').trim() : null;
      const given = secretHash(token ?? '');
      if (token === null || !(secretHashMatches(stored, given) || secretHashMatches(localHash, given))) {
        throw new KobanError('E_AUTH', 'operator token required (create one with: koban operator-token)');
      }
    },
  };
}
