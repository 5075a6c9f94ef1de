import { gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { errorHandler } from '../../errors.js';
import { gzipBody } from './index.js';

function app(maxBytes: number) {
  const a = new Hono();
  a.onError(errorHandler({ error: () => undefined }));
  a.post('/', gzipBody({ maxBytes, content: 'gzip-compressed NDJSON' }), (c) =>
    c.json({ bytes: c.var.gzipBody.length }),
  );
  return a;
}

const post = (a: Hono, body: Uint8Array | string, headers: Record<string, string> = {}) =>
  a.request('/', { method: 'POST', body, headers });

describe('the gzip body middleware', () => {
  const gz = gzipSync('{"v":1}\n');

  it('hands on a gzip body by its magic bytes, whatever the headers say', async () => {
    const variants: Record<string, string>[] = [
      {},
      { 'Content-Type': 'text/plain' },
      { 'Content-Encoding': 'gzip' },
    ];
    for (const headers of variants) {
      const r = await post(app(1024), gz, headers);
      expect(await r.json()).toEqual({ bytes: gz.length });
    }
  });

  it('refuses a body that is not gzip: 415, or 400 when Content-Encoding claims it is', async () => {
    const plain = await post(app(1024), '{"v":1}\n');
    expect(plain.status).toBe(415);
    expect(await plain.json()).toEqual({
      error: { code: 'E_FORMAT', message: 'the body must be gzip-compressed NDJSON' },
    });
    const lying = await post(app(1024), 'not gzip', { 'Content-Encoding': 'gzip' });
    expect(lying.status).toBe(400);
    expect(await lying.json()).toEqual({
      error: { code: 'E_FORMAT', message: 'Content-Encoding says gzip but the body is not gzip' },
    });
  });

  it('refuses a body over the limit with 413 and closes the connection, declared or streamed', async () => {
    const big = gzipSync(Buffer.alloc(4096, 7), { level: 0 });
    const declared = await post(app(1024), big, { 'Content-Length': String(big.length) });
    expect(declared.status).toBe(413);
    expect(declared.headers.get('Connection')).toBe('close');
    expect(await declared.json()).toEqual({
      error: { code: 'E_LIMIT', message: 'the body is larger than 1024 bytes' },
    });
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(big.subarray(0, 2048));
        c.enqueue(big.subarray(2048));
        c.close();
      },
    });
    const streamed = await app(1024).request('/', {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });
});
