/**
 * `GET /api/v1/alerts` as the previous release answered it, for one more release: two resources
 * on one path, chosen by the credentials — the operator token lists the operator alerts (now
 * /api/v1/operator/alerts), anyone else the advisories they may read (now /api/v1/advisories,
 * answered under `alerts` as before). Every answer says it is deprecated and links to the path
 * that replaces it for this caller.
 */

import { z } from 'zod';
import type { AlertStore } from '../detect/index.js';
import type { IntelService } from '../intel/index.js';
import { type ApiRoutes, parseInput } from './api-route.js';
import { ADVISORIES_PATH, AdvisoryListQuery, FORMER_ADVISORIES_PATH } from './intel/advisories.js';
import { AdvisorySummarySchema, advisorySummaryBody } from './intel/advisory-views.js';
import {
  OPERATOR_ALERTS_PATH,
  OperatorAlertQuery,
  OperatorAlertSchema,
  operatorAlertList,
} from './operator-alerts-route.js';

/** Unknown parameters were ignored on this path: they still are; it never paged. */
const FormerOperatorQuery = z.object({
  status: OperatorAlertQuery.shape.status,
  kind: OperatorAlertQuery.shape.kind,
});

const EitherListSchema = z.union([
  z.object({ alerts: z.array(AdvisorySummarySchema) }),
  z.object({ alerts: z.array(OperatorAlertSchema) }),
]);

export function mountDeprecatedAlertList(
  api: ApiRoutes,
  intel: IntelService,
  operatorAlerts: Pick<AlertStore, 'list' | 'page' | 'counts' | 'get' | 'acknowledge' | 'close'>,
): void {
  api.add(
    {
      method: 'get',
      path: FORMER_ADVISORIES_PATH,
      operationId: 'listAlerts',
      summary: 'Advisories the caller may read; with the operator token, the operator alerts',
      description:
        `The query is that of ${ADVISORIES_PATH} (\`status\`, \`campaignId\`, \`beforeId\`, \`limit\`), ` +
        `or with the operator token that of ${OPERATOR_ALERTS_PATH} (\`status\`, \`kind\`).`,
      tags: ['advisories', 'operator'],
      auth: 'observer',
      scope: 'campaigns:read',
      deprecated: { successor: ADVISORIES_PATH },
      responses: { 200: { description: 'Alerts.', schema: EitherListSchema } },
    },
    async ({ c, actor, operator }) => {
      if (operator) {
        c.header('Link', `<${OPERATOR_ALERTS_PATH}>; rel="successor-version"`);
        const query = parseInput(FormerOperatorQuery, c.req.query(), 'query');
        const list = await operatorAlertList(operatorAlerts, { ...query, limit: 1000 });
        return { status: 200, body: { alerts: list.alerts } };
      }
      const query = parseInput(AdvisoryListQuery, c.req.query(), 'query');
      const list = await intel.advisories.list(actor, query);
      return { status: 200, body: { alerts: list.map(advisorySummaryBody) } };
    },
  );
}
