// Hand-made operator alerts sent to a local HTTP server standing in for a webhook receiver; no real
// endpoints or data.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertChange, OperatorAlert } from './alerts.js';
import {
  alertDocument,
  createNotifier,
  NotifyConfigSchema,
  type NotifyResult,
  safeTarget,
  WebhookSchema,
} from './notify.js';

const T0 = Date.UTC(2025, 0, 6, 9);

const ALERT: OperatorAlert = {
  id: 42,
  kind: 'backscatter',
  dedupKey: 'backscatter:198.51.100.10:1',
  severity: 'high',
  title: 'DDoS on 198.51.100.10 (syn-flood, 443/tcp): ≥ 1,000,000 replies/s',
  status: 'open',
  firstMs: T0,
  lastMs: T0 + 60_000,
  updatedMs: T0 + 60_000,
  evidence: { detector: 'backscatter', subject: { victim: '198.51.100.10' }, packets: 1000 },
  ackedBy: null,
  ackedMs: null,
  closedBy: null,
  closedMs: null,
};

const change = (over: Partial<OperatorAlert> = {}, kind: AlertChange['change'] = 'opened'): AlertChange => ({
  alert: { ...ALERT, ...over },
  change: kind,
});

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver answering each request with the next status (the last one repeats). */
async function receiver(statuses: number[] = [200], hang = false) {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      got.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (hang) return;
      const status = statuses[Math.min(got.length - 1, statuses.length - 1)]!;
      res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, got };
}

/**
 * Healthy receivers get a timeout far longer than any local answer can take, however busy the
 * machine; the short one is for the receiver that never answers, where no answer can come in time.
 */
