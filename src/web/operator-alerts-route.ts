/**
 * Operator alerts over HTTP, under /api/v1/operator/alerts and for the operator token only: what
 * the detectors and the sensor-health check raised (detect/alerts.ts), listed, read one at a time,
 * acknowledged and closed — the operations of `koban alerts`, answered with the same document as
 * `koban alerts --json` and the notifications (detect's `alertDocument`).
 */
import { z } from 'zod';
import { KobanError } from '../core/index.js';
import {
  ALERT_STATUSES,
  type AlertDocument,
  type AlertStore,
  alertDocument,
  SEVERITIES,
} from '../detect/index.js';
import type { ApiRoutes } from './api-route.js';
import { IdParams } from './intel/schemas.js';

export const OPERATOR_ALERTS_PATH = '/api/v1/operator/alerts';

export const OperatorAlertSchema = z.looseObject({
  id: z.number().int(),
  kind: z.string().describe('sensor-silent, sensor-volume, port-surge, backscatter, scan, worm, …'),
  severity: z.enum(SEVERITIES),
  status: z.enum(ALERT_STATUSES),
  title: z.string(),
  first: z.iso.datetime().describe('When the episode was first seen.'),
  last: z.iso.datetime().describe('When it was last seen.'),
  acked_by: z.string().nullable(),
  acked: z.iso.datetime().nullable(),
  closed_by: z.string().nullable(),
  closed: z.iso.datetime().nullable(),
  episode: z.enum(['ongoing', 'ended', '-']).describe('Whether what the alert reports is still going on.'),
  evidence: z.record(z.string(), z.unknown()).describe('What the detector saw (counts, series, sources).'),
});

export const OperatorAlertListSchema = z.strictObject({ alerts: z.array(OperatorAlertSchema) });

export const OperatorAlertQuery = z.strictObject({
  status: z
    .string()
    .max(100)
    .transform((s) => s.split(',').map((k) => k.trim()))
    .pipe(z.array(z.enum(ALERT_STATUSES)).min(1))
    .optional()
    .describe(`Only these statuses, comma-separated (${ALERT_STATUSES.join(', ')}).`),
  kind: z.string().min(1).max(100).optional().describe('Only this kind (e.g. sensor-silent).'),
});

const DecisionBody = z.strictObject({
  by: z.string().trim().min(1).max(200).describe('Who acknowledges or closes it (recorded with the time).'),
});

type Alerts = Pick<AlertStore, 'list' | 'get' | 'acknowledge' | 'close'>;

/** The alerts a query asks for, as documents (newest first, at most 1,000). */
export async function operatorAlertList(
  alerts: Alerts,
  query: z.output<typeof OperatorAlertQuery>,
): Promise<{ alerts: AlertDocument[] }> {
  const list = await alerts.list({ status: query.status, kind: query.kind });
  return { alerts: list.map(alertDocument) };
}

export function mountOperatorAlertRoutes(api: ApiRoutes, alerts: Alerts): void {
  api.registry.name(OperatorAlertSchema, 'OperatorAlert', 'An alert of the detectors or of sensor health.');
  const common = { tags: ['operator'], auth: 'operator' } as const;
  api.add(
    {
      ...common,
      method: 'get',
      path: OPERATOR_ALERTS_PATH,
      operationId: 'listOperatorAlerts',
      summary: 'The detectors’ and sensor-health alerts, newest first (at most 1,000)',
      query: OperatorAlertQuery,
      responses: { 200: { description: 'Alerts.', schema: OperatorAlertListSchema } },
    },
    async ({ query }) => ({ status: 200, body: await operatorAlertList(alerts, query) }),
  );
  api.add(
    {
      ...common,
      method: 'get',
      path: `${OPERATOR_ALERTS_PATH}/{id}`,
      operationId: 'getOperatorAlert',
      summary: 'One operator alert with its evidence',
      params: IdParams,
      responses: { 200: { description: 'The alert.', schema: OperatorAlertSchema } },
      errors: [404],
    },
    async ({ params }) => {
      const a = await alerts.get(params.id);
      if (!a) throw new KobanError('E_NOT_FOUND', `no alert ${params.id}`);
      return { status: 200, body: alertDocument(a) };
    },
  );
  for (const [verb, summary] of [
    ['ack', 'Acknowledge an alert (records who and when; acknowledging again changes nothing)'],
    ['close', 'Close an alert (records who and when)'],
  ] as const) {
    api.add(
      {
        ...common,
        method: 'post',
        path: `${OPERATOR_ALERTS_PATH}/{id}/${verb}`,
        operationId: `${verb === 'ack' ? 'acknowledge' : 'close'}OperatorAlert`,
        summary,
        params: IdParams,
        body: { json: { schema: DecisionBody, maxBytes: 16 * 1024 } },
        responses: { 200: { description: 'The alert.', schema: OperatorAlertSchema } },
        errors: [404, 409],
      },
      async ({ params, body }) => {
        const by = body.value.by;
        const a =
          verb === 'ack' ? await alerts.acknowledge(params.id, by) : await alerts.close(params.id, by);
        return { status: 200, body: alertDocument(a) };
      },
    );
  }
}
