/**
 * `GET /api/v1/feeds/blocklist.{txt,csv,rules,rpz}`: the C2 destinations the caller may see as a
 * plain list, CSV, Suricata rules or a DNS RPZ zone (docs/sharing.md#blocklists), for the
 * service-provider council (organisations of kind security-service-provider or isp, by their
 * token) and the center's staff. A strong ETag over the bytes answers `If-None-Match` with 304
 * (RFC 9110 §13.1.2); `?since=` gives the changes after a time (added and removed).
 */
import { z } from 'zod';
import { KobanError } from '../../core/index.js';
import { BLOCKLIST_MEDIA_TYPES, type BlocklistFormat, BlocklistService } from '../../feeds/index.js';
import type { IntelService } from '../../intel/index.js';
import type { ApiRoutes } from '../api-route.js';

export const BlocklistQuery = z.object({
  since: z
    .string()
    .max(40)
    .refine(
      (s) => (/^\d{1,12}$/.test(s) ? true : Number.isFinite(Date.parse(s))),
      'an ISO 8601 time or epoch seconds',
    )
    .transform((s) => (/^\d+$/.test(s) ? Number(s) * 1000 : Date.parse(s)))
    .optional(),
  audience: z.string().min(1).max(300).optional(),
});

const EXTENSIONS: readonly { ext: string; format: BlocklistFormat; name: string }[] = [
  { ext: 'txt', format: 'text', name: 'Text' },
  { ext: 'csv', format: 'csv', name: 'Csv' },
  { ext: 'rules', format: 'suricata', name: 'Suricata' },
  { ext: 'rpz', format: 'rpz', name: 'Rpz' },
];

/** RFC 9110 §13.1.2: `*`, or a list of entity tags compared weakly. */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => bare(t) === bare(etag));
}

export function mountBlocklistRoutes(api: ApiRoutes, intel: IntelService, now: () => number): void {
  const lists = new BlocklistService(intel, now);
  for (const { ext, format, name } of EXTENSIONS)
    api.add(
      {
        method: 'get',
        path: `/api/v1/feeds/blocklist.${ext}`,
        operationId: `getBlocklist${name}`,
        summary: `C2 destinations as ${format === 'suricata' ? 'Suricata rules' : format === 'rpz' ? 'a DNS RPZ zone' : format}`,
        description:
          'The C2 destinations the caller may see, each with its confidence and expiry (valid_until; ' +
          'expired values leave the list), for organisations of kind security-service-provider or isp ' +
          'and the center’s staff. ETag / If-None-Match (304); `since` (ISO 8601 or epoch seconds) ' +
          'lists what was added or changed and what was removed after it (the RPZ zone is always whole).',
        tags: ['feeds'],
        auth: 'actor',
        scope: 'indicators:read',
        query: BlocklistQuery,
        responses: {
          200: {
            description: 'The list.',
            mediaType: BLOCKLIST_MEDIA_TYPES[format],
            headers: { ETag: 'strong validator' },
          },
          304: { description: 'Unchanged since the ETag given in If-None-Match.' },
        },
      },
      async ({ c, actor, query }) => {
        if (actor.kind === 'anonymous') throw new KobanError('E_AUTH', 'blocklists need a token');
        await lists.requireSubscriber(actor);
        const list = await lists.render(actor, format, { sinceMs: query.since, audience: query.audience });
        const headers = { etag: list.etag, 'cache-control': 'private, no-cache' };
        if (noneMatch(c.req.header('if-none-match'), list.etag))
          return new Response(null, { status: 304, headers });
        return new Response(list.body, {
          status: 200,
          headers: { ...headers, 'content-type': BLOCKLIST_MEDIA_TYPES[format] },
        });
      },
    );
}
