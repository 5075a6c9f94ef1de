/**
 * One way to add a REST route: the route declares its inputs (path, query, body by media type) and
 * answers as zod schemas, who may call it and its body limits; `ApiRoutes.add` registers the
 * declaration in the OpenAPI registry (api-route-doc.ts) and mounts a handler that authenticates
 * (auth-middleware.ts; a sensor's token through middleware/sensor-auth; the operator's token),
 * checks the scope, admits the request, validates path and query, refuses unsupported media types
 * (415) and oversized bodies (413), parses and validates the body (a gzip body through
 * middleware/gzip-body), and only then calls the route's code with typed values. Errors are
 * thrown as `KobanError` and answered by errors.ts in the one shape `{ "error": { "code",
 * "message" } }`; the few statuses its table lacks are answered here in it. A deprecated route
 * says so on every answer (`Deprecation: true`, and a `Link` to its successor).
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode, StatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { KobanError } from '../core/index.js';
import { type Actor, ANONYMOUS, type AuthService, type Scope } from '../intel/index.js';
import { ApiErrorSchema, type ErrorStatus, operationDoc, type RouteAuth } from './api-route-doc.js';
import { type ClientOptions, requireRouteScope, resolveActor } from './auth-middleware.js';
import { errorResponse } from './errors.js';
import { gzipBody } from './middleware/gzip-body/index.js';
import { sendsOperatorToken } from './observer-access.js';
import type { ApiRegistry, HttpMethod, ResponseDoc } from './openapi.js';

export { ApiErrorSchema, ERROR_DESCRIPTIONS, type ErrorStatus, errorResponseDocs } from './api-route-doc.js';
export { errorResponse } from './errors.js';

export interface JsonBody<T> {
  readonly kind: 'json';
  readonly value: T;
}
export interface RawBody {
  readonly kind: 'raw';
  readonly mediaType: string;
  readonly bytes: Buffer;
}
/** A gzip-compressed body, still compressed (recognised by its magic bytes, not its headers). */
export interface GzipBody {
  readonly kind: 'gzip';
  readonly bytes: Uint8Array;
}

export interface BodySpec {
  readonly json?: { readonly schema: z.ZodType; readonly maxBytes: number };
  readonly raw?: {
    readonly mediaTypes: readonly string[];
    readonly maxBytes: number;
    readonly description: string;
  };
  /** Whatever its Content-Type; documented under `mediaType`. Not combined with json or raw. */
  readonly gzip?: { readonly mediaType: string; readonly maxBytes: number; readonly description: string };
}

type ObjectSchema = z.ZodType<Record<string, unknown>>;

export interface RouteSpec<P extends ObjectSchema, Q extends ObjectSchema, B extends BodySpec | undefined> {
  readonly method: HttpMethod;
  /** OpenAPI form: `/api/v1/reports/{id}`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  /**
   * `none`: no credentials are read (the route handles them itself: login, logout). `observer`:
   * as `actor`, and the center's operator token (`kbo_…`) is accepted too — it passes the scope
   * check and the handler sees `operator: true` (the actor is then the anonymous one: the
   * operator token is no key to the intel services). `operator`: the operator token only.
   * `sensor`: a sensor token only (the sensor is in `c.var.sensor`).
   */
  readonly auth: RouteAuth;
  /** Checked before anything else is read; the anonymous public has the read scopes. */
  readonly scope?: Scope;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /** Successful answers; the error answers the route can give are added to the document. */
  readonly responses: Readonly<Record<number, ResponseDoc>>;
  /** Error statuses beyond those the declaration implies (401/403 from auth, 400 from inputs, 413/415 from a body). */
  readonly errors?: readonly ErrorStatus[];
  /**
   * Runs after authentication and the scope check and before the body is read: a refusal here
   * (a rate limit, a full queue, a quota) costs the server nothing of the upload.
   */
  readonly admit?: (actor: Actor, c: Context) => Promise<void> | void;
  /** The route answers for one more release: its successor, in OpenAPI form (`{id}` filled in). */
  readonly deprecated?: { readonly successor: string };
  /**
   * Paths the route answered at before (OpenAPI form, each with its operation id): they keep
   * answering for one release, as deprecated routes whose successor is this one.
   */
  readonly formerPaths?: readonly { readonly path: string; readonly operationId: string }[];
}

