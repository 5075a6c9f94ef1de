/**
 * One way to add a REST route: the route declares its inputs (path, query, body by media type) and
 * answers as zod schemas, its scope and its body limits; `ApiRoutes.add` registers the declaration
 * in the OpenAPI registry and mounts a handler that authenticates (auth-middleware.ts), checks the
 * scope, validates path and query, refuses unsupported media types (415) and oversized bodies
 * (Hono's bodyLimit, 413), parses and validates the body, and only then calls the route's code
 * with typed values. Errors are thrown as `KobanError` and answered by app.ts in the one shape
 * `{ "error": { "code", "message" } }`; the few statuses that table lacks are answered here in it.
 */
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode, StatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { KobanError } from '../core/index.js';
import { type Actor, ANONYMOUS, type AuthService, hasScope, type Scope } from '../intel/index.js';
import { type ClientOptions, requireRouteScope, resolveActor } from './auth-middleware.js';
import { sendsOperatorToken } from './observer-access.js';
import type { ApiRegistry, HttpMethod, OperationDoc, ResponseDoc } from './openapi.js';

/** `{ "error": { "code", "message" } }`: `code` is stable (E_AUTH, E_NOT_FOUND, …), `message` is for people. */
export const ApiErrorSchema = z.strictObject({
  error: z.strictObject({ code: z.string(), message: z.string() }),
});

export interface JsonBody<T> {
  readonly kind: 'json';
  readonly value: T;
}
export interface RawBody {
  readonly kind: 'raw';
  readonly mediaType: string;
  readonly bytes: Buffer;
}

export interface BodySpec {
  readonly json?: { readonly schema: z.ZodType; readonly maxBytes: number };
  readonly raw?: {
    readonly mediaTypes: readonly string[];
    readonly maxBytes: number;
    readonly description: string;
  };
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
   * operator token is no key to the intel services).
   */
  readonly auth: 'actor' | 'none' | 'observer';
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
  readonly admit?: (actor: Actor, c: Context) => Promise<void>;
}

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503;

type BodyOf<B> = B extends BodySpec
  ?
      | (B['json'] extends { schema: infer S extends z.ZodType } ? JsonBody<z.output<S>> : never)
      | (B['raw'] extends object ? RawBody : never)
  : undefined;

type Out<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;

export interface RouteInput<P, Q, B> {
  readonly c: Context;
  readonly actor: Actor;
  /** The request carried the valid operator token (routes with `auth: 'observer'` only). */
  readonly operator: boolean;
  readonly params: Out<P>;
  readonly query: Out<Q>;
  readonly body: BodyOf<B>;
}

/** A JSON answer (checked against the declared schema when asked), or a ready Response. */
export type ApiResult =
  | { readonly status: number; readonly body: unknown; readonly headers?: Record<string, string> }
  | Response;

export const ERROR_DESCRIPTIONS: Readonly<Record<ErrorStatus, string>> = {
  400: 'E_USAGE (invalid parameters or body) or E_FORMAT (a body that cannot be read)',
  401: 'E_AUTH: credentials missing (where needed), invalid, expired or revoked',
  403: 'E_FORBIDDEN: the token lacks the scope, or the role may not do this',
  404: 'E_NOT_FOUND: absent, or not readable by the caller (the two look the same)',
  409: 'E_CONFLICT',
  413: 'E_LIMIT: the body is larger than the limit',
  415: 'E_FORMAT: unsupported Content-Type',
  429: 'E_RATE_LIMIT or E_LIMIT: too many requests; see Retry-After',
  503: 'E_LOCKED: the center is shutting down, or busy (see Retry-After)',
};

export interface ApiRoutesOptions extends ClientOptions {
  /** Parse every JSON answer with its declared schema (tests; a mismatch is a 500). */
  readonly validateResponses?: boolean;
  /** Checks an operator token (throws E_AUTH); without it, `observer` routes refuse one. */
  readonly requireOperator?: (authorization: string | undefined) => void;
}

/** The error shape, for answers given here rather than through app.ts's error handler. */
export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
): Response {
  return c.json({ error: { code, message } }, status);
}

function issues(where: string, e: z.ZodError): string {
  const parts = e.issues.slice(0, 5).map((i) => {
    const path = i.path.map(String).join('.');
    return path ? `${path}: ${i.message}` : i.message;
  });
  const more = e.issues.length > 5 ? ` (and ${e.issues.length - 5} more)` : '';
  return `${where}: ${parts.join('; ')}${more}`;
}

