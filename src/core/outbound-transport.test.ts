// The outbound transport against local servers: a webhook receiver answering the status each test
// chooses and a real SMTP server (smtp-server) on loopback that accepts or refuses with the reply a
// test chooses.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { postWebhook, smtpTransport, TransportError, transientHttpStatus } from './outbound-transport.js';

const servers: { close(cb: () => void): void }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function receiver(status: number): Promise<{ url: string; bodies: string[] }> {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(status, status === 302 ? { location: 'http://elsewhere.example/' } : {}).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
}

const local = { allowHttp: true, allowPrivate: true };
/**
 * The servers here are local and answer at once: a timeout far longer than any answer can take,
 * however busy the machine, so that no test's outcome depends on its speed.
 */
const AMPLE_MS = 600_000;

/** What a send threw, as plain data. */
async function failure(p: Promise<void>): Promise<{ message: string; permanent: boolean; failure: string }> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TransportError);
    const t = e as TransportError;
    return { message: t.message, permanent: t.permanent, failure: t.failure };
  }
  throw new Error('the send succeeded');
}

describe('webhook posts', () => {
  it('resolves on 2xx, having sent the body', async () => {
    const r = await receiver(204);
    await postWebhook({ url: r.url, headers: {}, body: '{"a":1}', timeoutMs: AMPLE_MS, policy: local });
    expect(r.bodies).toEqual(['{"a":1}']);
  });

  it('calls 408, 429 and 5xx transient, other statuses (a redirect too) permanent', async () => {
    const got: [number, { message: string; permanent: boolean; failure: string }][] = [];
    for (const status of [302, 400, 408, 410, 429, 503]) {
      const r = await receiver(status);
      got.push([
        status,
        await failure(
          postWebhook({ url: r.url, headers: {}, body: '{}', timeoutMs: AMPLE_MS, policy: local }),
        ),
      ]);
    }
    expect(got).toEqual([
      [302, { message: 'HTTP 302', permanent: true, failure: 'http' }],
      [400, { message: 'HTTP 400', permanent: true, failure: 'http' }],
      [408, { message: 'HTTP 408', permanent: false, failure: 'http' }],
      [410, { message: 'HTTP 410', permanent: true, failure: 'http' }],
      [429, { message: 'HTTP 429', permanent: false, failure: 'http' }],
      [503, { message: 'HTTP 503', permanent: false, failure: 'http' }],
    ]);
    expect([200, 404, 408, 429, 500, 599].map(transientHttpStatus)).toEqual([
      false,
      false,
      true,
      true,
      true,
      true,
    ]);
  });

  it('calls a target the guard refuses permanent, and sends nothing', async () => {
    const r = await receiver(200);
    expect(
      await failure(
        postWebhook({
          url: r.url,
          headers: {},
          body: '{}',
          timeoutMs: AMPLE_MS,
          policy: { allowHttp: true },
        }),
      ),
    ).toEqual({
      message: '127.0.0.1 is a loopback address',
      permanent: true,
      failure: 'refused',
    });
    expect(r.bodies).toEqual([]);
  });

  it('calls a name that does not resolve a transient network failure', async () => {
    const resolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    expect(
      await failure(
        postWebhook({
          url: 'https://gone.koban.test/x',
          headers: {},
          body: '{}',
          timeoutMs: AMPLE_MS,
          policy: {},
          resolver,
        }),
      ),
    ).toEqual({
      message: 'gone.koban.test does not resolve (ENOTFOUND)',
      permanent: false,
      failure: 'network',
    });
  });
});

async function smtpServer(reply: null | { code: number; message: string }) {
  const got: { from: string; rcpt: string[]; data: string }[] = [];
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
        if (reply) return callback(Object.assign(new Error(reply.message), { responseCode: reply.code }));
        got.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcpt: session.envelope.rcptTo.map((r) => r.address),
          data,
        });
        callback();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  servers.push(smtp);
  return { port: (smtp.server.address() as AddressInfo).port, got };
}

const settings = (port: number) => ({
  host: '127.0.0.1',
  port,
  secure: false,
  rejectUnauthorized: true,
  timeoutMs: AMPLE_MS,
});

describe('e-mail', () => {
  it('sends the message with its headers to every recipient', async () => {
    const s = await smtpServer(null);
    const t = smtpTransport(settings(s.port));
    await t.send({
      from: 'koban@center.example',
      to: ['soc@center.example', 'noc@center.example'],
      subject: 'Test alert',
      text: 'body line',
      headers: { 'X-Koban-Event': 'alert.opened' },
    });
    t.close();
    expect(s.got.map((g) => [g.from, g.rcpt])).toEqual([
      ['koban@center.example', ['soc@center.example', 'noc@center.example']],
    ]);
    expect(s.got[0]!.data).toMatch(/^Subject: Test alert\r?$/m);
    expect(s.got[0]!.data).toMatch(/^X-Koban-Event: alert\.opened\r?$/m);
  });

  it('calls a 5xx reply permanent and a 4xx reply transient (RFC 5321 §4.2.1)', async () => {
    const permanent = await smtpServer({ code: 550, message: 'mailbox unavailable' });
    const transient = await smtpServer({ code: 451, message: 'try again later' });
    const mail = { from: 'koban@center.example', to: 'soc@center.example', subject: 's', text: 't' };
    const a = smtpTransport(settings(permanent.port));
    const b = smtpTransport(settings(transient.port));
    const [fa, fb] = [await failure(a.send(mail)), await failure(b.send(mail))];
    a.close();
    b.close();
    expect(fa).toMatchObject({ permanent: true, failure: 'smtp' });
    expect(fa.message).toMatch(/mailbox unavailable/);
    expect(fb).toMatchObject({ permanent: false, failure: 'smtp' });
    expect(fb.message).toMatch(/try again later/);
  });

  it('refuses to send once closed', async () => {
    const t = smtpTransport(settings(1));
    t.close();
    expect(
      await failure(t.send({ from: 'a@b.example', to: 'c@d.example', subject: 's', text: 't' })),
    ).toEqual({
      message: 'the SMTP transport is closed',
      permanent: true,
      failure: 'smtp',
    });
  });
});
