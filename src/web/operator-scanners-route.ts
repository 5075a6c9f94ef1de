/**
 * The scanner list over HTTP, `GET /api/v1/operator/scanners`, for the operator token only: every
 * scanner the scan detector found, alert or not (docs/methods.md#what-deserves-an-alert), broadest
 * first, searchable by port, country, AS and time — what `koban scanners --json` prints.
 */
import { z } from 'zod';
import { parsePortFilter, type ScannerStore, scannerDocument } from '../detect/index.js';
import type { ApiRoutes } from './api-route.js';

export const OPERATOR_SCANNERS_PATH = '/api/v1/operator/scanners';

const Count = z.number().int().min(0);
const Iso = z.iso.datetime();

export const ScannerSchema = z.strictObject({
  source: z.string(),
  first: Iso.describe('First seen scanning.'),
  last: Iso.describe('Last seen scanning.'),
  episodes: Count.describe('Scan episodes (a pause of an hour ends one).'),
  breadth: Count.describe('The larger of reach and distinct_ports: what the list is ranked by.'),
  reach: Count.describe('Most distinct monitored addresses one episode reached.'),
  distinct_ports: Count.describe('Most distinct ports one episode probed.'),
  packets: Count,
  type: z.string().describe('horizontal, vertical or horizontal+vertical (the latest episode).'),
  ports: z.array(z.string()).describe('Its most probed ports, as 445/tcp (at most 20).'),
  sensors: z.array(z.string()),
  country: z.string().nullable(),
  asn: z.number().int().nullable(),
  tags: z.array(z.string()).describe('Names from the known-scanner list (research projects and the like).'),
  alert_reasons: z.array(z.string()).describe('Why one of its episodes was an alert; empty: data only.'),
});

export const ScannerPageSchema = z.strictObject({
  scanners: z.array(ScannerSchema),
  total: Count.describe('Scanners the filter selects (all pages).'),
  nextCursor: z.string().nullable().describe('The `cursor` of the next page; null on the last.'),
});

export const ScannerQuery = z.strictObject({
  port: z
    .string()
    .max(30)
    .transform((s, ctx) => {
      const p = parsePortFilter(s);
      if (!p)
        ctx.addIssue({ code: 'custom', message: 'a port, optionally with its protocol (445, 445/tcp)' });
      return p ?? { port: 0 };
    })
    .optional()
    .describe('Only scanners that probed this port (445, or 445/tcp for one protocol).'),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'two letters (ISO 3166-1 alpha-2)')
    .transform((s) => s.toUpperCase())
    .optional()
    .describe('Only sources in this country.'),
  asn: z.coerce.number().int().min(0).max(4_294_967_295).optional().describe('Only sources in this AS.'),
  since: Iso.optional().describe('Only scanners seen at or after this time.'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(100)
    .describe('Scanners per page (1–1000, default 100).'),
  cursor: z
    .string()
    .regex(/^\d{1,9}-\d{1,15}-[A-Za-z0-9_-]{1,80}$/, 'a cursor from nextCursor')
    .optional()
    .describe('The `nextCursor` of the previous page.'),
});

export function mountOperatorScannerRoutes(api: ApiRoutes, scanners: Pick<ScannerStore, 'page'>): void {
  api.registry.name(ScannerSchema, 'Scanner', 'A scanning source over all its scan episodes.');
  api.add(
    {
      tags: ['operator'],
      auth: 'operator',
      method: 'get',
      path: OPERATOR_SCANNERS_PATH,
      operationId: 'listScanners',
      summary: 'Every scanner found, alert or not, broadest first',
      description:
        'Each scan episode of the scan detector, whether or not it deserved an alert, updates its ' +
        'source here: ports, reach, first and last sighting, country, AS, known-scanner tags. Ranked by ' +
        'breadth, then recency; a page at a time (keyset paging).',
      query: ScannerQuery,
      responses: { 200: { description: 'One page.', schema: ScannerPageSchema } },
    },
    async ({ query }) => {
      const page = await scanners.page({
        ...(query.port ?? {}),
        country: query.country,
        asn: query.asn,
        sinceMs: query.since === undefined ? undefined : Date.parse(query.since),
        limit: query.limit,
        cursor: query.cursor,
      });
      return {
        status: 200,
        body: {
          scanners: page.scanners.map(scannerDocument),
          total: page.total,
          nextCursor: page.nextCursor,
        },
      };
    },
  );
}
