/**
 * What a route declaration says in the OpenAPI document: the error answers its declaration
 * implies (401/403 from auth and scope, 400 from inputs, 413/415 from a body), its credentials,
 * and its body's media types with their size limits. api-route.ts registers one per route.
 */
import { z } from 'zod';
import { ANONYMOUS, hasScope, type Scope } from '../intel/index.js';
import type { HttpMethod, OperationDoc, ResponseDoc } from './openapi.js';

/** `{ "error": { "code", "message" } }`: `code` is stable (E_AUTH, E_NOT_FOUND, …), `message` is for people. */
export const ApiErrorSchema = z.strictObject({
  error: z.strictObject({ code: z.string(), message: z.string() }),
});

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503;

export const ERROR_DESCRIPTIONS: Readonly<Record<ErrorStatus, string>> = {
  400: 'E_USAGE (invalid parameters or body) or E_FORMAT (a body that cannot be read)',
  401: 'E_AUTH: credentials missing (where needed), invalid, expired or revoked',
  403: 'E_FORBIDDEN: the token lacks the scope, or the role may not do this',
  404: 'E_NOT_FOUND: absent, or not readable by the caller (the two look the same)',
  409: 'E_CONFLICT',
  413: 'E_LIMIT: the body is larger than the limit',
  415: 'E_FORMAT: unsupported Content-Type',
  429: 'E_RATE_LIMIT, E_LIMIT or E_BUSY: too many requests; see Retry-After',
  503: 'E_LOCKED, E_BUSY, E_STALE or E_STORE: the center is shutting down, busy (see Retry-After), or its data too old to answer from',
};

/** The error answers of the given statuses, in the one error shape. */
export function errorResponseDocs(statuses: Iterable<ErrorStatus>): Record<number, ResponseDoc> {
  const responses: Record<number, ResponseDoc> = {};
  for (const s of [...statuses].sort()) {
    responses[s] = {
      description: ERROR_DESCRIPTIONS[s],
      schema: ApiErrorSchema,
      ...(s === 429 || s === 503
        ? { headers: { 'Retry-After': 'Seconds until the next attempt may succeed.' } }
        : {}),
    };
  }
  return responses;
}

/**
 * Who may call: `none` reads no credentials; `actor` an API token, the session cookie or nobody
 * (the anonymous public); `observer` as `actor`, or the operator token; `operator` the operator
 * token only; `sensor` a sensor token only.
 */
export type RouteAuth = 'none' | 'actor' | 'observer' | 'operator' | 'sensor';

/** The declaration's parts the document needs (api-route.ts's RouteSpec has them all). */
export interface RouteDocSpec {
  readonly method: HttpMethod;
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string | undefined;
  readonly tags: readonly string[];
  readonly auth: RouteAuth;
  readonly scope?: Scope | undefined;
  readonly params?: z.ZodType | undefined;
  readonly query?: z.ZodType | undefined;
  readonly body?:
    | {
        readonly json?: { readonly schema: z.ZodType; readonly maxBytes: number } | undefined;
        readonly raw?:
          | {
              readonly mediaTypes: readonly string[];
              readonly maxBytes: number;
              readonly description: string;
            }
          | undefined;
        readonly gzip?:
          | { readonly mediaType: string; readonly maxBytes: number; readonly description: string }
          | undefined;
      }
    | undefined;
  readonly responses: Readonly<Record<number, ResponseDoc>>;
  readonly errors?: readonly ErrorStatus[] | undefined;
  readonly deprecated?: { readonly successor: string } | undefined;
}

function security(spec: RouteDocSpec): OperationDoc['security'] {
  if (spec.auth === 'none' || spec.auth === 'sensor' || spec.auth === 'operator') return spec.auth;
  const anonymousMay = spec.scope === undefined || hasScope(ANONYMOUS, spec.scope);
  return anonymousMay ? 'optional' : 'required';
}

function bodyDoc(body: NonNullable<RouteDocSpec['body']>): OperationDoc['body'] {
  const raw = [
    ...(body.raw ? [{ ...body.raw }] : []),
    ...(body.gzip
      ? [
          {
            mediaTypes: [body.gzip.mediaType],
            maxBytes: body.gzip.maxBytes,
            description: `${body.gzip.description} (the gzip magic is what is checked, not the media type)`,
          },
        ]
      : []),
  ];
  return {
    json: body.json?.schema,
    raw:
      raw.length > 0
        ? { mediaTypes: raw.flatMap((r) => r.mediaTypes), description: raw[0]!.description }
        : undefined,
    maxBytes: {
      ...(body.json ? { 'application/json': body.json.maxBytes } : {}),
      ...Object.fromEntries(raw.flatMap((r) => r.mediaTypes.map((t) => [t, r.maxBytes]))),
    },
  };
}

export function operationDoc(spec: RouteDocSpec): OperationDoc {
  const errors = new Set<ErrorStatus>(spec.errors ?? []);
  if (spec.params || spec.query || spec.body) errors.add(400);
  if (spec.auth !== 'none') errors.add(401);
  if (spec.scope !== undefined) errors.add(403);
  if (spec.body) errors.add(413).add(415);
  const deprecation = spec.deprecated
    ? `Deprecated: answers for one more release with \`Deprecation: true\` and a \`Link\` to ${spec.deprecated.successor}.`
    : undefined;
  return {
    method: spec.method,
    path: spec.path,
    operationId: spec.operationId,
    summary: spec.summary,
    description: [spec.description, deprecation].filter((s) => s !== undefined).join(' ') || undefined,
    tags: spec.tags,
    security: security(spec),
    operator: spec.auth === 'observer',
    scope: spec.scope,
    params: spec.params,
    query: spec.query,
    body: spec.body ? bodyDoc(spec.body) : undefined,
    responses: { ...spec.responses, ...errorResponseDocs(errors) },
    deprecated: spec.deprecated !== undefined,
  };
}
