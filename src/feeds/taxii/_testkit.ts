/**
 * The TAXII conformance suite's world (tests only): a center over api-world's cast with the TAXII
 * server re-exporting on every read (no wait for a sync), a request helper that speaks TAXII
 * (the media type, Basic or Bearer credentials), and the reference data of
 * ../shared/samples/taxii (read in place).
 */
import { readFileSync } from 'node:fs';
import { type ApiWorld, openApiWorld, PASSWORD } from '../../../test/api-world.js';
import { sample } from '../../../test/samples.js';
import { collectionId } from './collections.js';

export const TAXII = 'application/taxii+json;version=2.1';
export const ROOT = '/taxii2/koban/';
export const MEMBERS = collectionId('members');
export const PUBLIC = collectionId('public');
export const COUNCIL = collectionId('council');
export const MANUFACTURING = collectionId('sector:manufacturing');

export interface TaxiiRequest {
  readonly method?: string;
  readonly token?: string;
  /** e-mail (password: the cast's). */
  readonly basic?: string;
  readonly password?: string;
  readonly accept?: string | null;
  readonly body?: unknown;
  readonly type?: string;
}

export interface TaxiiWorld {
  readonly w: ApiWorld;
  call(path: string, r?: TaxiiRequest): Promise<Response>;
  json<T = Record<string, unknown>>(path: string, r?: TaxiiRequest): Promise<T>;
  close(): Promise<void>;
}

export async function openTaxiiWorld(): Promise<TaxiiWorld> {
  const w = await openApiWorld({ taxii: { syncEveryMs: 0 } });
  const call = (path: string, r: TaxiiRequest = {}) => {
    const headers: Record<string, string> = {};
    if (r.accept !== null) headers.Accept = r.accept ?? TAXII;
    if (r.token) headers.Authorization = `Bearer ${r.token}`;
    if (r.basic)
      headers.Authorization = `Basic ${Buffer.from(`${r.basic}:${r.password ?? PASSWORD}`).toString('base64')}`;
    let body: string | undefined;
    if (r.body !== undefined) {
      body = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
      headers['Content-Type'] = r.type ?? TAXII;
    }
    return w.request(path, {
      method: r.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      ...(body === undefined ? {} : { body }),
    });
  };
  return {
    w,
    call,
    async json<T>(path: string, r?: TaxiiRequest) {
      const res = await call(path, r);
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    close: () => w.close(),
  };
}

type Json = Record<string, unknown>;

/** medallion's default data (BSD-3-Clause, ../shared/samples/taxii/README.md). */
export function medallion(): Json {
  return JSON.parse(readFileSync(sample('taxii/medallion-default_data.json'), 'utf8')) as Json;
}

/** The FreeTAXII test lab's read-only collection content: 6 versions of 2 indicators. */
export function freetaxiiIndicators(): Json[] {
  const b = JSON.parse(readFileSync(sample('taxii/freetaxii-testlab/indicators.json'), 'utf8')) as {
    objects: Json[];
  };
  return b.objects;
}

export const LAB1 = 'indicator--1efc6673-9d95-46c3-a09c-c29f926da9af';
export const LAB2 = 'indicator--213dea46-8750-4b8b-b988-aae8f86a62d6';

/** `objects` of an envelope as `id@modified`, in the order sent. */
export function versionsOf(env: { objects?: Json[] }, only?: readonly string[]): string[] {
  return (env.objects ?? [])
    .filter((o) => only === undefined || only.includes(String(o.id)))
    .map((o) => `${String(o.id)}@${String(o.modified ?? o.created)}`);
}
