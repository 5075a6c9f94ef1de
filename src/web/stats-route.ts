/**
 * `GET /api/v1/stats/{view}`: the observation views of observe/views.ts over HTTP. Every query
 * parameter is checked by the schema below (a bad one is a 400 naming it, never a failed query);
 * the operator and `observations:read` get the views live and per sensor, everyone else the
 * public view (public-stats.ts): delayed, aggregated and thresholded.
 */
import { z } from 'zod';
import { BUCKETS, EVENT_KINDS, type PublicStatsConfig, parseDateArg, parseUtcOffset } from '../core/index.js';
import { type EventStore, runView, VIEW_NAMES } from '../observe/index.js';
import type { ApiRoutes } from './api-route.js';
import type { ObservationSettings } from './context.js';
import { accessOf } from './observer-access.js';
import { checkPublicRequest, publicCutoffMs, publicRange, thresholdRows } from './public-stats.js';

function valid(parse: (s: string) => unknown): (s: string) => boolean {
  return (s) => {
    try {
      parse(s);
      return true;
    } catch {
      return false;
    }
  };
}

const DateText = z
  .string()
  .max(40)
  .refine(valid(parseDateArg), 'YYYY-MM-DD or ISO 8601 (e.g. 2006-08-18T09:00+09:00)');

export const StatsParams = z.object({
  view: z.enum(VIEW_NAMES).describe('Which view (README, `koban stats`).'),
});

export const StatsQuery = z.strictObject({
  from: DateText.optional().describe('Start (inclusive); a date without an offset is read in `tz`.'),
  to: DateText.optional().describe('End (exclusive).'),
  bucket: z.enum(BUCKETS).optional().describe('Bucket size of series (default day).'),
  proto: z.enum(['tcp', 'udp']).optional().describe('ports: the protocol ranked (default tcp).'),
  port: z
    .string()
    .regex(/^\d{1,5}\/(tcp|udp)$/, 'PORT/PROTO, e.g. 139/tcp')
    .refine((s) => Number(s.split('/')[0]) <= 65535, 'a port is at most 65535')
    .optional()
    .describe('port-series: the port, e.g. 139/tcp.'),
  top: z
    .string()
    .regex(/^\d{1,6}$/, 'a whole number (0 = all rows)')
    .optional()
    .describe('Rows kept in rankings (0 = all).'),
  kind: z
    .string()
    .max(100)
    .transform((s) => s.split(',').map((k) => k.trim()))
    .pipe(z.array(z.enum(EVENT_KINDS)).min(1))
    .optional()
    .describe(`Event kinds counted, comma-separated (${EVENT_KINDS.join(', ')}).`),
  sensor: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Only this sensor (operator and observations:read only).'),
  tz: z
    .string()
    .max(10)
    .refine(valid(parseUtcOffset), 'a UTC offset such as +09:00 or Z')
    .optional()
    .describe('UTC offset of buckets and of dates without one (default: the configuration’s).'),
  domestic: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'an ISO 3166-1 alpha-2 country code')
    .optional()
    .describe('Country counted as domestic in port-series (default: the configuration’s).'),
});

export const StatsResultSchema = z.strictObject({
  view: z.enum(VIEW_NAMES),
  rows: z
    .array(z.record(z.string(), z.unknown()))
    .describe('One object per row; the fields of each view are listed in the README.'),
  public: z
    .strictObject({
      until: z.iso.datetime().describe('Nothing at or after this instant is counted.'),
      delayHours: z.number(),
      minCount: z.number().int().describe('Rows counting fewer are left out; smaller parts are null.'),
    })
    .optional()
    .describe('Present when the caller got the public view (no operator token, no observations:read).'),
});

export interface StatsRouteDeps {
  readonly store: EventStore;
  readonly config: ObservationSettings;
  readonly now: () => number;
  /** The public view's delay and threshold (read at each request: the demo changes them). */
  readonly publicStats: () => PublicStatsConfig;
}

export function mountStatsRoute(api: ApiRoutes, deps: StatsRouteDeps): void {
  api.registry.name(StatsResultSchema, 'ObservationView', 'One observation view (`koban stats --json`).');
  api.add(
    {
      method: 'get',
      path: '/api/v1/stats/{view}',
      operationId: 'getObservationView',
      summary:
        'An observation view: live and per sensor for the operator, delayed and aggregated for the public',
      description:
        'The operator token or the scope observations:read gives the live view with the sensor filter ' +
        'and the per-sensor view (sensor-rate). Without them the view ends publicStats.delayHours ago ' +
        '(default 24 h), has no sensor filter (403), and leaves out rows counting fewer than ' +
        'publicStats.minCount (default 5); the answer then says so in `public`.',
      tags: ['observation'],
      auth: 'observer',
      params: StatsParams,
      query: StatsQuery,
      responses: { 200: { description: 'The view.', schema: StatsResultSchema } },
      errors: [403],
    },
    async ({ actor, operator, params, query }) => {
      const offset = parseUtcOffset(query.tz ?? deps.config.utcOffset);
      const full = accessOf(actor, operator) === 'full';
      const range = {
        fromMs: query.from === undefined ? undefined : parseDateArg(query.from, offset),
        toMs: query.to === undefined ? undefined : parseDateArg(query.to, offset),
      };
      const policy = deps.publicStats();
      const cutoffMs = full ? null : publicCutoffMs(deps.now(), policy);
      if (!full) checkPublicRequest(params.view, query.sensor);
      const [portText, portProto] = query.port?.split('/') ?? [];
      const result = await runView(deps.store, params.view, {
        ...(cutoffMs === null ? range : publicRange(range, cutoffMs)),
        bucket: query.bucket,
        utcOffsetMinutes: offset,
        domesticCountry: (query.domestic ?? deps.config.domesticCountry).toUpperCase(),
        kinds: query.kind,
        proto: query.proto ?? 'tcp',
        port: portText ? { port: Number(portText), proto: portProto as 'tcp' | 'udp' } : undefined,
        top: query.top === undefined ? undefined : Number(query.top),
        sensor: query.sensor,
      });
      if (cutoffMs === null) return { status: 200, body: result };
      return {
        status: 200,
        body: {
          view: result.view,
          rows: thresholdRows(result.rows, policy.minCount),
          public: {
            until: new Date(cutoffMs).toISOString(),
            delayHours: policy.delayHours,
            minCount: policy.minCount,
          },
        },
      };
    },
  );
}