function parse<T>(
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
    this.registry.add(this.operationDoc(spec));
    const limits = {
      json: spec.body?.json ? this.limiter(spec.body.json.maxBytes) : null,
      raw: spec.body?.raw ? this.limiter(spec.body.raw.maxBytes) : null,
    };
    const run = async (c: Context): Promise<Response> => {
      const { actor, operator } = await this.caller(c, spec.auth);
      if (spec.scope !== undefined && !operator) requireRouteScope(c, actor, spec.scope);
      c.set('actor', actor);
      await spec.admit?.(actor, c);
      const params = parse(spec.params, c.req.param(), 'path') as Out<P>;
      const query = parse(spec.query, c.req.query(), 'query') as Out<Q>;
      const call = async (body: BodyOf<B>) =>
        this.respond(c, spec, await handler({ c, actor, operator, params, query, body }));
      if (!spec.body) return call(undefined as BodyOf<B>);
      const type = mediaType(c);
      const asJson = spec.body.json !== undefined && isJsonType(type);
      const asRaw = !asJson && (spec.body.raw?.mediaTypes.includes(type) ?? false);
      if (!asJson && !asRaw) {
        const accepted = [
          ...(spec.body.json ? ['application/json'] : []),
          ...(spec.body.raw?.mediaTypes ?? []),
        ];
        return errorResponse(
          c,
          415,
          'E_FORMAT',
          `Content-Type ${type || '(none)'} is not accepted here; send ${accepted.join(' or ')}`,
        );
      }
      let answer: Response | undefined;
      const limited = await (asJson ? limits.json! : limits.raw!)(c, async () => {
        const bytes = Buffer.from(await c.req.arrayBuffer());
        if (bytes.length === 0) throw new KobanError('E_USAGE', 'the body is empty');
        answer = await call(
          (asJson
            ? { kind: 'json', value: parse(spec.body!.json!.schema, parseJson(bytes), 'body') }
            : { kind: 'raw', mediaType: type, bytes }) as BodyOf<B>,
        );
      });
      return limited instanceof Response ? limited : answer!;
    };
    this.app.on(spec.method.toUpperCase(), spec.path.replace(/\{(\w+)\}/g, ':$1'), run);
  }

  private async caller(
    c: Context,
    auth: RouteSpec<ObjectSchema, ObjectSchema, undefined>['auth'],
  ): Promise<{ actor: Actor; operator: boolean }> {
    if (auth === 'none') return { actor: ANONYMOUS, operator: false };
    if (auth === 'observer' && sendsOperatorToken(c)) {
      if (!this.opts.requireOperator)
        throw new KobanError('E_AUTH', 'the operator token is not accepted here');
      this.opts.requireOperator(c.req.header('Authorization'));
      return { actor: ANONYMOUS, operator: true };
    }
    return { actor: await resolveActor(c, this.auth), operator: false };
  }

  private limiter(maxBytes: number) {
    return bodyLimit({
      maxSize: maxBytes,
      onError: (c) => errorResponse(c, 413, 'E_LIMIT', `the body is larger than ${maxBytes} bytes`),
    });
  }

  private respond(
    c: Context,
    spec: RouteSpec<ObjectSchema, ObjectSchema, BodySpec | undefined>,
    r: ApiResult,
  ) {
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

  private operationDoc(spec: RouteSpec<ObjectSchema, ObjectSchema, BodySpec | undefined>): OperationDoc {
    const errors = new Set<ErrorStatus>(spec.errors ?? []);
    if (spec.params || spec.query || spec.body) errors.add(400);
    if (spec.auth !== 'none') errors.add(401);
    if (spec.scope !== undefined) errors.add(403);
    if (spec.body) errors.add(413).add(415);
    const responses: Record<number, ResponseDoc> = { ...spec.responses };
    for (const s of [...errors].sort()) {
      responses[s] = {
        description: ERROR_DESCRIPTIONS[s],
        schema: ApiErrorSchema,
        ...(s === 429 || s === 503
          ? { headers: { 'Retry-After': 'Seconds until the next attempt may succeed.' } }
          : {}),
      };
    }
    const anonymousMay = spec.scope === undefined || hasScope(ANONYMOUS, spec.scope);
    const body = spec.body;
    return {
      method: spec.method,
      path: spec.path,
      operationId: spec.operationId,
      summary: spec.summary,
      description: spec.description,
      tags: spec.tags,
      security: spec.auth === 'none' ? 'none' : anonymousMay ? 'optional' : 'required',
      operator: spec.auth === 'observer',
      scope: spec.scope,
      params: spec.params,
      query: spec.query,
      body: body
        ? {
            json: body.json?.schema,
            raw: body.raw
              ? { mediaTypes: body.raw.mediaTypes, description: body.raw.description }
              : undefined,
            maxBytes: {
              ...(body.json ? { 'application/json': body.json.maxBytes } : {}),
              ...Object.fromEntries((body.raw?.mediaTypes ?? []).map((t) => [t, body.raw!.maxBytes])),
            },
          }
        : undefined,
      responses,
    };
  }
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (e) {
    throw new KobanError('E_FORMAT', `the body is not valid JSON: ${(e as Error).message}`);
  }
}