const NO_TIMEOUT_MS = 600_000;
const TIMEOUT = 50;

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('webhook notification', () => {
  it('POSTs the alert as JSON with its headers', async () => {
    const hook = await receiver();
    const n = createNotifier({
      webhooks: [
        {
          url: hook.url,
          allowPrivate: true,
          timeoutMs: NO_TIMEOUT_MS,
          headers: { authorization: 'Bearer t0k3n' },
        },
      ],
    });
    const results = await n.notify(change());
    n.close();
    expect(results).toEqual([{ channel: 'webhook', target: safeTarget(hook.url), ok: true, attempts: 1 }]);
    expect(hook.got).toHaveLength(1);
    const req = hook.got[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/hook');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['user-agent']).toBe('koban-notify');
    expect(req.headers.authorization).toBe('Bearer t0k3n');
    const body = JSON.parse(req.body);
    expect(body).toEqual({
      event: 'alert.opened',
      alert: {
        id: 42,
        kind: 'backscatter',
        severity: 'high',
        status: 'open',
        title: ALERT.title,
        first: new Date(T0).toISOString(),
        last: new Date(T0 + 60_000).toISOString(),
        acked_by: null,
        acked: null,
        closed_by: null,
        closed: null,
        episode: '-',
        evidence: ALERT.evidence,
      },
    });
    expect(body.alert).toEqual(alertDocument(ALERT));
  });

  it('names updates alert.updated', async () => {
    const hook = await receiver();
    const n = createNotifier({ webhooks: [{ url: hook.url, allowPrivate: true, timeoutMs: NO_TIMEOUT_MS }] });
    await n.notify(change({}, 'updated'));
    expect(JSON.parse(hook.got[0]!.body).event).toBe('alert.updated');
  });

  it('sends nothing below a webhook minimum severity', async () => {
    const hook = await receiver();
    const n = createNotifier({
      webhooks: [{ url: hook.url, allowPrivate: true, timeoutMs: NO_TIMEOUT_MS, minSeverity: 'critical' }],
    });
    expect(await n.notify(change({ severity: 'high' }))).toEqual([]);
    expect(hook.got).toEqual([]);
    expect(await n.notify(change({ severity: 'critical' }))).toHaveLength(1);
    expect(hook.got).toHaveLength(1);
    // The default minimum is 'low': info alerts are not sent.
    const m = createNotifier({ webhooks: [{ url: hook.url, allowPrivate: true, timeoutMs: NO_TIMEOUT_MS }] });
    expect(await m.notify(change({ severity: 'info' }))).toEqual([]);
  });

  it('retries on 5xx and 429, then succeeds', async () => {
    const hook = await receiver([503, 429, 204]);
    const n = createNotifier({
      webhooks: [{ url: hook.url, allowPrivate: true, timeoutMs: NO_TIMEOUT_MS, retries: 3 }],
      retryDelayMs: 1,
    });
    const [r] = await n.notify(change());
    expect(r).toEqual({ channel: 'webhook', target: safeTarget(hook.url), ok: true, attempts: 3 });
    expect(hook.got).toHaveLength(3);
    expect(new Set(hook.got.map((g) => g.body)).size).toBe(1);
  });

  it('retries a 408 (the receiver timed out waiting), as advisories do', async () => {
    const hook = await receiver([408, 204]);
    const n = createNotifier({
      webhooks: [{ url: hook.url, allowPrivate: true, retries: 3 }],
      retryDelayMs: 1,
    });
    const [r] = await n.notify(change());
    expect(r).toEqual({ channel: 'webhook', target: safeTarget(hook.url), ok: true, attempts: 2 });
    expect(hook.got).toHaveLength(2);
  });

  it('does not retry a 4xx answer, and reports the failure without throwing', async () => {
    const hook = await receiver([400]);
    const errors: NotifyResult[] = [];
    const n = createNotifier(
      {
        webhooks: [{ url: hook.url, allowPrivate: true, timeoutMs: NO_TIMEOUT_MS, retries: 5 }],
        retryDelayMs: 1,
      },
      (r) => errors.push(r),
    );
    const results = await n.notify(change());
    expect(results).toEqual([
      { channel: 'webhook', target: safeTarget(hook.url), ok: false, attempts: 1, error: 'HTTP 400' },
    ]);
    expect(errors).toEqual(results);
  });

  it('gives up after its retries', async () => {
    const hook = await receiver([500]);
    const n = createNotifier({
      webhooks: [{ url: hook.url, allowPrivate: true, timeoutMs: NO_TIMEOUT_MS, retries: 2 }],
      retryDelayMs: 1,
    });
    const [r] = await n.notify(change());
    expect(r).toMatchObject({ ok: false, attempts: 3, error: 'HTTP 500' });
    expect(hook.got).toHaveLength(3);
  });

  it('reports a timeout as such', async () => {
    const hook = await receiver([200], true);
    const n = createNotifier({
      webhooks: [{ url: hook.url, allowPrivate: true, retries: 0, timeoutMs: TIMEOUT }],
    });
    const [r] = await n.notify(change());
    expect(r).toMatchObject({ ok: false, attempts: 1, error: 'timeout' });
  });

  it('reports an unreachable receiver after retrying', async () => {
    // A port that was just free: nothing listens there.
    const hook = await receiver();
    servers.pop()!.close();
    const n = createNotifier({
      webhooks: [{ url: hook.url, allowPrivate: true, timeoutMs: NO_TIMEOUT_MS, retries: 1 }],
      retryDelayMs: 1,
    });
    const [r] = await n.notify(change());
    expect(r).toMatchObject({ channel: 'webhook', ok: false, attempts: 2 });
    expect(r!.error).toBeTruthy();
  });

  it('sends to every configured webhook', async () => {
    const a = await receiver();
    const b = await receiver([500]);
    const n = createNotifier({
      webhooks: [
        { url: a.url, allowPrivate: true, timeoutMs: NO_TIMEOUT_MS },
        { url: b.url, retries: 0, allowPrivate: true, timeoutMs: NO_TIMEOUT_MS },
      ],
      retryDelayMs: 1,
    });
    const results = await n.notify(change());
    expect(results.map((r) => [r.target, r.ok])).toEqual([
      [safeTarget(a.url), true],
      [safeTarget(b.url), false],
    ]);
  });
});

describe('notification config', () => {
  it('fills in defaults', () => {
    const c = NotifyConfigSchema.parse({ webhooks: [{ url: 'https://example.org/hook' }] });
    expect(c).toEqual({
      webhooks: [
        {
          url: 'https://example.org/hook',
          headers: {},
          timeoutMs: 5000,
          retries: 3,
          minSeverity: 'low',
          allowPrivate: false,
        },
      ],
      retryDelayMs: 500,
    });
    expect(NotifyConfigSchema.parse({})).toEqual({ webhooks: [], retryDelayMs: 500 });
    const e = NotifyConfigSchema.parse({
      email: { smtp: { host: 'smtp.example.org' }, from: 'k@example.org', to: ['soc@example.org'] },
    });
    expect(e.email).toMatchObject({
      smtp: {
        host: 'smtp.example.org',
        port: 25,
        secure: false,
        rejectUnauthorized: true,
        timeoutMs: 10_000,
      },
      minSeverity: 'medium',
      retries: 2,
      subjectPrefix: '[Koban]',
    });
  });

  it('rejects invalid configurations', () => {
    const bad: unknown[] = [
      { webhooks: [{ url: 'not a url' }] },
      { webhooks: [{ url: 'https://example.org', retries: 11 }] },
      { webhooks: [{ url: 'https://example.org', timeoutMs: 0 }] },
      { webhooks: [{ url: 'https://example.org', minSeverity: 'urgent' }] },
      { webhooks: [{ url: 'https://example.org', headers: { n: 1 } }] },
      { webhook: [{ url: 'https://example.org' }] },
      { retryDelayMs: -1 },
      { email: { smtp: { host: '' }, from: 'k@example.org', to: ['soc@example.org'] } },
      { email: { smtp: { host: 'h', port: 70000 }, from: 'k@example.org', to: ['soc@example.org'] } },
      { email: { smtp: { host: 'h' }, from: 'k@example.org', to: [] } },
    ];
    for (const c of bad) expect(NotifyConfigSchema.safeParse(c).success, JSON.stringify(c)).toBe(false);
    expect(WebhookSchema.safeParse({ url: 'https://example.org/x' }).success).toBe(true);
  });

  it('validates the config when creating a notifier', () => {
    expect(() => createNotifier({ webhooks: [{ url: 'nope' }] })).toThrow();
    expect(() => createNotifier({ extra: true } as never)).toThrow();
  });
});

describe('e-mail notification', () => {
  it('reports an unreachable SMTP server as a failed channel, without throwing', async () => {
    // A port that was just free: the connection is refused.
    const probe = await receiver();
    const port = Number(new URL(probe.url).port);
    servers.pop()!.close();
    const errors: NotifyResult[] = [];
    const n = createNotifier(
      {
        email: {
          smtp: { host: '127.0.0.1', port, timeoutMs: NO_TIMEOUT_MS },
          from: 'koban@example.org',
          to: ['soc@example.org', 'cert@example.org'],
          retries: 0,
          minSeverity: 'high',
        },
      },
      (r) => errors.push(r),
    );
    expect(await n.notify(change({ severity: 'medium' }))).toEqual([]);
    const results = await n.notify(change({ severity: 'critical' }));
    n.close();
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      channel: 'email',
      target: 'soc@example.org, cert@example.org',
      ok: false,
      attempts: 1,
    });
    expect(errors).toEqual(results);
  });
});

