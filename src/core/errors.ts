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
  /** A store file is damaged, unreadable or not a store: the message names the file and what to do. */
  E_STORE: 12,
  /** Too many requests from one caller (login attempts): HTTP 429 with Retry-After. */
  E_RATE_LIMIT: 13,
  /** The center is too busy to take the request now (ingest backpressure): retry after a while. */
  E_BUSY: 14,
  /** The data asked about is older than the configured freshness allows (anonymizer lists): not answered. */
  E_STALE: 15,
  E_INTERNAL: 70,
} as const;

/** Every stable code: web/errors.ts maps each to an HTTP status, and the compiler checks it does. */
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

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
  ENOSPC: 'no space left on the device',
  EIO: 'input/output error',
};

/** A file-system error in words ("no such file"), not Node's code and syscall ("ENOENT: …, stat 'x'"). */
export function fileErrorText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code && FILE_ERRORS[err.code]) return FILE_ERRORS[err.code]!;
  const msg = e instanceof Error ? e.message : String(e);
  // Node's form is "CODE: text, syscall 'path'": keep the text.
  return /^[A-Z]+: ([^,]+),/.exec(msg)?.[1] ?? msg;
}
