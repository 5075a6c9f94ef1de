/**
 * Who is calling the TAXII server: `Authorization: Basic` with a Koban account's e-mail and
 * password (TAXII 2.1 §1.6.10 names HTTP Basic as the mandatory-to-implement scheme), an API token
 * as `Bearer`, or nobody (the anonymous public). A Basic login is checked like a browser login —
 * throttled per account and address by the center's one LoginThrottle, Argon2id in intel's
 * AuthService — and opens a session whose token is then kept in memory under a keyed hash of the
 * credentials, so a polling client does not pay for a password check on every request; the
 * session ends by the usual rules (expiry, idle time, revocation, disabled account) and the next
 * request logs in again.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { KobanError } from '../core/index.js';
import type { Actor, AuthService } from '../intel/index.js';
import { clientAddress, resolveActor } from './auth-middleware.js';
import type { ClientOptions } from './client.js';
import type { LoginThrottle } from './rate-limit.js';

/** How many Basic credentials keep a session in memory (the oldest is dropped first). */
const MAX_CACHED = 1000;

export class TaxiiAuth {
  private readonly key = randomBytes(32);
  private readonly sessions = new Map<string, string>();

  constructor(
    private readonly auth: AuthService,
    private readonly throttle: LoginThrottle,
    private readonly client: ClientOptions,
  ) {}

  async actor(c: Context): Promise<Actor> {
    const header = c.req.header('Authorization');
    if (header === undefined || !/^basic /i.test(header)) return resolveActor(c, this.auth);
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 1) throw new KobanError('E_AUTH', 'Basic credentials must be "e-mail:password" in base64');
    const email = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const k = createHmac('sha256', this.key).update(email).update('\u0000').update(password).digest('hex');
    const cached = this.sessions.get(k);
    if (cached !== undefined) {
      const r = await this.auth.check(cached);
      if (r.ok) return r.actor;
      this.sessions.delete(k);
    }
    const address = clientAddress(c, this.client);
    const waitMs = this.throttle.attempt(email, address);
    if (waitMs > 0)
      throw new KobanError('E_RATE_LIMIT', 'too many login attempts; try again later', {
        retryAfterS: Math.ceil(waitMs / 1000),
      });
    const login = await this.auth.login(email, password);
    this.throttle.succeeded(email, address);
    if (this.sessions.size >= MAX_CACHED) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    this.sessions.set(k, login.token);
    return login.actor;
  }
}
