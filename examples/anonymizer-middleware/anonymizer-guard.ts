/**
 * Example: a Hono middleware for a website that asks a Koban center whether a visitor comes through
 * Tor (or another anonymizer) before it accepts a post, and does what the site's policy says
 * (docs/anonymizer.md#site-policies): `restrict` → 403; `allow-and-record` → the request goes on
 * and `onFlagged` gets the center's answer to record — and with `record`, the middleware posts the
 * request's details to the center as evidence (POST /api/v1/anonymizer/evidence: time, address,
 * account, the SHA-256 of the body, the headers named); `ignore-but-keep-logs` or `none` → nothing.
 * Reading (GET, HEAD, OPTIONS) is never checked: the policies are about posting.
 */
import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';

export interface AnonymizerAnswer {
  readonly ip: string;
  readonly listed: boolean;
  readonly action: 'restrict' | 'allow-and-record' | 'ignore-but-keep-logs' | 'none' | null;
  readonly evidence: readonly {
    readonly list: string;
    readonly fingerprint: string | null;
    readonly from: string;
  }[];
}

export interface AnonymizerGuardOptions {
  /** The center's base URL, e.g. https://center.example. */
  readonly center: string;
  /** The site's API token (an organisation of kind website-operator). */
  readonly token: string;
  /** The visitor's address as the site knows it (behind a proxy: the proxy's forwarded address). */
  readonly clientIp: (c: Context) => string | undefined;
  /** The site's own service port, for the exit-policy check (default: none asked). */
  readonly port?: number;
  /** Answers are cached per address this long (default 5 minutes). */
  readonly cacheMs?: number;
  /** Called after the handler for a listed visitor under allow-and-record: record what you keep. */
  readonly onFlagged?: (c: Context, answer: AnonymizerAnswer) => void | Promise<void>;
  /**
   * Under allow-and-record, post the request's details to the center as evidence: the headers
   * named here (kept only when present), the account `account` returns, and the SHA-256 of the
   * request body. A failed post goes to `onRecordError` (default: ignored): the visitor's request
   * already went on.
   */
  readonly record?: {
    readonly headers: readonly string[];
    readonly account?: (c: Context) => string | undefined;
    readonly onRecordError?: (error: unknown) => void;
  };
  /** When the center cannot answer (down, stale data): let the post through (default) or refuse it. */
  readonly failOpen?: boolean;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function anonymizerGuard(opts: AnonymizerGuardOptions): MiddlewareHandler {
  const cache = new Map<string, { answer: AnonymizerAnswer; untilMs: number }>();
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? Date.now;
  const ask = async (ip: string): Promise<AnonymizerAnswer | null> => {
    const hit = cache.get(ip);
    if (hit && hit.untilMs > now()) return hit.answer;
    const q = new URLSearchParams({ ip, ...(opts.port ? { port: String(opts.port) } : {}) });
    try {
      const r = await doFetch(`${opts.center}/api/v1/anonymizer/check?${q}`, {
        headers: { authorization: `Bearer ${opts.token}` },
      });
      if (!r.ok) return null;
      const answer = (await r.json()) as AnonymizerAnswer;
      // A bounded cache: a flood of distinct addresses must not grow it without end.
      if (cache.size >= 10_000) cache.clear();
      cache.set(ip, { answer, untilMs: now() + (opts.cacheMs ?? 300_000) });
      return answer;
    } catch {
      return null;
    }
  };
  const post = async (c: Context, ip: string, atMs: number, bodySha256: string): Promise<void> => {
    const rec = opts.record;
    if (!rec) return;
    const headers: Record<string, string> = {};
    for (const name of rec.headers.slice(0, 32)) {
      const v = c.req.header(name);
      if (v !== undefined) headers[name] = v.slice(0, 1024);
    }
    const account = rec.account?.(c);
    const body = {
      time: new Date(atMs).toISOString(),
      ip,
      ...(opts.port ? { port: opts.port } : {}),
      ...(account ? { account } : {}),
      contentSha256: bodySha256,
      headers,
    };
    try {
      const r = await doFetch(`${opts.center}/api/v1/anonymizer/evidence`, {
        method: 'POST',
        headers: { authorization: `Bearer ${opts.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!r.ok) rec.onRecordError?.(new Error(`the center answered ${r.status}`));
    } catch (e) {
      rec.onRecordError?.(e);
    }
  };
  return async (c, next) => {
    if (SAFE.has(c.req.method)) return next();
    const atMs = now();
    const ip = opts.clientIp(c);
    const answer = ip === undefined ? null : await ask(ip);
    if (answer === null) {
      if (opts.failOpen === false) return c.json({ error: 'cannot check the visitor address now' }, 503);
      return next();
    }
    if (answer.action === 'restrict')
      return c.json({ error: 'posting through an anonymizer is not allowed' }, 403);
    // Hashed before the handler reads it: Hono caches the body, so the handler still gets it.
    const bodySha256 =
      answer.action === 'allow-and-record' && opts.record && ip !== undefined
        ? createHash('sha256')
            .update(new Uint8Array(await c.req.arrayBuffer()))
            .digest('hex')
        : null;
    await next();
    if (answer.action !== 'allow-and-record') return;
    await opts.onFlagged?.(c, answer);
    if (bodySha256 !== null && ip !== undefined) await post(c, ip, atMs, bodySha256);
  };
}
