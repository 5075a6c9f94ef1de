/**
 * The center's HTTP API (Hono). Routes only translate HTTP to calls on the contexts and back;
 * the one error shape is `{ "error": { "code", "message" } }`.
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  type Bucket,
  type EventKind,
  isBucket,
  isKobanError,
  KobanError,
  parseDateArg,
  parseUtcOffset,
} from '../core/index.js';
import { type AlertStatus, alertDocument } from '../detect/index.js';
import { BackpressureError, isViewName, runView, VIEW_NAMES } from '../observe/index.js';
import type { Center } from './center.js';
import { renderHome } from './home.js';
import { API_INFO, mountIntelApi } from './intel/mount.js';
import { mountOpenApi } from './openapi.js';

const gunzipAsync = promisify(gunzip);

/** Largest compressed ingest body, and what it may inflate to (a gzip bomb stops there). */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
export const MAX_INFLATED_BYTES = 128 * 1024 * 1024;

const STATUS: Record<string, ContentfulStatusCode> = {
  E_USAGE: 400,
  E_FORMAT: 400,
  E_AUTH: 401,
  E_FORBIDDEN: 403,
  E_NOT_FOUND: 404,
  E_CONFLICT: 409,
  E_LIMIT: 413,
  E_LOCKED: 503,
};

export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

export function buildApp(center: Center): Hono {
  const app = new Hono();

  app.onError((err, c) => {
    if (err instanceof BackpressureError) {
      c.header('Retry-After', String(err.retryAfterS));
      return c.json(errorBody('E_BUSY', err.message), 429);
    }
    if (isKobanError(err)) {
      // A refusal that may pass later says when (a rate limit: 429; a busy center: 503).
      if (err.retryAfterS === undefined)
        return c.json(errorBody(err.code, err.message), STATUS[err.code] ?? 500);
      c.header('Retry-After', String(err.retryAfterS));
      return c.json(
        errorBody(err.code, err.message),
        err.code === 'E_LIMIT' ? 429 : (STATUS[err.code] ?? 503),
      );
    }
    center.log.error({ err }, 'request failed');
    return c.json(errorBody('E_INTERNAL', 'internal error'), 500);
  });
  app.notFound((c) => c.json(errorBody('E_NOT_FOUND', `no route ${c.req.method} ${c.req.path}`), 404));

  app.get('/healthz', async (c) => {
    const s = await center.observatory.store.summary();
    return c.json({ status: center.draining ? 'draining' : 'ok', events: s.events, sensors: s.sensors });
  });

  app.get('/metrics', async (c) => {
    c.header('Content-Type', center.metrics.contentType);
    return c.body(await center.metrics.render());
  });

  app.post(
    '/api/v1/ingest',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json(errorBody('E_LIMIT', `body larger than ${MAX_BODY_BYTES} bytes`), 413),
    }),
    async (c) => {
      if (center.draining) return c.json(errorBody('E_LIMIT', 'the center is shutting down'), 503);
      const auth = c.req.header('Authorization') ?? '';
      const token = auth.startsWith('Bearer ') ? auth.slice(7).trim() : '';
      if (token === '') return c.json(errorBody('E_AUTH', 'missing bearer token'), 401);
      const sensor = await center.registry.authenticate(token);
      if (!sensor) return c.json(errorBody('E_AUTH', 'invalid or revoked sensor token'), 401);
      const raw = Buffer.from(await c.req.arrayBuffer());
      let body: Buffer;
      if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
        try {
          body = await gunzipAsync(raw, { maxOutputLength: MAX_INFLATED_BYTES });
        } catch (e) {
          const tooBig =
            (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError;
          if (tooBig)
            return c.json(errorBody('E_LIMIT', `body inflates past ${MAX_INFLATED_BYTES} bytes`), 413);
          return c.json(errorBody('E_FORMAT', 'body is not valid gzip'), 400);
        }
      } else if ((c.req.header('Content-Encoding') ?? '').toLowerCase().includes('gzip')) {
        return c.json(errorBody('E_FORMAT', 'Content-Encoding says gzip but the body is not gzip'), 400);
      } else {
        return c.json(errorBody('E_FORMAT', 'the body must be gzip-compressed NDJSON'), 415);
      }
      const text = body.toString('utf8');
      const droppedHeader = c.req.header('X-Koban-Dropped-Total');
      const dropped =
        droppedHeader !== undefined && /^\d{1,15}$/.test(droppedHeader) ? Number(droppedHeader) : undefined;
      const result = await center.ingest.submit(sensor, text, { droppedTotal: dropped });
      return c.json({
        batch_id: result.batchId,
        status: result.status,
        records: result.records,
        stored: result.events,
        rejected: result.rejected,
        rejections: result.rejections,
      });
    },
  );

  app.get('/api/v1/stats/:view', async (c) => {
    const view = c.req.param('view');
    if (!isViewName(view)) {
      throw new KobanError('E_NOT_FOUND', `unknown view "${view}" (${VIEW_NAMES.join(', ')})`);
    }
    const q = c.req.query();
    const offset = parseUtcOffset(q.tz ?? center.observatory.config.utcOffset);
    if (q.bucket !== undefined && !isBucket(q.bucket))
      throw new KobanError('E_USAGE', 'bucket must be hour, day, week or month');
    const proto = q.proto ?? 'tcp';
    if (proto !== 'tcp' && proto !== 'udp') throw new KobanError('E_USAGE', 'proto must be tcp or udp');
    let port: { port: number; proto: 'tcp' | 'udp' } | undefined;
    if (q.port) {
      const m = /^(\d{1,5})\/(tcp|udp)$/.exec(q.port);
      if (!m || Number(m[1]) > 65535) throw new KobanError('E_USAGE', 'port must look like 139/tcp');
      port = { port: Number(m[1]), proto: m[2] as 'tcp' | 'udp' };
    }
    const result = await runView(center.observatory.store, view, {
      fromMs: q.from ? parseDateArg(q.from, offset) : undefined,
      toMs: q.to ? parseDateArg(q.to, offset) : undefined,
      bucket: q.bucket as Bucket | undefined,
      utcOffsetMinutes: offset,
      domesticCountry: (q.domestic ?? center.observatory.config.domesticCountry).toUpperCase(),
      kinds: q.kind ? (q.kind.split(',') as EventKind[]) : undefined,
      proto,
      port,
      top: q.top !== undefined && /^\d+$/.test(q.top) ? Number(q.top) : undefined,
      sensor: q.sensor,
    });
    return c.json(result);
  });

  // With the operator token this path lists detection alerts (sensor health, detectors); any
  // other caller falls through to the alerts to members (web/intel/alerts.ts).
  app.get('/api/v1/alerts', async (c, next) => {
    if (!(c.req.header('Authorization') ?? '').startsWith('Bearer kbo_')) return next();
    center.requireOperator(c.req.header('Authorization'));
    const status = c.req.query('status');
    const list = await center.alerts.list({
      status: status ? (status.split(',') as AlertStatus[]) : undefined,
      kind: c.req.query('kind'),
    });
    return c.json({ alerts: list.map(alertDocument) });
  });

  app.get('/', async (c) => c.html(await renderHome(center)));

  const intelApi = mountIntelApi(app, center.intel, center.apiOptions);
  mountOpenApi(app, intelApi.registry, API_INFO);

  return app;
}
