/**
 * The center's HTTP API (Hono). Routes only translate HTTP to calls on the contexts and back;
 * the one error shape is `{ "error": { "code", "message" } }`.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isKobanError, KobanError, parseBearer, tokenKind } from '../core/index.js';
import { type AlertStatus, alertDocument } from '../detect/index.js';
import { BackpressureError, DEFAULT_INGEST_LIMITS, MAX_DROPPED_TOTAL } from '../observe/index.js';
import type { Center } from './center.js';
import { registerCenterDocs } from './center-docs.js';
import { HOME_CSS, HOME_CSS_PATH, renderHome } from './home.js';
import { IngestRate } from './ingest-rate.js';
import { API_INFO, mountIntelApi } from './intel/mount.js';
import { observerAccess, requireObserver } from './observer-access.js';
import { mountOpenApi } from './openapi.js';
import { securityHeaders } from './security-headers.js';
import { mountStatsRoute } from './stats-route.js';

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
  app.use(securityHeaders(center.apiOptions));
  const observer = {
    auth: center.intel.auth,
    requireOperator: (h: string | undefined) => center.requireOperator(h),
  };

  app.onError((err, c) => {
    if (err instanceof BackpressureError) {
      c.header('Retry-After', String(err.retryAfterS));
      return c.json(errorBody('E_BUSY', err.message), err.httpStatus);
    }
    if (isKobanError(err) && err.code === 'E_STORE') {
      // The message names the file and what the operator must do: for the log, not for any caller.
      center.log.error({ err }, 'store failure');
      return c.json(
        errorBody('E_STORE', 'a store of the center failed; the operator is told in its log'),
        503,
      );
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
    const stores = await center.storeHealth();
    const broken = stores.some((s) => !s.ok);
    const status = broken ? 'error' : center.draining ? 'draining' : 'ok';
    // Live counts would show a prober whether a marker packet reached a sensor (observer-access.ts);
    // a load balancer still learns that the node is unwell.
    if ((await observerAccess(c, observer)) !== 'full') return c.json({ status }, broken ? 503 : 200);
    if (broken) return c.json({ status, stores }, 503);
    const s = await center.observatory.store.summary();
    return c.json({ status, events: s.events, sensors: s.sensors, stores });
  });

  app.get('/metrics', async (c) => {
    await requireObserver(c, observer);
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
      const token = parseBearer(c.req.header('Authorization'));
      if (token === null) return c.json(errorBody('E_AUTH', 'missing bearer token'), 401);
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

  // With the operator token this path lists detection alerts (sensor health, detectors); any
  // other caller falls through to the alerts to members (web/intel/alerts.ts).
  app.get('/api/v1/alerts', async (c, next) => {
    if (tokenKind(parseBearer(c.req.header('Authorization')) ?? '') !== 'operator') return next();
    center.requireOperator(c.req.header('Authorization'));
    const status = c.req.query('status');
    const list = await center.alerts.list({
      status: status ? (status.split(',') as AlertStatus[]) : undefined,
      kind: c.req.query('kind'),
    });
    return c.json({ alerts: list.map(alertDocument) });
  });

  app.get('/', async (c) => c.html(await renderHome(center, await observerAccess(c, observer))));
  app.get(HOME_CSS_PATH, (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8');
    c.header('Cache-Control', 'max-age=3600');
    return c.body(HOME_CSS);
  });

  const intelApi = mountIntelApi(app, center.intel, {
    ...center.apiOptions,
    requireOperator: observer.requireOperator,
  });
  mountStatsRoute(intelApi.routes, {
    store: center.observatory.store,
    config: center.observatory.config,
    now: center.apiOptions.now ?? Date.now,
    publicStats: () => center.publicStats,
  });
  registerCenterDocs(intelApi.registry, {
    maxBodyBytes: MAX_BODY_BYTES,
    maxInflatedBytes: MAX_INFLATED_BYTES,
  });
  mountOpenApi(app, intelApi.registry, API_INFO);

  return app;
}