type BodyOf<B> = B extends BodySpec
  ?
      | (B['json'] extends { schema: infer S extends z.ZodType } ? JsonBody<z.output<S>> : never)
      | (B['raw'] extends object ? RawBody : never)
      | (B['gzip'] extends object ? GzipBody : never)
  : undefined;

type Out<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;

export interface RouteInput<P, Q, B> {
  readonly c: Context;
  readonly actor: Actor;
  /** The request carried the valid operator token (routes with `auth: 'observer'` or `'operator'`). */
  readonly operator: boolean;
  readonly params: Out<P>;
  readonly query: Out<Q>;
  readonly body: BodyOf<B>;
}

/** A JSON answer (checked against the declared schema when asked), or a ready Response. */
export type ApiResult =
  | { readonly status: number; readonly body: unknown; readonly headers?: Record<string, string> }
  | Response;

export interface ApiRoutesOptions extends ClientOptions {
  /** Parse every JSON answer with its declared schema (tests; a mismatch is a 500). */
  readonly validateResponses?: boolean;
  /** Checks an operator token (throws E_AUTH); without it, `observer` and `operator` routes refuse one. */
  readonly requireOperator?: (authorization: string | undefined) => void;
  /** Authenticates `sensor` routes (middleware/sensor-auth); without it they cannot be added. */
  readonly sensorAuth?: MiddlewareHandler;
}

type AnySpec = RouteSpec<ObjectSchema, ObjectSchema, BodySpec | undefined>;

function issues(where: string, e: z.ZodError): string {
  const parts = e.issues.slice(0, 5).map((i) => {
    const path = i.path.map(String).join('.');
    return path ? `${path}: ${i.message}` : i.message;
  });
  const more = e.issues.length > 5 ? ` (and ${e.issues.length - 5} more)` : '';
  return `${where}: ${parts.join('; ')}${more}`;
}

/** Validates a value against a schema; E_USAGE naming the first problems where it fails. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, where: string): T;
export function parseInput<T>(
  schema: z.ZodType<T> | undefined,
  value: unknown,
  where: string,
): T | Record<string, never>;
export function parseInput<T>(
  schema: z.ZodType<T> | undefined,
  value: unknown,
  where: string,
): T | Record<string, never> {
  if (!schema) return {};
  const r = schema.safeParse(value);
  if (!r.success) throw new KobanError('E_USAGE', issues(where, r.error));
  return r.data;
}

function mediaType(c: Context): string {
  return (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
}

function isJsonType(t: string): boolean {
  return t === 'application/json' || (t.startsWith('application/') && t.endsWith('+json'));
}

/** Runs a Hono middleware in a handler: its refusal, or what `then` answers once it lets the request on. */
async function through(mw: MiddlewareHandler, c: Context, then: () => Promise<Response>): Promise<Response> {
  let answer: Response | undefined;
  const early = await mw(c, async () => {
    answer = await then();
  });
  return answer ?? (early instanceof Response ? early : c.res);
}

/** A path in OpenAPI form with the request's parameters filled in. */
function fill(path: string, c: Context): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(c.req.param(name) ?? ''));
}

export class ApiRoutes {
  constructor(
    private readonly app: Hono,
    readonly registry: ApiRegistry,
    private readonly auth: AuthService,
    private readonly opts: ApiRoutesOptions = {},
  ) {
    if (!registry.schemas.has(ApiErrorSchema))
      registry.name(ApiErrorSchema, 'Error', 'The one error shape of the API.');
  }

  get clientOptions(): ClientOptions {
    return { trustProxy: this.opts.trustProxy ?? false };
  }

  add<
    P extends ObjectSchema = ObjectSchema,
    Q extends ObjectSchema = ObjectSchema,
    B extends BodySpec | undefined = undefined,
  >(spec: RouteSpec<P, Q, B>, handler: (input: RouteInput<P, Q, B>) => Promise<ApiResult>): void {
    const sensorAuth = this.opts.sensorAuth;
    if (spec.auth === 'sensor' && !sensorAuth)
      throw new Error(`${spec.operationId}: a sensor route needs ApiRoutesOptions.sensorAuth`);
    for (const former of spec.formerPaths ?? [])
      this.add({ ...spec, ...former, formerPaths: undefined, deprecated: { successor: spec.path } }, handler);
    this.registry.add(operationDoc(spec));
    const readBody = this.bodyReader(spec as AnySpec);
    const run = async (c: Context): Promise<Response> => {
      if (spec.deprecated) {
        c.header('Deprecation', 'true');
        c.header('Link', `<${fill(spec.deprecated.successor, c)}>; rel="successor-version"`);
      }
      const { actor, operator } = await this.caller(c, spec.auth);
      if (spec.scope !== undefined && !operator) requireRouteScope(c, actor, spec.scope);
      c.set('actor', actor);
      await spec.admit?.(actor, c);
      const params = parseInput(spec.params, c.req.param(), 'path') as Out<P>;
      const query = parseInput(spec.query, c.req.query(), 'query') as Out<Q>;
      return readBody(c, async (body) =>
        this.respond(
          c,
          spec as AnySpec,
          await handler({ c, actor, operator, params, query, body: body as BodyOf<B> }),
        ),
      );
    };
    const path = spec.path.replace(/\{(\w+)\}/g, ':$1');
    const method = spec.method.toUpperCase();
    if (spec.auth === 'sensor') this.app.on(method, path, (c) => through(sensorAuth!, c, () => run(c)));
    else this.app.on(method, path, run);
  }

