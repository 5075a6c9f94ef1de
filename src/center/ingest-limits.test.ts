// Limits of POST /api/v1/ingest against one sensor token's worst: compression bombs, request
// floods, absurd counters, reused batch ids. Bodies are built here (hand-built events, blanks).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ev } from '../../test/events.js';
import { DEFAULT_INGEST_LIMITS } from '../observe/index.js';
import { encodeEvent } from '../wire/index.js';
import { type RunningCenter, startCenter } from './server.js';

type ErrorBody = { error: { code: string; message: string } };

const T0 = Date.UTC(2026, 10, 23, 9);
const batch = (id: string, n: number, offset = 0) =>
  gzipSync(
    [
      JSON.stringify({ v: 1, batch_id: id, format: 'events' }),
      ...Array.from({ length: n }, (_, i) =>
        JSON.stringify(encodeEvent(ev({ timeMs: T0 + offset + i }), T0)),
      ),
    ].join('\n'),
  );

describe('ingest limits', () => {
  let running: RunningCenter;
  let dataDir: string;
  let clock = T0;
  const tokens: string[] = [];
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'koban-ingest-limits-'));
    running = await startCenter({
      dataDir,
      host: '127.0.0.1',
      port: 0,
      detect: false,
      // Two requests in a burst, then one every two seconds of the injected clock.
      ingestLimits: { ...DEFAULT_INGEST_LIMITS, requestBurst: 2, requestsPerSecond: 0.5 },
      api: { now: () => clock },
    });
    for (const name of ['b1', 'b2', 'b3', 'b4', 'rated', 'other', 'counted', 'reused'])
      tokens.push((await running.center.registry.add({ name })).token);
  });
  afterAll(async () => {
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const post = (token: string, body: Uint8Array, headers: Record<string, string> = {}) =>
    fetch(`${running.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Encoding': 'gzip', ...headers },
      body,
    });

  it('refuses four whitespace bombs sent at once with 413, and answers /healthz meanwhile', async () => {
    // A valid header, then 127 MiB of blanks and newlines, in about 130 KB: what froze the center.
    const head = Buffer.from(`${JSON.stringify({ v: 1, batch_id: 'bomb', format: 'events' })}\n`);
    const bomb = gzipSync(Buffer.concat([head, Buffer.alloc(127 * 1024 * 1024, ' \n\t ')]), { level: 9 });
    expect(bomb.length).toBeLessThan(200 * 1024);
    let inFlight = true;
    const probes: number[] = [];
    const probe = async () => {
      while (inFlight) probes.push((await fetch(`${running.url}/healthz`)).status);
    };
    const bombs = Promise.all(
      tokens.slice(0, 4).map(async (t) => {
        const r = await post(t, bomb);
        return { status: r.status, body: (await r.json()) as ErrorBody };
      }),
    ).finally(() => {
      inFlight = false;
    });
    const [answers] = await Promise.all([bombs, probe()]);
    for (const a of answers) {
      expect(a.status).toBe(413);
      expect(a.body.error).toEqual({
        code: 'E_LIMIT',
        message: 'body inflates more than 100 times its size (a compression bomb?)',
      });
    }
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.every((s) => s === 200)).toBe(true);
    expect((await running.center.observatory.store.summary()).events).toBe(0);
  });

  it('answers 429 with Retry-After once a token is past its request rate, until its bucket refills', async () => {
    const [rated, other] = [tokens[4]!, tokens[5]!];
    expect((await post(rated, batch('r-1', 1))).status).toBe(200);
    expect((await post(rated, batch('r-2', 1))).status).toBe(200);
    const refused = await post(rated, batch('r-3', 1));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Retry-After')).toBe('2');
    expect(((await refused.json()) as ErrorBody).error).toEqual({
      code: 'E_BUSY',
      message: 'too many requests from this sensor; retry in 2 s',
    });
    // Another sensor has its own bucket.
    expect((await post(other, batch('o-1', 1))).status).toBe(200);
    clock += 2000;
    expect((await post(rated, batch('r-3', 1))).status).toBe(200);
  });

  it('refuses an X-Koban-Dropped-Total that is not an exact count with 400', async () => {
    const counted = tokens[6]!;
    for (const value of ['1e300', '9007199254740992', '99999999999999999', '-1', '1.5']) {
      clock += 10_000;
      const r = await post(counted, batch(`c-${value}`, 1), { 'X-Koban-Dropped-Total': value });
      expect(r.status).toBe(400);
      expect(((await r.json()) as ErrorBody).error.message).toBe(
        'X-Koban-Dropped-Total must be an integer from 0 to 9007199254740991',
      );
    }
    clock += 10_000;
    const ok = await post(counted, batch('c-ok', 1), { 'X-Koban-Dropped-Total': '9007199254740991' });
    expect(ok.status).toBe(200);
    expect((await running.center.registry.get('counted'))?.droppedTotal).toBe(9007199254740991);
  });

  it('answers 409 to a batch id reused with other content, and "duplicate" to a true redelivery', async () => {
    const reused = tokens[7]!;
    clock += 10_000;
    expect((await post(reused, batch('same-id', 2))).status).toBe(200);
    clock += 10_000;
    const other = await post(reused, batch('same-id', 2, 500));
    expect(other.status).toBe(409);
    expect(((await other.json()) as ErrorBody).error).toEqual({
      code: 'E_CONFLICT',
      message: 'batch same-id was stored before with other content: a batch id may not be reused',
    });
    clock += 10_000;
    expect(await (await post(reused, batch('same-id', 2))).json()).toMatchObject({ status: 'duplicate' });
  });
});