describe('webhook safety', () => {
  it('does not follow redirects (they would carry the headers elsewhere), and reports only the origin', async () => {
    const elsewhere = await receiver();
    const srv = createServer((_req, res) => {
      res.writeHead(307, { location: elsewhere.url });
      res.end();
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${port}/hooks/T0K3N?secret=1`;
    try {
      const n = createNotifier({
        webhooks: [
          { url, retries: 0, headers: { 'x-api-key': 'k' }, allowPrivate: true, timeoutMs: NO_TIMEOUT_MS },
        ],
      });
      const [r] = await n.notify(change());
      expect(r).toMatchObject({ ok: false, target: `http://127.0.0.1:${port}/…` });
      expect(JSON.stringify(r)).not.toContain('T0K3N');
      expect(elsewhere.got).toEqual([]);
    } finally {
      srv.close();
    }
  });
});

describe('webhook targets (the outbound guard members’ webhooks use too)', () => {
  it('refuses an internal receiver in the configuration unless allowPrivate is set', () => {
    const refused = [
      ['http://127.0.0.1:8080/hook', '127.0.0.1 is a loopback address (set allowPrivate: true to allow it)'],
      [
        'https://localhost./hook',
        'localhost is a single-label (internal) name (set allowPrivate: true to allow it)',
      ],
      [
        'https://metadata.google.internal/x',
        'metadata.google.internal is an internal name (.internal) (set allowPrivate: true to allow it)',
      ],
    ];
    for (const [url, message] of refused) {
      const r = NotifyConfigSchema.safeParse({ webhooks: [{ url }] });
      expect(r.success, url).toBe(false);
      expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
        ['webhooks.0.url', message],
      ]);
      expect(NotifyConfigSchema.safeParse({ webhooks: [{ url, allowPrivate: true }] }).success).toBe(true);
    }
  });

  it('resolves the receiver’s name at each send and refuses it, without retrying, when it points inside', async () => {
    const hook = await receiver();
    const resolved: string[] = [];
    const n = createNotifier(
      { webhooks: [{ url: 'https://soc-hooks.koban.test/in', retries: 3 }], retryDelayMs: 1 },
      undefined,
      async (host) => {
        resolved.push(host);
        return [
          { address: '203.0.114.7', family: 4 },
          { address: '127.0.0.1', family: 4 },
        ];
      },
    );
    const [r] = await n.notify(change());
    expect(r).toEqual({
      channel: 'webhook',
      target: 'https://soc-hooks.koban.test/…',
      ok: false,
      attempts: 1,
      error: 'soc-hooks.koban.test: 127.0.0.1 is a loopback address; refused',
    });
    expect(resolved).toEqual(['soc-hooks.koban.test']);
    expect(hook.got).toEqual([]);
  });

  it('connects an allowed internal receiver to the address it resolved, with the name as Host', async () => {
    const hook = await receiver();
    const port = new URL(hook.url).port;
    const n = createNotifier(
      {
        webhooks: [
          { url: `http://soc-hooks.koban.test:${port}/hook`, allowPrivate: true, timeoutMs: NO_TIMEOUT_MS },
        ],
      },
      undefined,
      async () => [{ address: '127.0.0.1', family: 4 }],
    );
    const [r] = await n.notify(change());
    expect(r).toMatchObject({ ok: true, attempts: 1 });
    expect(hook.got.map((g) => g.headers.host)).toEqual([`soc-hooks.koban.test:${port}`]);
  });
});

