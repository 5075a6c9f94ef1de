/**
 * OpenAPI declarations of the center's routes that are not mounted through `ApiRoutes` (their
 * handlers are in app.ts): sensor ingest, health and Prometheus metrics. Registered beside the
 * handlers so `/api/v1/openapi.json` lists every route the center answers; openapi.test.ts checks
 * that each documented route is routed.
 */
import { z } from 'zod';
import { ApiErrorSchema, ERROR_DESCRIPTIONS, type ErrorStatus } from './api-route.js';
import { OBSERVER_SCOPE } from './observer-access.js';
import type { ApiRegistry, OperationDoc, ResponseDoc } from './openapi.js';

export const IngestResultSchema = z.looseObject({
  batch_id: z.string(),
  status: z.enum(['stored', 'duplicate']),
  records: z.number().int().describe('Records read from the batch (the header excluded).'),
  stored: z.number().int().describe('Events stored.'),
  rejected: z.number().int().describe('Records rejected as malformed.'),
  rejections: z
    .array(z.looseObject({ record: z.number().int(), reason: z.string() }))
    .describe('The first rejected records (1-based, after the header) and why.'),
});

export const HealthSchema = z.looseObject({
  status: z.enum(['ok', 'draining']),
  events: z.number().int().optional().describe('Events stored (operator and observations:read only).'),
  sensors: z
    .number()
    .int()
    .optional()
    .describe('Sensors that delivered (operator and observations:read only).'),
});

function errors(...statuses: ErrorStatus[]): Record<number, ResponseDoc> {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: ERROR_DESCRIPTIONS[s],
        schema: ApiErrorSchema,
        ...(s === 429 ? { headers: { 'Retry-After': 'Seconds to wait before sending again.' } } : {}),
      },
    ]),
  );
}

/** Batch and answer limits, as app.ts enforces them. */
export interface IngestLimitsDoc {
  readonly maxBodyBytes: number;
  readonly maxInflatedBytes: number;
}

function ingestDoc(limits: IngestLimitsDoc): OperationDoc {
  return {
    method: 'post',
    path: '/api/v1/ingest',
    operationId: 'ingestBatch',
    summary: 'A sensor delivers one batch of events or raw log lines',
    description:
      'The body is gzip-compressed NDJSON: a header line `{"v":1,"batch_id":"…","format":"events"}`, ' +
      'then one event per line (the compact array form of src/observe/wire.ts, whose `recv_ms` is the ' +
      'sensor wire format, not an API date) or, with a text `format` such as `iptables`, one raw log ' +
      'line per line as a JSON string. A batch id delivered again is answered as a duplicate and ' +
      'stored once. `X-Koban-Dropped-Total` reports the agent’s spool loss. The body inflates to ' +
      `at most ${limits.maxInflatedBytes} bytes.`,
    tags: ['observation'],
    security: 'sensor',
    body: {
      raw: {
        mediaTypes: ['application/x-ndjson'],
        description: 'gzip-compressed NDJSON (the gzip magic is what is checked, not the media type).',
      },
      maxBytes: { 'application/x-ndjson': limits.maxBodyBytes },
    },
    responses: {
      200: { description: 'Stored, or recognised as a duplicate.', schema: IngestResultSchema },
      ...errors(400, 401, 413, 415, 429, 503),
    },
  };
}

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
  responses: { 200: { description: 'Up.', schema: HealthSchema }, ...errors(401) },
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
    ...errors(401, 403),
  },
};

export function registerCenterDocs(reg: ApiRegistry, limits: IngestLimitsDoc): void {
  reg.name(IngestResultSchema, 'IngestResult', 'What the center did with a sensor batch.');
  reg.name(HealthSchema, 'Health');
  for (const op of [ingestDoc(limits), HEALTH_DOC, METRICS_DOC]) reg.add(op);
}
