/**
 * The center's operational routes beside the API: `GET /healthz` (for load balancers; the live
 * counts only for the operator and `observations:read`) and `GET /metrics` (Prometheus). They
 * are not under /api/v1 and answer a prober in their own terms (a bare status, a text format), so
 * they are plain Hono handlers; their OpenAPI declarations are registered here, beside them, so
 * `/api/v1/openapi.json` lists every route the center answers (openapi.test.ts checks that each
 * documented route is routed).
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { errorResponseDocs } from './api-route.js';
import type { WebContext } from './context.js';
import {
  OBSERVER_SCOPE,
  type ObserverCredentials,
  observerAccess,
  requireObserver,
} from './observer-access.js';
import type { ApiRegistry, OperationDoc } from './openapi.js';

export const HealthSchema = z.looseObject({
  status: z.enum(['ok', 'draining']),
  events: z.number().int().optional().describe('Events stored (operator and observations:read only).'),
  sensors: z
    .number()
    .int()
    .optional()
    .describe('Sensors that delivered (operator and observations:read only).'),
});

const HEALTH_DOC: OperationDoc = {
  method: 'get',
  path: '/healthz',
  operationId: 'health',
  summary: 'Whether the center is up (and, for the operator, how much it holds)',
  description:
    'Anyone gets `status`; the operator token or observations:read also gets the live counts, which ' +
    'would otherwise tell a prober whether a marker packet reached a sensor.',
  tags: ['observation'],
  security: 'optional',
  operator: true,
  responses: { 200: { description: 'Up.', schema: HealthSchema }, ...errorResponseDocs([401]) },
};

const METRICS_DOC: OperationDoc = {
  method: 'get',
  path: '/metrics',
  operationId: 'metrics',
  summary: 'Prometheus metrics (ingest, store, sensors, live detection)',
  tags: ['observation'],
  security: 'required',
  operator: true,
  scope: OBSERVER_SCOPE,
  responses: {
    200: {
      description: 'The Prometheus text exposition format.',
      mediaType: 'text/plain; version=0.0.4',
    },
    ...errorResponseDocs([401, 403]),
  },
};

type HealthContext = Pick<WebContext, 'storeHealth' | 'events' | 'metrics' | 'draining'>;

export function mountHealthRoutes(
  app: Hono,
  reg: ApiRegistry,
  ctx: HealthContext,
  observer: ObserverCredentials,
): void {
  reg.name(HealthSchema, 'Health');
  reg.add(HEALTH_DOC);
  reg.add(METRICS_DOC);
  app.get('/healthz', async (c) => {
    const stores = await ctx.storeHealth();
    const broken = stores.some((s) => !s.ok);
    const status = broken ? 'error' : ctx.draining ? 'draining' : 'ok';
    // Live counts would show a prober whether a marker packet reached a sensor (observer-access.ts);
    // a load balancer still learns that the node is unwell.
    if ((await observerAccess(c, observer)) !== 'full') return c.json({ status }, broken ? 503 : 200);
    if (broken) return c.json({ status, stores }, 503);
    const s = await ctx.events.summary();
    return c.json({ status, events: s.events, sensors: s.sensors, stores });
  });
  app.get('/metrics', async (c) => {
    await requireObserver(c, observer);
    c.header('Content-Type', ctx.metrics.contentType);
    return c.body(await ctx.metrics.render());
  });
}
