import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ev } from '../../test/events.js';
import { encodeEvent } from '../wire/index.js';
import { rotateOperatorToken } from './operator-token.js';
import { type RunningCenter, startCenter } from './server.js';

type ErrorBody = { error: { code: string; message: string } };

const T0 = Date.UTC(2026, 10, 23, 9);
const header = (id: string, format = 'events') => JSON.stringify({ v: 1, batch_id: id, format });
const batch = (id: string, n: number, offset = 0) =>
  gzipSync(
    [
      header(id),
      ...Array.from({ length: n }, (_, i) =>
        JSON.stringify(encodeEvent(ev({ timeMs: T0 + offset + i }), T0)),
      ),
    ].join('\n'),
  );

describe('the ingest API', () => {
  let running: RunningCenter;
  let url: string;
  let token: string;
  let revoked: string;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'koban-api-'));
    running = await startCenter({ dataDir, host: '127.0.0.1', port: 0 });
    url = running.url;
    token = (await running.center.registry.add({ name: 'fw-tokyo' })).token;
    revoked = (await running.center.registry.add({ name: 'fw-old' })).token;
    await running.center.registry.revoke('fw-old');
  });
  afterAll(async () => {
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (
    body: Uint8Array | string,
    auth: string | null = token,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${url}/api/v1/ingest`, {
      method: 'POST',
      headers: {
        ...(auth === null ? {} : { Authorization: `Bearer ${auth}` }),
        'Content-Type': 'application/x-ndjson',
        ...headers,
      },
      body,
    });
  const stored = async () => (await running.center.observatory.store.summary()).events;

  /**
   * Sends a request's headers declaring a body of `declaredBytes`, and none of the body: the
   * center must refuse it from Content-Length alone. Sending the body too, as `fetch` does, races
   * the center's close after its early 413: on a busy machine the client could still be writing
   * when the connection was reset, and `fetch` failed instead of returning the answer.
   */
  const declareBody = (declaredBytes: number) =>
    new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
      const req = httpRequest(`${url}/api/v1/ingest`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/x-ndjson',
          'Content-Length': String(declaredBytes),
        },
      });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body });
          req.destroy();
        });
      });
      req.on('error', reject);
      req.flushHeaders();
    });

  it('stores a batch once even when it is delivered twice', async () => {
    const body = batch('agent1-1', 50);
    const first = await post(body);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      batch_id: 'agent1-1',
      status: 'stored',
      stored: 50,
      rejected: 0,
    });
    const again = await post(body);
    expect(await again.json()).toMatchObject({ status: 'duplicate', stored: 0 });
    expect(await stored()).toBe(50);
  });

  it('refuses wrong, revoked and missing tokens and stores nothing', async () => {
    const before = await stored();
    for (const auth of [null, 'kbs_1_wrongwrongwrongwrongwrongwrongwrongwrongwro', revoked, 'garbage']) {
      const r = await post(batch(`t-${auth}`.replace(/[^A-Za-z0-9-]/g, ''), 5), auth);
      expect(r.status).toBe(401);
      expect(((await r.json()) as ErrorBody).error.code).toBe('E_AUTH');
    }
    expect(await stored()).toBe(before);
  });

  it('answers bad bodies with a clear 4xx and changes nothing', async () => {
    // A gzip bomb: 200 MB of zeros compresses to about 200 KB. Built before the first request:
    // compressing it blocks this process (and the center in it) for seconds on a busy machine,
    // and a keep-alive connection idle that long is closed by the center just as the next
    // request is written on it (ECONNRESET).
    const bombBody = gzipSync(Buffer.alloc(200 * 1024 * 1024));
    const before = await stored();
    const notGzip = await post(`${header('plain-1')}\n`);
    expect(notGzip.status).toBe(415);
    const lying = await post(Buffer.from('not gzip at all'), token, { 'Content-Encoding': 'gzip' });
    expect(lying.status).toBe(400);
    const brokenGzip = await post(Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from('broken')]));
    expect(brokenGzip.status).toBe(400);
    const noHeader = await post(gzipSync('[1,2,3]\n'));
    expect(noHeader.status).toBe(400);
    expect(await declareBody(17 * 1024 * 1024)).toEqual({
      status: 413,
      connection: 'close',
      body: JSON.stringify({ error: { code: 'E_LIMIT', message: 'the body is larger than 16777216 bytes' } }),
    });
    const bomb = await post(bombBody);
    expect(bomb.status).toBe(413);
    expect(await stored()).toBe(before);
    // Nothing was recorded under those batch ids either: a good batch with one of them is stored.
    const later = await post(batch('plain-1', 3, 1000));
    expect(await later.json()).toMatchObject({ status: 'stored', stored: 3 });
  });

  it('keeps the good records of a batch and reports the malformed ones', async () => {
    const body = gzipSync(
      [
        header('mixed-1'),
        JSON.stringify(encodeEvent(ev({ timeMs: T0 }), null)),
        '[1, "firewall"]',
        JSON.stringify(encodeEvent(ev({ timeMs: T0, src: '999.1.1.1' }), null)),
        JSON.stringify(encodeEvent(ev({ timeMs: T0 + 1 }), null)),
      ].join('\n'),
    );
    const r = (await (await post(body)).json()) as { rejections: unknown[] };
    expect(r).toMatchObject({ status: 'stored', records: 4, stored: 2, rejected: 2 });
    expect(r.rejections).toEqual([
      { record: 2, reason: 'event is not a 16/17-element array' },
      { record: 3, reason: 'invalid source address' },
    ]);
  });

  it('rejects events stamped more than the allowed skew ahead of the center clock, keeping the rest', async () => {
    const ahead = Date.now() + 2 * 86_400_000;
    const body = gzipSync(
      [
        header('future-1'),
        JSON.stringify(encodeEvent(ev({ timeMs: ahead }), null)),
        JSON.stringify(encodeEvent(ev({ timeMs: Date.now() + 60_000 }), null)),
      ].join('\n'),
    );
    const r = (await (await post(body)).json()) as { rejections: unknown[] };
    expect(r).toMatchObject({ status: 'stored', records: 2, stored: 1, rejected: 1 });
    expect(r.rejections).toEqual([
      { record: 1, reason: 'event time more than 600 s ahead of the center clock' },
    ]);
  });

  it('parses raw log lines sent in their own format', async () => {
    const line =
      '2026-11-23T09:00:00.000000+00:00 fw-tokyo kernel: [UFW BLOCK] IN=eth0 OUT= SRC=198.51.100.20 ' +
      'DST=203.0.113.9 LEN=44 TTL=50 ID=1 PROTO=TCP SPT=5555 DPT=139 WINDOW=1024 RES=0x00 SYN URGP=0';
    const r = await (
      await post(gzipSync(`${header('raw-1', 'iptables')}\n${JSON.stringify(line)}\n"garbage"\n`))
    ).json();
    expect(r).toMatchObject({ status: 'stored', stored: 1, rejected: 1 });
    const ports = await running.center.observatory.store.aggregate({ groupBy: ['port'], port: 139 });
    expect(ports).toEqual([{ port: 139, count: 1 }]);
  });

  it('serves the stats views, health and Prometheus metrics to the operator', async () => {
    const operator = { Authorization: `Bearer ${rotateOperatorToken(dataDir)}` };
    const total = (await (
      await fetch(`${url}/api/v1/stats/total?bucket=day`, { headers: operator })
    ).json()) as {
      view: string;
      rows: unknown[];
    };
    expect(total.view).toBe('total');
    expect(total.rows[0]).toMatchObject({ kind: 'firewall' });
    expect((await fetch(`${url}/api/v1/stats/nope`, { headers: operator })).status).toBe(400);
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${url}/healthz`, { headers: operator })).json()).toMatchObject({
      status: 'ok',
      sensors: 1,
    });
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    const metrics = await (await fetch(`${url}/metrics`, { headers: operator })).text();
    expect(metrics).toMatch(/koban_ingest_events_total \d+/);
    expect(metrics).toMatch(/koban_sensor_last_seen_timestamp_seconds\{sensor="fw-tokyo"\}/);
  });
});

describe('the center over TLS', () => {
  it('accepts a batch over HTTPS with a self-signed certificate made in the test', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koban-tls-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const running = await startCenter({
      dataDir: join(dir, 'data'),
      host: '127.0.0.1',
      port: 0,
      tlsCert: cert,
      tlsKey: key,
    });
    try {
      expect(running.url.startsWith('https://')).toBe(true);
      const { token } = await running.center.registry.add({ name: 'tls-sensor' });
      const body = batch('tls-1', 7);
      const status = await new Promise<number>((resolve, reject) => {
        const r = httpsRequest(
          `${running.url}/api/v1/ingest`,
          {
            method: 'POST',
            ca: readCert(cert),
            headers: { Authorization: `Bearer ${token}`, 'Content-Length': body.length },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        r.on('error', reject);
        r.end(body);
      });
      expect(status).toBe(200);
      expect((await running.center.observatory.store.summary()).events).toBe(7);
      // Without trusting the certificate, a client refuses the connection.
      await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
    } finally {
      await running.stop();
    }
  });
});

function readCert(path: string): Buffer {
  return readFileSync(path);
}
