/**
 * `POST /api/v1/ingest`: a sensor delivers one batch. The sensor's token is checked by
 * middleware/sensor-auth, its request rate charged (ingest-rate.ts) and its loss report checked
 * before the body is read; the body is taken by middleware/gzip-body (gzip by its magic bytes,
 * the compressed size limited) and inflated and decoded as it streams by the ingest service
 * (observe/ndjson-stream.ts), never whole.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { KobanError } from '../core/index.js';
import { type IngestService, MAX_DROPPED_TOTAL } from '../observe/index.js';
import type { ApiRoutes } from './api-route.js';
import { IngestRate } from './ingest-rate.js';

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

export interface IngestRouteDeps {
  readonly ingest: Pick<IngestService, 'limits' | 'submitGzip'>;
  /** True once the center is shutting down: batches are refused (the agent keeps them). */
  readonly draining: () => boolean;
  readonly now: () => number;
}

const DROPPED = 'X-Koban-Dropped-Total';

/** The agent's reported spool loss: an exact count, or absent. */
function droppedTotal(c: Context): number | undefined {
  const header = c.req.header(DROPPED);
  if (header === undefined) return undefined;
  const n = Number(header);
  if (!(/^\d{1,16}$/.test(header) && n <= MAX_DROPPED_TOTAL))
    throw new KobanError('E_FORMAT', `${DROPPED} must be an integer from 0 to ${MAX_DROPPED_TOTAL}`);
  return n;
}

function description(maxInflatedBytes: number): string {
  return (
    'The body is gzip-compressed NDJSON: a header line `{"v":1,"batch_id":"…","format":"events"}`, ' +
    'then one event per line (the compact array form of src/observe/wire.ts, whose `recv_ms` is the ' +
    'sensor wire format, not an API date) or, with a text `format` such as `iptables`, one raw log ' +
    'line per line as a JSON string. A batch id delivered again is answered as a duplicate and ' +
    `stored once. \`${DROPPED}\` reports the agent’s spool loss. The body inflates to ` +
    `at most ${maxInflatedBytes} bytes.`
  );
}

export function mountIngestRoute(api: ApiRoutes, deps: IngestRouteDeps): void {
  api.registry.name(IngestResultSchema, 'IngestResult', 'What the center did with a sensor batch.');
  const limits = deps.ingest.limits;
  const rate = new IngestRate(limits, deps.now);
  api.add(
    {
      method: 'post',
      path: '/api/v1/ingest',
      operationId: 'ingestBatch',
      summary: 'A sensor delivers one batch of events or raw log lines',
      description: description(limits.maxInflatedBytes),
      tags: ['observation'],
      auth: 'sensor',
      admit: (_actor, c) => {
        if (deps.draining()) throw new KobanError('E_LOCKED', 'the center is shutting down');
        rate.charge(c.var.sensor.id);
        droppedTotal(c);
      },
      body: {
        gzip: {
          mediaType: 'application/x-ndjson',
          maxBytes: limits.maxBodyBytes,
          description: 'gzip-compressed NDJSON',
        },
      },
      responses: {
        200: { description: 'Stored, or recognised as a duplicate.', schema: IngestResultSchema },
      },
      errors: [429, 503],
    },
    async ({ c, body }) => {
      const result = await deps.ingest.submitGzip(c.var.sensor, body.bytes, {
        droppedTotal: droppedTotal(c),
      });
      return {
        status: 200,
        body: {
          batch_id: result.batchId,
          status: result.status,
          records: result.records,
          stored: result.events,
          rejected: result.rejected,
          rejections: result.rejections,
        },
      };
    },
  );
}
