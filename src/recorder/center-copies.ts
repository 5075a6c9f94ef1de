/**
 * What a verifier fetches from the center (docs/recorder-format.md#countersignatures-from-the-center):
 * the center's public key (`GET /api/v1/recorder/center-key`, public — pin it with
 * `--center-key` once known) and the center's own copies of a machine's countersignatures
 * (`GET /api/v1/recorder/heads`, the organisation's token), which a rewrite of the directory
 * cannot remove.
 */
import { KobanError } from '../core/index.js';
import { type Countersignature, CountersignatureSchema } from './format.js';
import type { FetchLike } from './head-link.js';

export interface CenterAccess {
  readonly center: string;
  readonly token?: string | undefined;
  readonly fetch?: FetchLike | undefined;
}

/** A GET of the center's API with the token, its JSON answer; its error answers as `KobanError`. */
export async function getCenterJson(a: CenterAccess, path: string): Promise<unknown> {
  const url = new URL(path, a.center).href;
  const res = await (a.fetch ?? ((u, i) => fetch(u, i)))(url, {
    headers: a.token === undefined ? {} : { authorization: `Bearer ${a.token}` },
    signal: AbortSignal.timeout(60_000),
    redirect: 'error',
  }).catch((e: unknown) => {
    throw new KobanError('E_IO', `${url}: ${e instanceof Error ? e.message : String(e)}`);
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {}
  if (!res.ok) {
    const m = (json as { error?: { message?: unknown } } | null)?.error?.message;
    const code =
      res.status === 401
        ? 'E_AUTH'
        : res.status === 403
          ? 'E_FORBIDDEN'
          : res.status === 404
            ? 'E_NOT_FOUND'
            : 'E_IO';
    throw new KobanError(code, `${path}: HTTP ${res.status}${typeof m === 'string' ? `: ${m}` : ''}`);
  }
  return json;
}

export async function fetchCenterKey(a: CenterAccess): Promise<string> {
  const body = (await getCenterJson(a, '/api/v1/recorder/center-key')) as { publicKey?: unknown } | null;
  if (typeof body?.publicKey !== 'string') throw new KobanError('E_FORMAT', 'the center sent no public key');
  return body.publicKey;
}

/** Every countersignature the center holds for the machine key, page by page. */
export async function fetchCountersignatures(
  a: CenterAccess,
  fingerprint: string,
): Promise<Countersignature[]> {
  const all: Countersignature[] = [];
  let fromSeq = 0;
  for (;;) {
    const body = (await getCenterJson(
      a,
      `/api/v1/recorder/heads?fingerprint=${encodeURIComponent(fingerprint)}&fromSeq=${fromSeq}`,
    )) as { countersignatures?: unknown } | null;
    const page = CountersignatureSchema.array().safeParse(body?.countersignatures);
    if (!page.success) throw new KobanError('E_FORMAT', 'the center sent no list of countersignatures');
    all.push(...page.data);
    const last = page.data.at(-1);
    if (last === undefined || page.data.length < 1000) return all;
    fromSeq = last.headSeq + 1;
  }
}
