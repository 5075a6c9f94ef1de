/**
 * The TAXII 2.1 server (OASIS "TAXII Version 2.1", CS01, 2021) at `/taxii2/` on the center's port:
 * discovery (§4.1, the specification's default location), one API root (§4.2), its collections
 * (§5.1–5.2), manifest, objects with their filters and paging, object by id with DELETE, and
 * versions (§5.3–5.9), and status (§4.3). The
 * logic is feeds/taxii/; here is HTTP only: the TAXII media type both ways (406 for an Accept
 * without it, 415 for a POST of anything else), TAXII error messages (§3.6.1: title, description,
 * http_status) instead of Koban's error shape, `X-TAXII-Date-Added-First/Last`, and URLs that end
 * in "/" (without it, 404: the specification writes every endpoint with it).
 */
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isKobanError, KobanError } from '../core/index.js';
import {
  encodeCursor,
  formatMicros,
  type Page,
  parseQuery,
  type TaxiiOptions,
  TaxiiService,
  type VisibleCollection,
} from '../feeds/index.js';
import type { Actor } from '../intel/index.js';
import { isHttps } from './client.js';
import type { WebContext } from './context.js';
import { ERROR_STATUS } from './errors.js';
import type { LoginThrottle } from './rate-limit.js';
import { TaxiiAuth } from './taxii-auth.js';

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';

declare module 'hono' {
  interface ContextVariableMap {
    /** The response media type the client asked for (set by the TAXII routes). */
    taxiiType: string;
  }
}

/** The TAXII media type the Accept header names (with or without the version), or null. */
export function acceptedTaxiiType(accept: string | undefined): string | null {
  for (const range of (accept ?? '').split(',')) {
    const [type, ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    if (type !== 'application/taxii+json') continue;
    const version = params.find((p) => p.startsWith('version='));
    if (version === undefined) return 'application/taxii+json';
    if (version.replace(/\s/g, '') === 'version=2.1') return TAXII_MEDIA_TYPE;
  }
  return null;
}

function taxiiError(c: Context, status: number, title: string, description: string): Response {
  if (status === 401) c.header('WWW-Authenticate', 'Basic realm="koban-taxii", Bearer realm="koban"');
  return new Response(JSON.stringify({ title, description, http_status: String(status) }), {
    status,
    // Headers set so far (WWW-Authenticate, Retry-After) are kept; the type is always TAXII's.
    headers: { ...Object.fromEntries(c.res.headers), 'content-type': c.get('taxiiType') ?? TAXII_MEDIA_TYPE },
  });
}

const TITLES: Partial<Record<number, string>> = {
  400: 'Bad request',
  401: 'Authentication required',
  403: 'Forbidden',
  404: 'Not found',
  406: 'Not acceptable',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable entity',
  429: 'Too many requests',
};

function taxiiJson(c: Context, body: unknown, status: ContentfulStatusCode = 200): Response {
  return c.newResponse(JSON.stringify(body), status, { 'content-type': c.get('taxiiType') });
}

function dateHeaders(c: Context, page: Page): void {
  const first = page.rows[0];
  const last = page.rows[page.rows.length - 1];
  if (!first || !last) return;
  c.header('X-TAXII-Date-Added-First', formatMicros(first.dateAddedUs));
  c.header('X-TAXII-Date-Added-Last', formatMicros(last.dateAddedUs));
}

/** The envelope/manifest/versions paging properties (§3.7): `next` only when more follow. */
function paging(page: Page): { more: boolean; next?: string } {
  const last = page.rows[page.rows.length - 1];
  return page.more && last ? { more: true, next: encodeCursor(last.dateAddedUs) } : { more: false };
}

const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']}');

/**
 * An envelope of stored objects: their JSON bytes are spliced in as stored (serialised by this
 * server), not parsed, decoded or written again, and the body goes out as one buffer — the
 * string path (join, then UTF-8 encode ~330 KB per page) was most of a page's cost at 1,000.
 */
function envelope(c: Context, page: Page): Response {
  const head = JSON.stringify(paging(page));
  if (page.rows.length === 0) return c.newResponse(head, 200, { 'content-type': c.get('taxiiType') });
  const parts: Uint8Array[] = [Buffer.from(`${head.slice(0, -1)},"objects":[`)];
  for (const [i, v] of page.rows.entries()) {
    if (i > 0) parts.push(COMMA);
    parts.push(v.object);
  }
  parts.push(CLOSE);
  return c.newResponse(Buffer.concat(parts), 200, { 'content-type': c.get('taxiiType') });
}

function collectionResource(v: VisibleCollection) {
  return {
    id: v.def.id,
    title: v.def.title,
    description: v.def.description,
    alias: v.def.alias,
    can_read: v.canRead,
    can_write: v.canWrite,
    media_types: [STIX_MEDIA_TYPE],
  };
}

