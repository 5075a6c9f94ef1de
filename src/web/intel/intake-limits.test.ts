/**
 * The intake limits over HTTP, configured in the data directory's `koban.json` (`intake`): an
 * organisation past its submission rate gets 429 with Retry-After (before its upload is read),
 * one past its evidence quota 413, and a center whose parsers are all busy 503 with Retry-After.
 * The clock is the test's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type ApiWorld, type ErrorBody, intelFixture, openApiWorld } from '../../../test/api-world.js';
import { KobanError } from '../../core/index.js';

let w: ApiWorld | null = null;
afterEach(async () => {
  await w?.close();
  w = null;
});

const c2 = (value: string) => ({ report: { kind: 'c2', destinations: [{ value, port: 443 }] } });

describe('per-organisation intake limits over HTTP', () => {
  it('answers 429 with Retry-After past the rate, per organisation, until the bucket refills', async () => {
    w = await openApiWorld(
      { maxEmailBytes: 64 },
      { config: { intake: { orgSubmissionBurst: 1, orgSubmissionsPerHour: 1 } } },
    );
    const { x, y } = w.cast;
    expect((await w.request('/api/v1/reports', { token: x.token, json: c2('27.254.40.5') })).status).toBe(
      201,
    );
    const refused = await w.request('/api/v1/reports', { token: x.token, json: c2('74.208.142.31') });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Retry-After')).toBe('3600');
    expect((await refused.json()) as ErrorBody).toEqual({
      error: {
        code: 'E_LIMIT',
        message: `organisation ${x.orgId} submitted more than 1 reports at once (then 1 an hour); try again in 3600 s`,
      },
    });
    // Checked before the body is read: an upload past the size limit is refused for the rate, not its size.
    const big = await w.request('/api/v1/reports', {
      token: x.token,
      body: intelFixture('x-lure-p1.eml'),
      type: 'message/rfc822',
    });
    expect(big.status).toBe(429);
    expect((await w.request('/api/v1/reports', { token: y.token, json: c2('27.254.40.5') })).status).toBe(
      201,
    );
    w.clock.ms += 3_600_000;
    expect((await w.request('/api/v1/reports', { token: x.token, json: c2('74.208.142.31') })).status).toBe(
      201,
    );
  });

  it('answers 413 once the organisation’s reported files would pass its evidence quota', async () => {
    w = await openApiWorld({}, { config: { intake: { orgEvidenceQuotaMb: 1 } } });
    const { x } = w.cast;
    // A message of 1 MiB and a little more: its declared length alone is refused.
    const head = 'From: a@b.example\r\nTo: c@x-sangyo.example\r\nSubject: big\r\n\r\n';
    const body = Buffer.from(head + 'word '.repeat(210_000));
    const r = await w.request('/api/v1/reports', {
      token: x.token,
      body,
      type: 'message/rfc822',
      headers: { 'Content-Length': String(body.length) },
    });
    expect(r.status).toBe(413);
    expect((await r.json()) as ErrorBody).toEqual({
      error: {
        code: 'E_LIMIT',
        message: `organisation ${x.orgId} keeps 0 bytes of reported files; 1.0 MiB more would pass its quota of 1.0 MiB (ask the center to raise it)`,
      },
    });
    const ok = await w.request('/api/v1/reports', {
      token: x.token,
      body: intelFixture('x-lure-p1.eml'),
      type: 'message/rfc822',
    });
    expect(ok.status).toBe(201);
  });

  it('answers 503 with Retry-After when the e-mail parsers can take no more', async () => {
    w = await openApiWorld(
      {},
      {
        intel: {
          prepare: () =>
            Promise.reject(
              new KobanError(
                'E_LOCKED',
                'the e-mail parsers are busy (16 message(s) waiting); try again in 5 s',
                {
                  retryAfterS: 5,
                },
              ),
            ),
        },
      },
    );
    const r = await w.request('/api/v1/reports', {
      token: w.cast.x.token,
      body: intelFixture('x-lure-p1.eml'),
      type: 'message/rfc822',
    });
    expect(r.status).toBe(503);
    expect(r.headers.get('Retry-After')).toBe('5');
    expect(((await r.json()) as ErrorBody).error.code).toBe('E_LOCKED');
  });
});
