/**
 * Security headers on every answer (OWASP Secure Headers Project), through Hono's `secureHeaders`:
 * a Content-Security-Policy that allows the center's own resources only — no inline script or
 * style anywhere, the front page's stylesheet is a file of its own — and no framing
 * (`frame-ancestors 'none'`, and `X-Frame-Options: DENY` for older browsers), `nosniff`, no
 * Referer leaving the center. Strict-Transport-Security only over HTTPS (directly, or a trusted
 * proxy's `X-Forwarded-Proto`): RFC 6797 §7.2 has servers send it over secure transport only.
 */
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { type ClientOptions, isHttps } from '../../client.js';

/** One year: what the HSTS preload list asks for. */
export const HSTS = 'max-age=31536000; includeSubDomains';

export interface SecurityHeadersOptions extends ClientOptions {
  /**
   * Pages whose stylesheet draws icons as `data:` images (Swagger UI's, at /api/docs): they may
   * show those (`img-src 'self' data:`; an image cannot run script). Nothing else is relaxed.
   */
  readonly dataImagePages?: readonly string[];
}

function headers(imgSrc?: string[]): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      objectSrc: ["'none'"],
      ...(imgSrc ? { imgSrc } : {}),
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    strictTransportSecurity: false,
  });
}

export function securityHeaders(opts: SecurityHeadersOptions = {}): MiddlewareHandler {
  const strict = headers();
  const dataImages = headers(["'self'", 'data:']);
  const relaxed = new Set(opts.dataImagePages ?? []);
  return async (c, next) => {
    const common = relaxed.has(c.req.path) ? dataImages : strict;
    await common(c, async () => {
      await next();
      if (isHttps(c, opts)) c.header('Strict-Transport-Security', HSTS);
    });
  };
}
