/**
 * One status per stable error code (errors.ts), checked by the compiler and here: every code of
 * core/errors.ts has one, and the handler answers each thrown error in the one shape with it.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode, KobanError } from '../core/index.js';
import { BackpressureError } from '../observe/index.js';
import { ERROR_STATUS, errorHandler } from './errors.js';

function appThrowing(err: unknown, logged: unknown[] = []) {
  const app = new Hono();
  app.onError(errorHandler({ error: (details) => logged.push(details.err) }));
  app.get('/', () => {
    throw err;
  });
  return app;
}

async function answer(err: unknown, logged: unknown[] = []) {
  const r = await appThrowing(err, logged).request('/');
  return { status: r.status, retryAfter: r.headers.get('Retry-After'), body: await r.json() };
}

describe('the error-code → status table', () => {
  it('has a status for every code core defines, and nothing else', () => {
    expect(Object.keys(ERROR_STATUS).sort()).toEqual(Object.keys(ERROR_CODES).sort());
    // A table missing a code does not compile.
    // @ts-expect-error E_INTERNAL (and the rest) are missing
    const partial: Record<ErrorCode, number> = { E_USAGE: 400 };
    expect(partial.E_USAGE).toBe(400);
  });

  it('answers each KobanError with its code, message and the status of the table', async () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      if (code === 'E_STORE') continue;
      const a = await answer(new KobanError(code, `about ${code}`));
      expect(a, code).toEqual({
        status: ERROR_STATUS[code],
        retryAfter: null,
        body: { error: { code, message: `about ${code}` } },
      });
    }
  });

  it('answers a login throttle with 429 and Retry-After', async () => {
    expect(await answer(new KobanError('E_RATE_LIMIT', 'too many', { retryAfterS: 60 }))).toEqual({
      status: 429,
      retryAfter: '60',
      body: { error: { code: 'E_RATE_LIMIT', message: 'too many' } },
    });
  });

  it('answers a limit that passes with time as 429, one of size as 413', async () => {
    expect((await answer(new KobanError('E_LIMIT', 'later', { retryAfterS: 5 }))).status).toBe(429);
    expect((await answer(new KobanError('E_LIMIT', 'too big'))).status).toBe(413);
    const busy = await answer(new KobanError('E_LOCKED', 'busy', { retryAfterS: 2 }));
    expect([busy.status, busy.retryAfter]).toEqual([503, '2']);
  });

  it('tells the caller only that a store failed, and the log the rest', async () => {
    const logged: unknown[] = [];
    const err = new KobanError('E_STORE', '/data/koban.sqlite: file is not a database; restore it');
    expect(await answer(err, logged)).toEqual({
      status: 503,
      retryAfter: null,
      body: {
        error: { code: 'E_STORE', message: 'a store of the center failed; the operator is told in its log' },
      },
    });
    expect(logged).toEqual([err]);
  });

  it('answers ingest backpressure as E_BUSY with its own status, and a bug as a bare 500', async () => {
    expect(await answer(new BackpressureError(3, 'the event store is behind', 503))).toEqual({
      status: 503,
      retryAfter: '3',
      body: { error: { code: 'E_BUSY', message: 'the event store is behind' } },
    });
    const logged: unknown[] = [];
    const bug = new TypeError('x is undefined');
    expect(await answer(bug, logged)).toEqual({
      status: 500,
      retryAfter: null,
      body: { error: { code: 'E_INTERNAL', message: 'internal error' } },
    });
    expect(logged).toEqual([bug]);
  });
});
