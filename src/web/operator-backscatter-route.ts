/**
 * DDoS victims below the alerting rate over HTTP, `GET /api/v1/operator/backscatter`, for the
 * operator token only: the backscatter episodes kept as statistics rather than alerts
 * (docs/methods.md#what-deserves-an-alert), the most recently seen first — what
 * `koban backscatter --json` prints. The scanner list's sibling (operator-scanners-route.ts).
 */
import { z } from 'zod';
import { type BackscatterStatistics, victimStatisticDocument } from '../detect/index.js';
import type { ApiRoutes } from './api-route.js';

export const OPERATOR_BACKSCATTER_PATH = '/api/v1/operator/backscatter';

const Count = z.number().int().min(0);
const Iso = z.iso.datetime();

export const VictimStatisticSchema = z.strictObject({
  victim: z.string().describe('The attacked address (the source of the replies).'),
  attack_type: z.string().describe('syn-flood, ping-flood, udp-flood, … (from the replies).'),
  ports: z.array(z.string()).describe('Attacked services as 80/tcp, the most hit first (at most 10).'),
  first: Iso.describe('First reply seen.'),
  last: Iso.describe('Latest reply seen.'),
  packets: Count.describe('Replies the sensors logged.'),
  addresses_hit: Count.describe('Distinct monitored addresses the replies hit.'),
  estimated_rate_pps: z
    .number()
    .nullable()
    .describe(
      'Estimated replies a second at the victim (observed × 2³² / monitored); null: no monitored space known.',
    ),
  title: z.string(),
});

export const VictimStatisticPageSchema = z.strictObject({
  victims: z.array(VictimStatisticSchema),
  total: Count.describe('Victims the filter selects (all pages).'),
  nextCursor: z.string().nullable().describe('The `cursor` of the next page; null on the last.'),
});

export const VictimStatisticQuery = z.strictObject({
  victim: z.ipv4().optional().describe('Only this victim.'),
  since: Iso.optional().describe('Only victims seen at or after this time.'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(100)
    .describe('Victims per page (1–1000, default 100).'),
  cursor: z
    .string()
    .regex(/^\d{1,15}-[A-Za-z0-9_-]{1,200}$/, 'a cursor from nextCursor')
    .optional()
    .describe('The `nextCursor` of the previous page.'),
});

export function mountOperatorBackscatterRoutes(
  api: ApiRoutes,
  backscatter: Pick<BackscatterStatistics, 'page'>,
): void {
  api.registry.name(
    VictimStatisticSchema,
    'VictimStatistic',
    'A DDoS victim below the alerting rate, over one attack episode.',
  );
  api.add(
    {
      tags: ['operator'],
      auth: 'operator',
      method: 'get',
      path: OPERATOR_BACKSCATTER_PATH,
      operationId: 'listBackscatterStatistics',
      summary: 'DDoS victims below the alerting rate, the most recent first',
      description:
        'Each backscatter episode whose estimated reply rate stays below ' +
        '`detection.backscatter.minVictimRatePps` is kept here instead of raising an alert: the victim, ' +
        'its estimated rate, the monitored addresses its replies hit, the attacked ports, first and last ' +
        'sighting. An episode that grows past the rate becomes an alert and leaves the list. A page at a ' +
        'time (keyset paging).',
      query: VictimStatisticQuery,
      responses: { 200: { description: 'One page.', schema: VictimStatisticPageSchema } },
    },
    async ({ query }) => {
      const page = await backscatter.page({
        victim: query.victim,
        sinceMs: query.since === undefined ? undefined : Date.parse(query.since),
        limit: query.limit,
        cursor: query.cursor,
      });
      return {
        status: 200,
        body: {
          victims: page.victims.map(victimStatisticDocument),
          total: page.total,
          nextCursor: page.nextCursor,
        },
      };
    },
  );
}