export function mountTaxii(
  app: Hono,
  ctx: WebContext,
  throttle: LoginThrottle,
  opts: Partial<TaxiiOptions> = {},
): TaxiiService {
  const taxii = new TaxiiService(ctx.intel, opts, ctx.options.now ?? Date.now);
  const auth = new TaxiiAuth(ctx.intel.auth, throttle, ctx.options);
  const root = taxii.options.apiRoot;
  const t = new Hono();
  t.onError((e, c) => {
    if (isKobanError(e)) {
      const status = e.code === 'E_LIMIT' && e.retryAfterS !== undefined ? 429 : ERROR_STATUS[e.code];
      if (e.retryAfterS !== undefined) c.header('Retry-After', String(e.retryAfterS));
      if (status >= 500) ctx.log.error({ err: e }, 'taxii request failed');
      return taxiiError(c, status, TITLES[status] ?? 'Server error', e.message);
    }
    ctx.log.error({ err: e }, 'taxii request failed');
    return taxiiError(c, 500, 'Server error', 'the request could not be completed');
  });
  t.use('/taxii2/*', async (c, next) => {
    const type = acceptedTaxiiType(c.req.header('Accept'));
    c.set('taxiiType', type ?? TAXII_MEDIA_TYPE);
    if (type === null)
      return taxiiError(
        c,
        406,
        'Not acceptable',
        `send Accept: ${TAXII_MEDIA_TYPE} (the only media type of this server's responses)`,
      );
    c.set('actor', await auth.actor(c));
    await next();
  });
  t.get('/taxii2/', (c) => {
    // Absolute, as TAXII clients expect; https when a trusted proxy says the client used it.
    const u = new URL(c.req.url);
    const url = `${isHttps(c, ctx.options) ? 'https:' : u.protocol}//${u.host}/taxii2/${root}/`;
    return taxiiJson(c, {
      title: 'Koban TAXII server',
      description: 'Discovery (TAXII 2.1 §4.1).',
      default: url,
      api_roots: [url],
    });
  });
  apiRootRoutes(t, taxii, `/taxii2/${root}/`);
  t.all('/taxii2/*', (c) =>
    taxiiError(
      c,
      404,
      'Not found',
      `no TAXII endpoint ${c.req.method} ${c.req.path} (every TAXII URL ends in "/")`,
    ),
  );
  // Mounted at "/" with full paths: a prefix would drop the trailing slash TAXII URLs end in.
  app.route('/', t);
  return taxii;
}

const actor = (c: Context): Actor => c.get('actor');

/** The API root's resources: the API root itself, collections, objects, manifest, versions, status. */
function apiRootRoutes(r: Hono, taxii: TaxiiService, base: string): void {
  const query = (c: Context, versions = false) =>
    parseQuery(new URL(c.req.url).searchParams, taxii.options.pageSize, versions);
  r.get(base, (c) =>
    taxiiJson(c, {
      title: taxii.options.title,
      description: taxii.options.description,
      versions: [TAXII_MEDIA_TYPE],
      max_content_length: taxii.options.maxContentLength,
    }),
  );
  r.get(`${base}collections/`, async (c) => {
    const list = (await taxii.collections(actor(c))).map(collectionResource);
    return taxiiJson(c, list.length ? { collections: list } : {});
  });
  r.get(`${base}collections/:id/`, async (c) =>
    taxiiJson(c, collectionResource(await taxii.collection(actor(c), c.req.param('id')))),
  );
  r.get(`${base}collections/:id/objects/`, async (c) => {
    const page = await taxii.objects(actor(c), c.req.param('id'), query(c));
    dateHeaders(c, page);
    return envelope(c, page);
  });
  r.get(`${base}collections/:id/manifest/`, async (c) => {
    const page = await taxii.objects(actor(c), c.req.param('id'), query(c));
    dateHeaders(c, page);
    const objects = page.rows.map((v) => ({
      id: v.stixId,
      date_added: formatMicros(v.dateAddedUs),
      version: v.version,
      media_type: STIX_MEDIA_TYPE,
    }));
    return taxiiJson(c, { ...paging(page), ...(objects.length ? { objects } : {}) });
  });
  r.post(
    `${base}collections/:id/objects/`,
    bodyLimit({
      maxSize: taxii.options.maxContentLength,
      onError: (c) =>
        taxiiError(
          c,
          413,
          'Payload too large',
          `the body is larger than max_content_length (${taxii.options.maxContentLength} bytes); split the envelope`,
        ),
    }),
    async (c) => {
      const type = (c.req.header('Content-Type') ?? '').toLowerCase().replace(/\s/g, '');
      if (type !== TAXII_MEDIA_TYPE && type !== 'application/taxii+json')
        return taxiiError(
          c,
          415,
          'Unsupported media type',
          `POST an envelope as Content-Type: ${TAXII_MEDIA_TYPE}`,
        );
      let doc: unknown;
      try {
        doc = JSON.parse(await c.req.text());
      } catch (e) {
        throw new KobanError('E_FORMAT', `the body is not JSON: ${(e as Error).message}`);
      }
      return taxiiJson(c, await taxii.add(actor(c), c.req.param('id'), doc), 202);
    },
  );
  r.get(`${base}collections/:id/objects/:oid/`, async (c) => {
    const page = await taxii.object(actor(c), c.req.param('id'), c.req.param('oid'), query(c));
    dateHeaders(c, page);
    return envelope(c, page);
  });
  r.delete(`${base}collections/:id/objects/:oid/`, async (c) => {
    await taxii.remove(actor(c), c.req.param('id'), c.req.param('oid'), query(c));
    return c.body(null, 200);
  });
  r.get(`${base}collections/:id/objects/:oid/versions/`, async (c) => {
    const page = await taxii.object(actor(c), c.req.param('id'), c.req.param('oid'), query(c, true));
    dateHeaders(c, page);
    const versions = page.rows.map((v) => v.version);
    return taxiiJson(c, { ...paging(page), ...(versions.length ? { versions } : {}) });
  });
  r.get(`${base}status/:sid/`, async (c) => taxiiJson(c, await taxii.status(actor(c), c.req.param('sid'))));
}
