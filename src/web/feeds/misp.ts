/**
 * The MISP feed over HTTP: `GET /api/v1/feeds/misp/{file}` answers `manifest.json`, `hashes.csv`
 * and `<uuid>.json` of what the caller may see, so a MISP instance subscribes with the feed URL
 * `…/api/v1/feeds/misp` and an `Authorization` header (MISP feeds carry custom headers). A MISP
 * fetches the manifest and then each event it lacks: the feed built for the manifest is kept for
 * a minute per caller, so those fetches cost one read of the data, not one each.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { KobanError } from '../../core/index.js';
import { type MispFeed, MispService } from '../../feeds/index.js';
import type { Actor, IntelService } from '../../intel/index.js';
import type { ApiRoutes } from '../api-route.js';
import { noneMatch } from './blocklists.js';

const FileParam = z.object({
  file: z
    .string()
    .regex(
      /^(?:manifest\.json|hashes\.csv|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.json)$/i,
      'manifest.json, hashes.csv or <event uuid>.json',
    ),
});

const KEEP_MS = 60_000;
const MAX_CACHED = 64;

export function mountMispFeedRoutes(api: ApiRoutes, intel: IntelService, now: () => number): void {
  const misp = new MispService(intel, now);
  const cache = new Map<string, { atMs: number; feed: MispFeed }>();
  const feedFor = async (actor: Actor): Promise<MispFeed> => {
    const key = `${actor.kind}:${actor.userId}:${actor.orgId}:${[...actor.scopes].sort().join(',')}`;
    const held = cache.get(key);
    if (held && now() - held.atMs < KEEP_MS) return held.feed;
    const feed = await misp.exportFeed(actor);
    cache.delete(key);
    cache.set(key, { atMs: now(), feed });
    // Oldest first out: a Map iterates in insertion order.
    while (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
    return feed;
  };
  api.add(
    {
      method: 'get',
      path: '/api/v1/feeds/misp/{file}',
      operationId: 'getMispFeedFile',
      summary: 'The MISP feed of what the caller may see',
      description:
        'manifest.json, hashes.csv and one <uuid>.json per event, as PyMISP writes a feed: reports and ' +
        'advisories as events, TLP as tlp: tags, campaigns as koban:campaign tags. Subscribe a MISP ' +
        'instance to …/api/v1/feeds/misp with an Authorization header. ETag / If-None-Match (304).',
      tags: ['feeds'],
      auth: 'actor',
      scope: 'indicators:read',
      params: FileParam,
      responses: {
        200: { description: 'The file.', mediaType: 'application/json' },
        304: { description: 'Unchanged since the ETag given in If-None-Match.' },
      },
      errors: [404],
    },
    async ({ c, actor, params }) => {
      const feed = await feedFor(actor);
      const name = params.file.toLowerCase();
      let body: string;
      let type = 'application/json';
      if (name === 'manifest.json') body = JSON.stringify(feed.manifest);
      else if (name === 'hashes.csv') {
        body = feed.hashesCsv;
        type = 'text/csv; charset=utf-8';
      } else {
        const event = feed.files.get(name.slice(0, -'.json'.length));
        if (event === undefined) throw new KobanError('E_NOT_FOUND', `no event ${name} in your feed`);
        body = event;
      }
      const etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
      const headers = { etag, 'cache-control': 'private, no-cache' };
      if (noneMatch(c.req.header('if-none-match'), etag)) return new Response(null, { status: 304, headers });
      return new Response(body, { status: 200, headers: { ...headers, 'content-type': type } });
    },
  );
}
