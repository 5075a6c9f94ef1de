/**
 * The OpenAPI 3.1 document of the REST API, assembled from the zod schemas each route validates
 * its input with and answers with (`z.toJSONSchema`; OpenAPI 3.1's schema dialect is JSON Schema
 * 2020-12, zod's default target). Routes register an `OperationDoc` here as they are mounted
 * (api-route.ts does it for every route it adds), so the document cannot list a route that does
 * not exist or miss one that does. Schemas named with `ApiRegistry.name` become
 * `components.schemas` entries and are referenced, not repeated.
 */
import type { Hono } from 'hono';
import { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export const OPENAPI_PATH = '/api/v1/openapi.json';

export interface ResponseDoc {
  readonly description: string;
  /** The JSON body; absent for answers without one (204). */
  readonly schema?: z.ZodType;
  /** A body that is not JSON (Prometheus text): its media type; the body is then a string. */
  readonly mediaType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RequestBodyDoc {
  readonly json?: z.ZodType;
  /** Bodies taken as bytes (a raw e-mail), by media type. */
  readonly raw?: { readonly mediaTypes: readonly string[]; readonly description: string };
  readonly maxBytes: Readonly<Record<string, number>>;
}

export interface OperationDoc {
  readonly method: HttpMethod;
  /** OpenAPI form, `{name}` for path parameters. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string | undefined;
  readonly tags: readonly string[];
  /**
   * none: no credentials read; optional: the anonymous public may call too; required: a user
   * must; sensor: a sensor token only; operator: the operator token only.
   */
  readonly security: 'none' | 'optional' | 'required' | 'sensor' | 'operator';
  /** The operator token is accepted too (and passes the scope). */
  readonly operator?: boolean | undefined;
  readonly scope?: string | undefined;
  readonly params?: z.ZodType | undefined;
  readonly query?: z.ZodType | undefined;
  readonly body?: RequestBodyDoc | undefined;
  readonly responses: Readonly<Record<number, ResponseDoc>>;
  /** Answers for one more release; its successor is named in the description. */
  readonly deprecated?: boolean | undefined;
}

export interface ApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

type Json = Record<string, unknown>;

export const SECURITY_SCHEMES = {
  bearerToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token (`kbt_…`) with scopes; the scope a route needs is listed with it.',
  },
  sessionCookie: {
    type: 'apiKey',
    in: 'cookie',
    name: 'koban_session',
    description:
      'The session cookie set by `POST /api/v1/session` (a session carries all its role’s scopes).',
  },
  operatorToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'The center operator’s token (`kbo_…`, from `koban operator-token`).',
  },
  sensorToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'A sensor’s token (from `koban sensor add`).',
  },
} as const;

export class ApiRegistry {
  /** Schemas with an id: each is one `components.schemas` entry. */
  readonly schemas = z.registry<{ id: string; description?: string }>();
  private readonly ops: OperationDoc[] = [];

  /** Gives a schema a component name (and a description); returns it, for use in declarations. */
  name<S extends z.ZodType>(schema: S, id: string, description?: string): S {
    this.schemas.add(schema, description === undefined ? { id } : { id, description });
    return schema;
  }

  add(op: OperationDoc): void {
    if (this.ops.some((o) => o.method === op.method && o.path === op.path))
      throw new Error(`${op.method.toUpperCase()} ${op.path} is registered twice`);
    if (this.ops.some((o) => o.operationId === op.operationId))
      throw new Error(`operationId ${op.operationId} is used twice`);
    this.ops.push(op);
  }

  get operations(): readonly OperationDoc[] {
    return this.ops;
  }

  document(info: ApiInfo): Json {
    return buildDocument(this, info);
  }
}

