/**
 * The one error shape of the HTTP API, `{ "error": { "code", "message" } }`, and the status each
 * stable code of core/errors.ts is answered with. `ERROR_STATUS` is a `Record<ErrorCode, …>`: a
 * code added to core without a status here does not compile.
 */
import type { Context, ErrorHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type ErrorCode, isKobanError, type KobanError } from '../core/index.js';
import { BackpressureError } from '../observe/index.js';

export const ERROR_STATUS: Readonly<Record<ErrorCode, ContentfulStatusCode>> = {
  E_USAGE: 400,
  E_FORMAT: 400,
  E_AUTH: 401,
  E_FORBIDDEN: 403,
  E_NOT_FOUND: 404,
  E_CONFLICT: 409,
  E_LIMIT: 413,
  E_RATE_LIMIT: 429,
  E_LOCKED: 503,
  E_BUSY: 503,
  E_STALE: 503,
  E_STORE: 503,
  E_CONFIG: 500,
  E_IO: 500,
  E_INTERNAL: 500,
};

export function errorBody(code: ErrorCode, message: string) {
  return { error: { code, message } };
}

/** The error shape with a status the table does not give (415 for a media type, say). */
export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: ErrorCode,
  message: string,
): Response {
  return c.json(errorBody(code, message), status);
}

/**
 * The status of a thrown KobanError. A limit that passes with time (it carries `retryAfterS`) is
 * a rate limit, 429, rather than a size limit, 413 (RFC 6585 §4).
 */
export function statusOf(e: KobanError): ContentfulStatusCode {
  if (e.code === 'E_LIMIT' && e.retryAfterS !== undefined) return 429;
  return ERROR_STATUS[e.code];
}

/** Where failures the caller must not see go (the center's log). */
export interface ErrorLog {
  error(details: { err: unknown }, message: string): void;
}

/**
 * Answers every error in the one shape. A store failure's message names files and what the
 * operator must do: it goes to the log, the caller hears only that a store failed. Anything that
 * is not a KobanError is a bug: logged, answered 500 without details.
 */
export function errorHandler(log: ErrorLog): ErrorHandler {
  return (err, c) => {
    if (err instanceof BackpressureError) {
      c.header('Retry-After', String(err.retryAfterS));
      return c.json(errorBody('E_BUSY', err.message), err.httpStatus);
    }
    if (!isKobanError(err)) {
      log.error({ err }, 'request failed');
      return c.json(errorBody('E_INTERNAL', 'internal error'), 500);
    }
    if (err.code === 'E_STORE') {
      log.error({ err }, 'store failure');
      return c.json(
        errorBody('E_STORE', 'a store of the center failed; the operator is told in its log'),
        ERROR_STATUS.E_STORE,
      );
    }
    // A refusal that may pass later says when (RFC 9110 §10.2.3).
    if (err.retryAfterS !== undefined) c.header('Retry-After', String(err.retryAfterS));
    return c.json(errorBody(err.code, err.message), statusOf(err));
  };
}
