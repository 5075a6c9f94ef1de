/**
 * Operator alerts over HTTP, under /api/v1/operator/alerts and for the operator token only: what
 * the detectors and the sensor-health check raised (detect/alerts.ts), listed, read one at a time,
 * acknowledged and closed — the operations of `koban alerts`, answered with the same document as
 * `koban alerts --json` and the notifications (detect's `alertDocument`). Lists put the most severe
 * first, then the most recently seen, a page at a time, with counts per severity and kind.
 */
import { z } from 'zod';
import { KobanError } from '../core/index.js';
import {
  ALERT_STATUSES,
  type AlertCounts,
  type AlertDocument,
  type AlertStore,
  alertDocument,
  SEVERITIES,
  type Severity,
} from '../detect/index.js';
import type { ApiRoutes } from './api-route.js';
import { IdParams } from './intel/schemas.js';

export const OPERATOR_ALERTS_PATH = '/api/v1/operator/alerts';

export const OperatorAlertSchema = z.looseObject({
  id: z.number().int(),
  kind: z.string().describe('port-surge, backscatter, scan, worm-outbreak, sensor-health, sensor-silent'),
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

const Count = z.number().int().min(0);

export const OperatorAlertCountsSchema = z.strictObject({
  total: Count.describe('Alerts the filter selects (all pages).'),
  severity: z.strictObject(
    Object.fromEntries(SEVERITIES.map((s) => [s, Count])) as Record<Severity, typeof Count>,
  ),
  kind: z.record(z.string(), Count).describe('Per kind, the most numerous first.'),
});

export const OperatorAlertListSchema = z.strictObject({
  alerts: z
    .array(OperatorAlertSchema)
    .describe('Most severe first, then the most recently seen, then the newest.'),
  counts: OperatorAlertCountsSchema,
  nextCursor: z.string().nullable().describe('The `cursor` of the next page; null on the last.'),
});

export const OperatorAlertQuery = z.strictObject({
  status: z
    .string()
    .max(100)
    .transform((s) => s.split(',').map((k) => k.trim()))
    .pipe(z.array(z.enum(ALERT_STATUSES)).min(1))
    .optional()
    .describe(`Only these statuses, comma-separated (${ALERT_STATUSES.join(', ')}).`),
  kind: z.string().min(1).max(100).optional().describe('Only this kind (e.g. sensor-silent).'),
  severity: z
    .string()
    .max(100)
    .transform((s) => s.split(',').map((k) => k.trim()))
    .pipe(z.array(z.enum(SEVERITIES)).min(1))
    .optional()
    .describe(`Only these severities, comma-separated (${SEVERITIES.join(', ')}).`),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(100)
    .describe('Alerts per page (1–1000, default 100).'),
  cursor: z
    .string()
    .regex(/^[0-4]-\d{1,15}-\d{1,15}$/, 'a cursor from nextCursor')
    .optional()
    .describe('The `nextCursor` of the previous page.'),
});

const DecisionBody = z.strictObject({
  by: z.string().trim().min(1).max(200).describe('Who acknowledges or closes it (recorded with the time).'),
});

type Alerts = Pick<AlertStore, 'list' | 'page' | 'counts' | 'get' | 'acknowledge' | 'close'>;

/** One page of the alerts a query asks for, as documents, with the counts of all of them. */
export async function operatorAlertList(
  alerts: Alerts,
  query: z.output<typeof OperatorAlertQuery>,
): Promise<{ alerts: AlertDocument[]; counts: AlertCounts; nextCursor: string | null }> {
  const filter = { status: query.status, kind: query.kind, severity: query.severity };
  const [page, counts] = await Promise.all([
    alerts.page({ ...filter, limit: query.limit, cursor: query.cursor }),
    alerts.counts(filter),
  ]);
  return { alerts: page.alerts.map(alertDocument), counts, nextCursor: page.nextCursor };
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
      summary: 'The detectors’ and sensor-health alerts, most severe first, then most recent; with counts',
      description:
        'A page at a time (keyset paging over severity, last sighting and id: pages neither skip nor ' +
        'repeat), with the number of alerts the filter selects per severity and per kind.',
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