/** Converts one schema, moving its named sub-schemas into `components` and pointing refs there. */
function convert(reg: ApiRegistry, components: Json, schema: z.ZodType, io: 'input' | 'output'): Json {
  // Transforms and the like have no JSON Schema form: `any` keeps the rest of the document.
  const json = z.toJSONSchema(schema, {
    io,
    metadata: reg.schemas,
    unrepresentable: 'any',
    // `.describe()` notes live in zod's global registry; component ids live in ours.
    override: ({ zodSchema, jsonSchema }) => {
      const description = z.globalRegistry.get(zodSchema)?.description;
      if (description !== undefined && jsonSchema.description === undefined)
        jsonSchema.description = description;
    },
  }) as Json;
  const defs = (json.$defs ?? {}) as Record<string, Json>;
  delete json.$schema;
  delete json.$defs;
  const rename = new Map<string, string>();
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (v === null || typeof v !== 'object') return v;
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string' && x.startsWith('#/$defs/')) {
        const id = x.slice('#/$defs/'.length);
        out[k] = `#/components/schemas/${rename.get(id) ?? id}`;
      } else out[k] = rewrite(x);
    }
    return out;
  };
  for (const [id, def] of Object.entries(defs)) {
    // A schema with defaults reads differently as input (optional) and output (required).
    const form = rewrite(def);
    let name = id;
    if (components[name] !== undefined && !sameJson(components[name], form)) {
      name = `${id}${io === 'input' ? 'Input' : 'Output'}`;
      if (components[name] !== undefined && !sameJson(components[name], form))
        throw new Error(`schema ${id} converts to two different forms`);
    }
    rename.set(id, name);
  }
  for (const [id, def] of Object.entries(defs)) components[rename.get(id)!] = rewrite(def);
  return rewrite(json) as Json;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function parameters(reg: ApiRegistry, components: Json, schema: z.ZodType, where: 'path' | 'query'): Json[] {
  const json = convert(reg, components, schema, 'input');
  const props = (json.properties ?? {}) as Record<string, Json>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => {
    const { description, ...rest } = s;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function security(op: OperationDoc): Json[] {
  if (op.security === 'none') return [];
  if (op.security === 'sensor') return [{ sensorToken: [] }];
  if (op.security === 'operator') return [{ operatorToken: [] }];
  const scopes = op.scope ? [op.scope] : [];
  const schemes: Json[] = [
    ...(op.operator ? [{ operatorToken: [] }] : []),
    { bearerToken: scopes },
    { sessionCookie: scopes },
  ];
  // `{}`: no credentials at all is also accepted (the anonymous public, TLP:CLEAR only).
  return op.security === 'optional' ? [...schemes, {}] : schemes;
}

function operation(reg: ApiRegistry, components: Json, op: OperationDoc): Json {
  const params = [
    ...(op.params ? parameters(reg, components, op.params, 'path') : []),
    ...(op.query ? parameters(reg, components, op.query, 'query') : []),
  ];
  let requestBody: Json | undefined;
  if (op.body) {
    const content: Json = {};
    if (op.body.json)
      content['application/json'] = { schema: convert(reg, components, op.body.json, 'input') };
    for (const t of op.body.raw?.mediaTypes ?? [])
      content[t] = {
        // OpenAPI 3.1 §4.8.14.3: bytes as a string with the body's media type.
        schema: { type: 'string', contentMediaType: t, description: op.body.raw!.description },
      };
    const limits = Object.entries(op.body.maxBytes)
      .map(([t, n]) => `${t} ≤ ${n} bytes`)
      .join(', ');
    requestBody = { required: true, description: `Size limits: ${limits}.`, content };
  }
  const responses: Json = {};
  for (const [status, r] of Object.entries(op.responses)) {
    responses[status] = {
      description: r.description,
      ...(r.headers
        ? {
            headers: Object.fromEntries(
              Object.entries(r.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }]),
            ),
          }
        : {}),
      ...(r.mediaType
        ? { content: { [r.mediaType]: { schema: { type: 'string' } } } }
        : r.schema
          ? { content: { 'application/json': { schema: convert(reg, components, r.schema, 'output') } } }
          : {}),
    };
  }
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [...op.tags],
    ...(op.deprecated ? { deprecated: true } : {}),
    security: security(op),
    ...(op.scope ? { 'x-koban-scope': op.scope } : {}),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

function buildDocument(reg: ApiRegistry, info: ApiInfo): Json {
  const components: Json = {};
  const paths: Record<string, Json> = {};
  const ops = [...reg.operations].sort((a, b) => a.path.localeCompare(b.path));
  for (const op of ops) {
    paths[op.path] ??= {};
    paths[op.path]![op.method] = operation(reg, components, op);
  }
  const sorted = Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b)));
  return {
    openapi: '3.1.0',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: { schemas: sorted, securitySchemes: SECURITY_SCHEMES },
  };
}

/** Serves the registry's document; built on the first request, after every route was mounted. */
export function mountOpenApi(app: Hono, reg: ApiRegistry, info: ApiInfo): void {
  reg.add({
    method: 'get',
    path: OPENAPI_PATH,
    operationId: 'getOpenApi',
    summary: 'This document',
    tags: ['meta'],
    security: 'none',
    responses: {
      200: {
        description: 'The OpenAPI 3.1 document of the REST API.',
        schema: z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) }),
      },
    },
  });
  let cached: { ops: number; doc: Json } | null = null;
  app.get(OPENAPI_PATH, (c) => {
    if (cached?.ops !== reg.operations.length)
      cached = { ops: reg.operations.length, doc: reg.document(info) };
    return c.json(cached.doc);
  });
}
