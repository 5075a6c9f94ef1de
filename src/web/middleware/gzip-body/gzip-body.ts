/**
 * A gzip-compressed request body, recognised by its magic bytes (RFC 1952 §2.3.1: 0x1f 0x8b)
 * rather than by its headers — a sensor behind a proxy may lose `Content-Encoding`, and a body
 * that is not gzip must not reach the inflater. The compressed size is limited as it is read
 * (Hono's bodyLimit, 413); what it may inflate to is the inflater's limit. The bytes are put in
 * `c.var.gzipBody`, still compressed: the handler inflates them as it decodes.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { KobanError } from '../../../core/index.js';
import { errorResponse } from '../../errors.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by `gzipBody`: the request body, gzip-compressed. */
    gzipBody: Uint8Array;
  }
}

export interface GzipBodyOptions {
  /** The largest compressed body. */
  readonly maxBytes: number;
  /** What the body holds, for the 415 answer (default `gzip-compressed data`). */
  readonly content?: string;
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function gzipBody(opts: GzipBodyOptions): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: opts.maxBytes,
    // The rest of the body is never read: the connection cannot carry another request.
    onError: (c) => {
      c.header('Connection', 'close');
      return errorResponse(c, 413, 'E_LIMIT', `the body is larger than ${opts.maxBytes} bytes`);
    },
  });
  return async (c, next) => {
    let refusal: Response | undefined;
    const limited = await limit(c, async () => {
      const raw = new Uint8Array(await c.req.arrayBuffer());
      if (!isGzip(raw)) {
        if ((c.req.header('Content-Encoding') ?? '').toLowerCase().includes('gzip'))
          throw new KobanError('E_FORMAT', 'Content-Encoding says gzip but the body is not gzip');
        refusal = errorResponse(
          c,
          415,
          'E_FORMAT',
          `the body must be ${opts.content ?? 'gzip-compressed data'}`,
        );
        return;
      }
      c.set('gzipBody', raw);
      await next();
    });
    return limited instanceof Response ? limited : refusal;
  };
}
