/**
 * `GET /api/docs`: Swagger UI over the center's OpenAPI document, served from the installed
 * `swagger-ui-dist` package's files — never a CDN, nothing fetched at run time. The page has no
 * inline script or style (the Content-Security-Policy allows none): it loads the bundle and a small
 * script of ours that starts Swagger UI on `/api/v1/openapi.json`. The bundle (1.8 MB) is read
 * once, compressed once off the event loop, and answered gzip'd to clients that accept it.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { OPENAPI_PATH } from './openapi.js';

export const API_DOCS_PATH = '/api/docs';

/** The script that starts Swagger UI: a file of its own, as the Content-Security-Policy wants. */
export const API_DOCS_INIT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '${OPENAPI_PATH}',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** The package's files served under /api/docs/, by name. */
const DIST_FILES: Readonly<Record<string, string>> = {
  'swagger-ui.css': CSS,
  'swagger-ui-bundle.js': JS,
};

interface Asset {
  readonly type: string;
  readonly plain: Buffer;
  readonly gzipped: Buffer;
}

const gzipAsync = promisify(gzip);
const resolveHere = createRequire(import.meta.url).resolve;

async function load(name: string, type: string, bytes?: Buffer): Promise<Asset> {
  const plain = bytes ?? (await readFile(resolveHere(`swagger-ui-dist/${name}`)));
  return { type, plain, gzipped: await gzipAsync(plain) };
}

function page() {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Koban API</title>
<link rel="stylesheet" href="${API_DOCS_PATH}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="${API_DOCS_PATH}/swagger-ui-bundle.js"></script>
<script src="${API_DOCS_PATH}/init.js"></script>
</body></html>`;
}

function send(c: Context, asset: Asset): Response {
  c.header('Content-Type', asset.type);
  c.header('Cache-Control', 'max-age=3600');
  c.header('Vary', 'Accept-Encoding');
  if (!/\bgzip\b/.test(c.req.header('Accept-Encoding') ?? '')) return c.body(new Uint8Array(asset.plain));
  c.header('Content-Encoding', 'gzip');
  return c.body(new Uint8Array(asset.gzipped));
}

export function mountApiDocs(app: Hono): void {
  const assets = new Map<string, Promise<Asset>>();
  const asset = (name: string, type: string, bytes?: Buffer) => {
    let a = assets.get(name);
    if (!a) {
      a = load(name, type, bytes);
      // A failed read is tried again at the next request, not remembered.
      a.catch(() => assets.delete(name));
      assets.set(name, a);
    }
    return a;
  };
  app.get(API_DOCS_PATH, (c) => c.html(page()));
  app.get(`${API_DOCS_PATH}/init.js`, async (c) =>
    send(c, await asset('init.js', JS, Buffer.from(API_DOCS_INIT))),
  );
  for (const [name, type] of Object.entries(DIST_FILES))
    app.get(`${API_DOCS_PATH}/${name}`, async (c) => send(c, await asset(name, type)));
}
