/**
 * Swagger UI at /api/docs, from the installed swagger-ui-dist files and a start-up script of ours:
 * no CDN, no inline script, the Content-Security-Policy relaxed only for the icons its stylesheet
 * draws as data: images, on that page alone.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, openApiWorld } from '../../test/api-world.js';

const dist = (name: string) =>
  readFileSync(createRequire(import.meta.url).resolve(`swagger-ui-dist/${name}`));

let w: ApiWorld;
beforeAll(async () => {
  w = await openApiWorld();
});
afterAll(async () => {
  await w.close();
});

describe('the API documentation page', () => {
  it('loads Swagger UI from the center itself, with no inline script or style', async () => {
    const r = await w.request('/api/docs');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('text/html; charset=UTF-8');
    const page = await r.text();
    expect([...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1])).toEqual([
      '/api/docs/swagger-ui.css',
      '/api/docs/swagger-ui-bundle.js',
      '/api/docs/init.js',
    ]);
    expect(page).not.toMatch(/<script>|<style|style=|https?:/);
    expect(r.headers.get('Content-Security-Policy')).toBe(
      "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'; img-src 'self' data:",
    );
    // Every other page keeps the strict policy.
    expect((await w.request('/')).headers.get('Content-Security-Policy')).not.toContain('data:');
  });

  it('serves the installed swagger-ui-dist files, gzip’d to clients that take it', async () => {
    for (const [name, type] of [
      ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
      ['swagger-ui.css', 'text/css; charset=utf-8'],
    ] as const) {
      const plain = await w.request(`/api/docs/${name}`);
      expect(plain.status).toBe(200);
      expect(plain.headers.get('Content-Type')).toBe(type);
      expect(plain.headers.get('Content-Encoding')).toBeNull();
      expect(Buffer.from(await plain.arrayBuffer()).equals(dist(name))).toBe(true);
      const gz = await w.request(`/api/docs/${name}`, { headers: { 'Accept-Encoding': 'gzip, br' } });
      expect(gz.headers.get('Content-Encoding')).toBe('gzip');
      expect(gz.headers.get('Vary')).toBe('Accept-Encoding');
      expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).equals(dist(name))).toBe(true);
    }
  });

  it('starts Swagger UI on the center’s OpenAPI document', async () => {
    const r = await w.request('/api/docs/init.js');
    expect(r.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8');
    const js = await r.text();
    expect(js).toContain('SwaggerUIBundle({');
    expect(js).toContain("url: '/api/v1/openapi.json'");
  });
});
