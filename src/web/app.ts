/**
 * The center's HTTP API (Hono). Routes only translate HTTP to calls on the contexts and back;
 * the one error shape is `{ "error": { "code", "message" } }`.
 */
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
import {
  BackpressureError,
  DEFAULT_INGEST_LIMITS,
  isViewName,
  MAX_DROPPED_TOTAL,
  runView,
  VIEW_NAMES,
} from '../observe/index.js';
import type { Center } from './center.js';
import { renderHome } from './home.js';
import { IngestRate } from './ingest-rate.js';
import { API_INFO, mountIntelApi } from './intel/mount.js';
import { mountOpenApi } from './openapi.js';

/** Default largest compressed ingest body, and what it may inflate to (`ingest` in koban.json). */
export const MAX_BODY_BYTES = DEFAULT_INGEST_LIMITS.maxBodyBytes;
export const MAX_INFLATED_BYTES = DEFAULT_INGEST_LIMITS.maxInflatedBytes;

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
      return c.json(errorBody('E_BUSY', err.message), err.httpStatus);
    }
    if (isKobanError(err)) return c.json(errorBody(err.code, err.message), STATUS[err.code] ?? 500);
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

  const limits = center.ingest.limits;
  const ingestRate = new IngestRate(limits, center.apiOptions.now ?? Date.now);
  app.post(
    '/api/v1/ingest',
    bodyLimit({
      maxSize: limits.maxBodyBytes,
      onError: (c) => {
        // The rest of the body is never read: the connection cannot carry another request.
        c.header('Connection', 'close');
        return c.json(errorBody('E_LIMIT', `body larger than ${limits.maxBodyBytes} bytes`), 413);
      },
    }),
    async (c) => {
      if (center.draining) return c.json(errorBody('E_LIMIT', 'the center is shutting down'), 503);
      const auth = c.req.header('Authorization') ?? '';
      const token = auth.startsWith('Bearer ') ? auth.slice(7).trim() : '';
      if (token === '') return c.json(errorBody('E_AUTH', 'missing bearer token'), 401);
      const sensor = await center.registry.authenticate(token);
      if (!sensor) return c.json(errorBody('E_AUTH', 'invalid or revoked sensor token'), 401);
      ingestRate.charge(sensor.id);
      const droppedHeader = c.req.header('X-Koban-Dropped-Total');
      const dropped = droppedHeader === undefined ? undefined : Number(droppedHeader);
      if (dropped !== undefined && !(/^\d{1,16}$/.test(droppedHeader!) && dropped <= MAX_DROPPED_TOTAL)) {
        throw new KobanError(
          'E_FORMAT',
          `X-Koban-Dropped-Total must be an integer from 0 to ${MAX_DROPPED_TOTAL}`,
        );
      }
      const raw = new Uint8Array(await c.req.arrayBuffer());
      if (!(raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b)) {
        if ((c.req.header('Content-Encoding') ?? '').toLowerCase().includes('gzip'))
          return c.json(errorBody('E_FORMAT', 'Content-Encoding says gzip but the body is not gzip'), 400);
        return c.json(errorBody('E_FORMAT', 'the body must be gzip-compressed NDJSON'), 415);
      }
      // Inflated and decoded as it streams, never whole (observe/ndjson-stream.ts).
      const result = await center.ingest.submitGzip(sensor, raw, { droppedTotal: dropped });
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