describe('e-mail delivery', () => {
  it('mails the alert through the configured SMTP server, subject and body naming it', async () => {
    const got: { rcpt: string[]; data: string }[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        let data = '';
        stream.on('data', (c: Buffer) => {
          data += c.toString();
        });
        stream.on('end', () => {
          got.push({ rcpt: session.envelope.rcptTo.map((r) => r.address), data });
          callback();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    const port = (smtp.server.address() as AddressInfo).port;
    try {
      const n = createNotifier({
        email: {
          smtp: { host: '127.0.0.1', port, timeoutMs: NO_TIMEOUT_MS },
          from: 'koban@example.org',
          to: ['soc@example.org'],
        },
      });
      const [r] = await n.notify(
        change({ severity: 'high', title: 'DDoS on 192.0.2.80 (syn-flood, 80/tcp)' }),
      );
      n.close();
      expect(r).toMatchObject({ channel: 'email', ok: true, attempts: 1 });
      expect(got).toHaveLength(1);
      expect(got[0]!.rcpt).toEqual(['soc@example.org']);
      expect(got[0]!.data).toMatch(/^Subject: \[Koban\] HIGH .*DDoS on 192\.0\.2\.80/m);
    } finally {
      await new Promise<void>((r) => smtp.close(() => r()));
    }
  });
});
