/**
 * The OpenAPI document served at /api/v1/openapi.json: valid JSON, OpenAPI 3.1, every intel route
 * with its request and answer schemas, every reference resolvable, and every documented route
 * actually routed by the app (none of them falls through to "no route").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, openApiWorld } from '../../test/api-world.js';

type Json = Record<string, unknown>;
type Operation = {
  operationId: string;
  security: Json[];
  parameters?: { name: string; in: string; required: boolean; schema: Json }[];
  requestBody?: { content: Record<string, { schema: Json }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Json }> }>;
};

let w: ApiWorld;
let doc: { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Json } };
beforeAll(async () => {
  w = await openApiWorld();
  const r = await w.request('/api/v1/openapi.json');
  expect(r.status).toBe(200);
  expect(r.headers.get('Content-Type')).toMatch(/^application\/json/);
  doc = JSON.parse(await r.text());
});
afterAll(async () => {
  await w.close();
});

const ops = () =>
  Object.entries(doc.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, op]) => ({ path, method, op })),
  );

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists every route of the center', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(ops().map((o) => `${o.method.toUpperCase()} ${o.path}`)).toEqual([
      'POST /api/v1/advisories',
      'GET /api/v1/advisories',
      'GET /api/v1/advisories/{id}',
      'POST /api/v1/advisories/{id}/received',
      'POST /api/v1/advisories/{id}/send',
      'POST /api/v1/alerts',
      'GET /api/v1/alerts',
      'GET /api/v1/alerts/{id}',
      'POST /api/v1/alerts/{id}/received',
      'POST /api/v1/alerts/{id}/send',
      'GET /api/v1/anonymizer/check',
      'POST /api/v1/anonymizer/evidence',
      'GET /api/v1/anonymizer/evidence',
      'GET /api/v1/anonymizer/evidence/{id}',
      'GET /api/v1/campaigns',
      'GET /api/v1/campaigns/{id}',
      'POST /api/v1/declassifications',
      'GET /api/v1/declassifications',
      'GET /api/v1/declassifications/{id}',
      'POST /api/v1/declassifications/{id}/approve',
      'POST /api/v1/declassifications/{id}/consent',
      'POST /api/v1/declassifications/{id}/refuse',
      'GET /api/v1/feeds/blocklist.csv',
      'GET /api/v1/feeds/blocklist.rpz',
      'GET /api/v1/feeds/blocklist.rules',
      'GET /api/v1/feeds/blocklist.txt',
      'GET /api/v1/feeds/misp/{file}',
      'POST /api/v1/feeds/sightings',
      'GET /api/v1/feeds/sightings',
      'GET /api/v1/feeds/sightings/mine',
      'GET /api/v1/indicators',
      'POST /api/v1/ingest',
      'GET /api/v1/intel/export',
      'GET /api/v1/openapi.json',
      'GET /api/v1/operator/alerts',
      'GET /api/v1/operator/alerts/{id}',
      'POST /api/v1/operator/alerts/{id}/ack',
      'POST /api/v1/operator/alerts/{id}/close',
      'GET /api/v1/operator/backscatter',
      'GET /api/v1/operator/scanners',
      'POST /api/v1/orgs/{id}/disable',
      'POST /api/v1/orgs/{id}/enable',
      'GET /api/v1/recorder/center-key',
      'POST /api/v1/recorder/heads',
      'GET /api/v1/recorder/heads',
      'POST /api/v1/reports',
      'GET /api/v1/reports',
      'GET /api/v1/reports/{id}',
      'POST /api/v1/session',
      'GET /api/v1/session',
      'DELETE /api/v1/session',
      'GET /api/v1/stats/{view}',
      'DELETE /api/v1/tokens/{id}',
      'POST /api/v1/users/{id}/disable',
      'POST /api/v1/users/{id}/enable',
      'DELETE /api/v1/users/{id}/sessions',
      'GET /api/v1/users/{id}/tokens',
      'GET /healthz',
      'GET /metrics',
    ]);
  });

  it('gives every input its schema: path and query parameters, and the bodies by media type', () => {
    const submit = doc.paths['/api/v1/reports']!.post!;
    expect(Object.keys(submit.requestBody!.content)).toEqual(['application/json', 'message/rfc822']);
    expect(submit.requestBody!.content['application/json']!.schema).toMatchObject({
      properties: { report: { $ref: '#/components/schemas/ReportInput' } },
    });
    expect(submit.parameters!.map((p) => p.name)).toEqual([
      'tlp',
      'consent',
      'audienceOrgs',
      'audienceUsers',
    ]);
    expect(doc.paths['/api/v1/reports/{id}']!.get!.parameters).toContainEqual(
      expect.objectContaining({
        name: 'id',
        in: 'path',
        required: true,
        schema: expect.objectContaining({ type: 'integer' }),
      }),
    );
    expect(doc.paths['/api/v1/indicators']!.get!.parameters).toContainEqual(
      expect.objectContaining({ name: 'value', in: 'query', required: true }),
    );
    expect(doc.paths['/api/v1/session']!.post!.requestBody!.content['application/json']!.schema).toEqual({
      $ref: '#/components/schemas/Login',
    });
    for (const { path, method, op } of ops()) {
      for (const p of op.parameters ?? [])
        expect(p.schema, `${method} ${path} ${p.name}`).toBeTypeOf('object');
      for (const [type, c] of Object.entries(op.requestBody?.content ?? {}))
        expect(c.schema, `${method} ${path} ${type}`).toBeTypeOf('object');
    }
  });

  it('gives every answer with a body its schema, errors the one error shape', () => {
    for (const { path, method, op } of ops()) {
      for (const [status, r] of Object.entries(op.responses)) {
        const where = `${method.toUpperCase()} ${path} ${status}`;
        // 204 and 304 carry no body (RFC 9110 §15.3.5, §15.4.5).
        if (status === '204' || status === '304') {
          expect(r.content, where).toBeUndefined();
          continue;
        }
        // JSON, or the one media type of a body that is not (Prometheus text, a STIX bundle).
        const schema = r.content?.['application/json']?.schema ?? Object.values(r.content ?? {})[0]?.schema;
        expect(schema, where).toBeTypeOf('object');
        if (Number(status) >= 400) expect(schema, where).toEqual({ $ref: '#/components/schemas/Error' });
      }
    }
    expect(
      doc.paths['/api/v1/reports/{id}']!.get!.responses['200']!.content!['application/json']!.schema,
    ).toEqual({
      $ref: '#/components/schemas/Report',
    });
    expect(doc.components.schemas.Error).toEqual({
      type: 'object',
      properties: {
        error: {
          type: 'object',
          properties: { code: { type: 'string' }, message: { type: 'string' } },
          required: ['code', 'message'],
          additionalProperties: false,
        },
      },
      required: ['error'],
      additionalProperties: false,
      description: 'The one error shape of the API.',
    });
  });

  it('states the credentials and scope of each route', () => {
    const sec = (path: string, method: string) => doc.paths[path]![method]!.security;
    expect(sec('/api/v1/reports', 'post')).toEqual([
      { bearerToken: ['reports:write'] },
      { sessionCookie: ['reports:write'] },
    ]);
    expect(sec('/api/v1/reports/{id}', 'get')).toEqual([
      { bearerToken: ['reports:read'] },
      { sessionCookie: ['reports:read'] },
      {},
    ]);
    expect(sec('/api/v1/session', 'post')).toEqual([]);
    expect(sec('/api/v1/stats/{view}', 'get')).toEqual([
      { operatorToken: [] },
      { bearerToken: [] },
      { sessionCookie: [] },
      {},
    ]);
    expect(sec('/metrics', 'get')).toEqual([
      { operatorToken: [] },
      { bearerToken: ['observations:read'] },
      { sessionCookie: ['observations:read'] },
    ]);
    expect(sec('/api/v1/ingest', 'post')).toEqual([{ sensorToken: [] }]);
    expect(sec('/api/v1/operator/alerts', 'get')).toEqual([{ operatorToken: [] }]);
  });

  it('marks the paths of the previous release deprecated, and only those', () => {
    const deprecated = ops()
      .filter((o) => (o.op as { deprecated?: boolean }).deprecated === true)
      .map((o) => `${o.method.toUpperCase()} ${o.path}`);
    expect(deprecated).toEqual([
      'POST /api/v1/alerts',
      'GET /api/v1/alerts',
      'GET /api/v1/alerts/{id}',
      'POST /api/v1/alerts/{id}/received',
      'POST /api/v1/alerts/{id}/send',
    ]);
  });

  it('documents the ingest, stats, health and metrics routes with their inputs and answers', () => {
    const stats = doc.paths['/api/v1/stats/{view}']!.get!;
    expect(stats.parameters!.map((p) => `${p.in} ${p.name}`)).toEqual([
      'path view',
      'query from',
      'query to',
      'query bucket',
      'query proto',
      'query port',
      'query top',
      'query kind',
      'query sensor',
      'query tz',
      'query domestic',
    ]);
    expect(stats.parameters![0]!.schema).toMatchObject({
      enum: [
        'total',
        'sensor-rate',
        'countries',
        'techniques',
        'worm-countries',
        'ports',
        'port-series',
        'neighbours',
        'sources',
      ],
    });
    expect(Object.keys(stats.responses)).toEqual(['200', '400', '401', '403']);
    const ingest = doc.paths['/api/v1/ingest']!.post!;
    expect(Object.keys(ingest.requestBody!.content)).toEqual(['application/x-ndjson']);
    expect(ingest.responses['200']!.content!['application/json']!.schema).toEqual({
      $ref: '#/components/schemas/IngestResult',
    });
    expect(Object.keys(doc.paths['/metrics']!.get!.responses['200']!.content!)).toEqual([
      'text/plain; version=0.0.4',
    ]);
    expect(doc.paths['/healthz']!.get!.responses['200']!.content!['application/json']!.schema).toEqual({
      $ref: '#/components/schemas/Health',
    });
  });

  it('says that every date in the API is ISO 8601, and declares no epoch-millisecond field', () => {
    expect((doc as unknown as { info: { description: string } }).info.description).toContain(
      'Every date and time in the API is an ISO 8601 string',
    );
    const epochish: string[] = [];
    const walk = (v: unknown, where: string) => {
      if (Array.isArray(v)) {
        for (const [i, x] of v.entries()) walk(x, `${where}[${i}]`);
      } else if (v !== null && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) {
          if (k === 'properties' && x !== null && typeof x === 'object')
            for (const name of Object.keys(x)) if (/(Ms|_ms)$/.test(name)) epochish.push(`${where}.${name}`);
          walk(x, `${where}.${k}`);
        }
    };
    walk(doc.components.schemas, 'components');
    walk(doc.paths, 'paths');
    expect(epochish).toEqual([]);
  });

  it('resolves every reference to a component', () => {
    const refs = new Set<string>();
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v !== null && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) {
          if (k === '$ref' && typeof x === 'string') refs.add(x);
          else walk(x);
        }
    };
    walk(doc);
    expect(refs.size).toBeGreaterThan(10);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[ref.split('/').pop()!], ref).toBeDefined();
    }
  });

  it('documents only routes the app answers', async () => {
    for (const { path, method } of ops()) {
      const r = await w.request(path.replace('{id}', '1'), { method: method.toUpperCase() });
      const body = r.status === 204 ? null : ((await r.json()) as { error?: { message: string } });
      expect(body?.error?.message ?? '', `${method} ${path}`).not.toMatch(/^no route /);
    }
  });
});