  private async caller(c: Context, auth: RouteAuth): Promise<{ actor: Actor; operator: boolean }> {
    if (auth === 'none' || auth === 'sensor') return { actor: ANONYMOUS, operator: false };
    if (auth === 'operator' || (auth === 'observer' && sendsOperatorToken(c))) {
      if (!this.opts.requireOperator)
        throw new KobanError('E_AUTH', 'the operator token is not accepted here');
      this.opts.requireOperator(c.req.header('Authorization'));
      return { actor: ANONYMOUS, operator: true };
    }
    return { actor: await resolveActor(c, this.auth), operator: false };
  }

  /** Reads the body the route declares (none, JSON or raw by media type, or gzip) and hands it on. */
  private bodyReader(spec: AnySpec) {
    type Then = (body: JsonBody<unknown> | RawBody | GzipBody | undefined) => Promise<Response>;
    const body = spec.body;
    if (!body) return (_c: Context, then: Then) => then(undefined);
    if (body.gzip) {
      const gzip = gzipBody({ maxBytes: body.gzip.maxBytes, content: body.gzip.description });
      return (c: Context, then: Then) =>
        through(gzip, c, () => then({ kind: 'gzip', bytes: c.var.gzipBody }));
    }
    const limits = {
      json: body.json ? this.limiter(body.json.maxBytes) : null,
      raw: body.raw ? this.limiter(body.raw.maxBytes) : null,
    };
    return (c: Context, then: Then) => {
      const type = mediaType(c);
      const asJson = body.json !== undefined && isJsonType(type);
      const asRaw = !asJson && (body.raw?.mediaTypes.includes(type) ?? false);
      if (!asJson && !asRaw) {
        const accepted = [...(body.json ? ['application/json'] : []), ...(body.raw?.mediaTypes ?? [])];
        return Promise.resolve(
          errorResponse(
            c,
            415,
            'E_FORMAT',
            `Content-Type ${type || '(none)'} is not accepted here; send ${accepted.join(' or ')}`,
          ),
        );
      }
      return through(asJson ? limits.json! : limits.raw!, c, async () => {
        const bytes = Buffer.from(await c.req.arrayBuffer());
        if (bytes.length === 0) throw new KobanError('E_USAGE', 'the body is empty');
        return then(
          asJson
            ? { kind: 'json', value: parseInput(body.json!.schema, parseJson(bytes), 'body') }
            : { kind: 'raw', mediaType: type, bytes },
        );
      });
    };
  }

  private limiter(maxBytes: number) {
    return bodyLimit({
      maxSize: maxBytes,
      onError: (c) => errorResponse(c, 413, 'E_LIMIT', `the body is larger than ${maxBytes} bytes`),
    });
  }

  private respond(c: Context, spec: AnySpec, r: ApiResult) {
    if (r instanceof Response) return r;
    if (this.opts.validateResponses) {
      const schema = spec.responses[r.status]?.schema;
      const checked = schema?.safeParse(r.body);
      if (!checked?.success)
        throw new KobanError(
          'E_INTERNAL',
          `${spec.operationId} answered ${r.status} outside its declaration: ${checked ? issues('body', checked.error) : 'no schema'}`,
        );
    }
    for (const [k, v] of Object.entries(r.headers ?? {})) c.header(k, v);
    return c.json(r.body, r.status as ContentfulStatusCode & StatusCode);
  }
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (e) {
    throw new KobanError('E_FORMAT', `the body is not valid JSON: ${(e as Error).message}`);
  }
}
