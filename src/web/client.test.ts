/**
 * The client behind a reverse proxy (`trustProxy`), and the headers every answer carries:
 * forwarding headers believed only from the proxies named, the session cookie Secure and HSTS
 * sent when the client's side is HTTPS, the login throttle keyed on the real client, and the
 * security headers (CSP, nosniff, no framing, no Referer) on pages, JSON and errors alike.
 */
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { type ApiWorld, openApiWorld, PASSWORD } from '../../test/api-world.js';
import { parseTrustProxy } from '../cli/serve.js';
import { type ClientOptions, clientAddress, isHttps } from './client.js';

function probe(opts: ClientOptions) {
  const app = new Hono();
  app.get('/', (c) => c.json({ client: clientAddress(c, opts), https: isHttps(c, opts) }));
  return async (peer: string, headers: Record<string, string> = {}) =>
    (await app.request('/', { headers }, { incoming: { socket: { remoteAddress: peer } } })).json();
}

describe('forwarding headers', () => {
  const forwarded = { 'X-Forwarded-For': '192.0.2.66, 198.51.100.5', 'X-Forwarded-Proto': 'https' };

  it('are ignored without trustProxy', async () => {
    const ask = probe({});
    expect(await ask('10.0.0.2', forwarded)).toEqual({ client: '10.0.0.2', https: false });
  });

  it('are believed from a listed proxy only, the client being the last address that is no proxy', async () => {
    const ask = probe({ trustProxy: ['10.0.0.0/24', '198.51.100.5'] });
    expect(await ask('10.0.0.2', forwarded)).toEqual({ client: '192.0.2.66', https: true });
    expect(await ask('::ffff:10.0.0.2', forwarded)).toEqual({ client: '192.0.2.66', https: true });
    // A direct client sending the same headers is itself the client, over plain HTTP.
    expect(await ask('203.0.113.9', forwarded)).toEqual({ client: '203.0.113.9', https: false });
  });

  it('take the last entry from any peer with trustProxy: true', async () => {
    const ask = probe({ trustProxy: true });
    expect(await ask('203.0.113.9', forwarded)).toEqual({ client: '198.51.100.5', https: true });
  });

  it('come from koban serve --trust-proxy, alone or with addresses', () => {
    expect(parseTrustProxy(undefined)).toBeUndefined();
    expect(parseTrustProxy(true)).toBe(true);
    expect(parseTrustProxy('10.0.0.1, 2001:db8::/32')).toEqual(['10.0.0.1', '2001:db8::/32']);
    expect(() => parseTrustProxy('10.0.0.1,proxy.example')).toThrow(
      '--trust-proxy takes proxy addresses or CIDR blocks, comma-separated (or no value: any peer), not "proxy.example"',
    );
  });
});

describe('a center behind a TLS proxy', () => {
  let w: ApiWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });
  const viaProxy = (client: string) => ({
    ip: '10.0.0.2',
    headers: { 'X-Forwarded-For': client, 'X-Forwarded-Proto': 'https' },
  });

  it('sets a Secure cookie and HSTS when the proxy says https, and throttles each client on its own', async () => {
    const world = await openApiWorld({ trustProxy: ['10.0.0.2'] });
    w = world;
    const ok = await world.request('/api/v1/session', {
      json: { email: world.cast.x.email, password: PASSWORD },
      ...viaProxy('192.0.2.1'),
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('Set-Cookie')).toMatch(/; Secure; SameSite=Strict$/);
    expect(ok.headers.get('Strict-Transport-Security')).toBe('max-age=31536000; includeSubDomains');
    for (let i = 0; i < 20; i++) {
      const r = await world.request('/api/v1/session', {
        json: { email: `nobody${i}@example.org`, password: 'guess' },
        ...viaProxy('203.0.113.9'),
      });
      expect(r.status).toBe(401);
    }
    const limited = await world.request('/api/v1/session', {
      json: { email: world.cast.y.email, password: PASSWORD },
      ...viaProxy('203.0.113.9'),
    });
    expect(limited.status).toBe(429);
    // Another client behind the same proxy is not in the guesser's bucket.
    const other = await world.request('/api/v1/session', {
      json: { email: world.cast.y.email, password: PASSWORD },
      ...viaProxy('192.0.2.2'),
    });
    expect(other.status).toBe(200);
  });
});

describe('the login throttle over HTTP', () => {
  let w: ApiWorld;
  afterEach(async () => {
    await w.close();
  });

  it('does not lock the real user out when someone else burns their account’s attempts', async () => {
    w = await openApiWorld();
    for (let i = 0; i < 5; i++) {
      const r = await w.request('/api/v1/session', {
        json: { email: w.cast.x.email, password: `guess ${i}` },
        ip: '203.0.113.66',
      });
      expect(r.status).toBe(401);
    }
    const attacker = await w.request('/api/v1/session', {
      json: { email: w.cast.x.email, password: PASSWORD },
      ip: '203.0.113.66',
    });
    expect(attacker.status).toBe(429);
    const owner = await w.request('/api/v1/session', {
      json: { email: w.cast.x.email, password: PASSWORD },
      ip: '198.51.100.7',
    });
    expect(owner.status).toBe(200);
  });
});

describe('security headers', () => {
  let w: ApiWorld;
  afterEach(async () => {
    await w.close();
  });

  it('are on the front page, JSON answers and errors; HSTS only over HTTPS', async () => {
    w = await openApiWorld();
    for (const path of ['/', '/api/v1/session', '/api/v1/no-such-route', '/api/v1/stats/nope']) {
      const r = await w.request(path);
      const h = (name: string) => r.headers.get(name);
      expect(h('Content-Security-Policy'), path).toBe(
        "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
      );
      expect(h('X-Content-Type-Options'), path).toBe('nosniff');
      expect(h('X-Frame-Options'), path).toBe('DENY');
      expect(h('Referrer-Policy'), path).toBe('no-referrer');
      expect(h('Strict-Transport-Security'), path).toBeNull();
    }
    const tls = await w.request('https://koban.example/healthz');
    expect(tls.headers.get('Strict-Transport-Security')).toBe('max-age=31536000; includeSubDomains');
    // Forwarding headers from an untrusted peer do not turn HSTS on.
    const forged = await w.request('/healthz', { headers: { 'X-Forwarded-Proto': 'https' } });
    expect(forged.headers.get('Strict-Transport-Security')).toBeNull();
  });
});
