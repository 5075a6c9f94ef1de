/**
 * `POST /api/v1/ingest` through the web context alone (no socket): the sensor's token, the gzip
 * body by its magic bytes, and the draining center's refusal. The full path over a real server
 * is center/ingest-api.test.ts.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, type ErrorBody, openApiWorld } from '../../test/api-world.js';

let w: ApiWorld;
let token: string;
beforeAll(async () => {
  w = await openApiWorld();
  token = (await w.center.registry.add({ name: 'fw-a' })).token;
});
afterAll(async () => {
  await w.close();
});

const batch = (id: string) => gzipSync(`${JSON.stringify({ v: 1, batch_id: id, format: 'events' })}\n`);

describe('the ingest route', () => {
  it('takes a gzip batch without a Content-Type, by its magic bytes', async () => {
    const r = await w.request('/api/v1/ingest', { token, body: batch('no-type-1') });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      batch_id: 'no-type-1',
      status: 'stored',
      records: 0,
      stored: 0,
      rejected: 0,
      rejections: [],
    });
  });

  it('refuses batches with 503 E_LOCKED once the center is shutting down', async () => {
    w.center.draining = true;
    try {
      const r = await w.request('/api/v1/ingest', { token, body: batch('late-1') });
      expect(r.status).toBe(503);
      expect(((await r.json()) as ErrorBody).error).toEqual({
        code: 'E_LOCKED',
        message: 'the center is shutting down',
      });
    } finally {
      w.center.draining = false;
    }
  });

  it('does not take a member’s API token for a sensor’s', async () => {
    const r = await w.request('/api/v1/ingest', { token: w.cast.admin.token, body: batch('member-1') });
    expect(r.status).toBe(401);
    expect(((await r.json()) as ErrorBody).error).toEqual({
      code: 'E_AUTH',
      message: 'invalid or revoked sensor token',
    });
  });
});
