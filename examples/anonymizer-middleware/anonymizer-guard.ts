/**
 * Example: a Hono middleware for a website that asks a Koban center whether a visitor comes through
 * Tor (or another anonymizer) before it accepts a post, and does what the site's policy says
 * (docs/anonymizer.md#site-policies): `restrict` → 403; `allow-and-record` → the request goes on
 * and `onFlagged` gets the center's answer to record; `ignore-but-keep-logs` or `none` → nothing.
 * Reading (GET, HEAD, OPTIONS) is never checked: the policies are about posting.
 */
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
  return async (c, next) => {
    if (SAFE.has(c.req.method)) return next();
    const ip = opts.clientIp(c);
    const answer = ip === undefined ? null : await ask(ip);
    if (answer === null) {
      if (opts.failOpen === false) return c.json({ error: 'cannot check the visitor address now' }, 503);
      return next();
    }
    if (answer.action === 'restrict')
      return c.json({ error: 'posting through an anonymizer is not allowed' }, 403);
    await next();
    if (answer.action === 'allow-and-record') await opts.onFlagged?.(c, answer);
  };
}
