/**
 * Unexpected failures throw a KobanError with a stable code; the HTTP layer maps the code to one
 * JSON error shape and the CLI to an exit status and a one-line message. Expected failures of
 * bad input are values (see `Rejection` in event.ts), never exceptions.
 */
export const ERROR_CODES = {
  E_USAGE: 2,
  E_FORMAT: 3,
  E_NOT_FOUND: 4,
  E_LOCKED: 5,
  E_LIMIT: 6,
  E_AUTH: 7,
  E_FORBIDDEN: 8,
  E_CONFLICT: 9,
  E_CONFIG: 10,
  E_IO: 11,
  E_INTERNAL: 70,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface KobanErrorOptions {
  readonly cause?: unknown;
  /**
   * Seconds after which the same request may succeed (a rate limit, a full queue): HTTP answers
   * it as `Retry-After` (RFC 9110 §10.2.3) — 429 for E_LIMIT, 503 for E_LOCKED.
   */
  readonly retryAfterS?: number;
}

export class KobanError extends Error {
  readonly code: ErrorCode;
  readonly retryAfterS: number | undefined;
  constructor(code: ErrorCode, message: string, options?: KobanErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryAfterS = options?.retryAfterS;
    this.name = 'KobanError';
  }
  get exitStatus(): number {
    return ERROR_CODES[this.code];
  }
}

export function isKobanError(e: unknown): e is KobanError {
  return e instanceof KobanError;
}
