/**
 * The TAXII 2.1 client behind `koban feeds subscribe`: polls one collection of another server with
 * `added_after` (the last `X-TAXII-Date-Added-Last` it saw, kept per subscription in
 * `taxii_subscriptions`, so a restart resumes where it stopped), walks the pages with `next`, and
 * imports each page through StixService under the subscription's source name (the importer is
 * idempotent by id and version: an object seen twice is one object). Credentials are given at each
 * run (a Bearer token, or Basic e-mail and password) and never stored.
 */
import { KobanError } from '../../core/index.js';
import type { Actor, IntelService } from '../../intel/index.js';
import type { StixService } from '../stix/service.js';

export type TaxiiCredentials =
  | { readonly token: string }
  | { readonly user: string; readonly password: string }
  | Record<string, never>;

export interface Subscription {
  readonly id: number;
  readonly apiRoot: string;
  readonly collection: string;
  readonly source: string;
  readonly org: string | null;
  readonly lastAdded: string | null;
  readonly lastPollMs: number | null;
  readonly objectsSeen: number;
}

export interface PollResult {
  readonly subscription: Subscription;
  readonly pages: number;
  readonly objects: number;
  readonly imported: { readonly reports: number; readonly indicators: number; readonly unchanged: number };
  readonly rejected: number;
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

const TAXII = 'application/taxii+json;version=2.1';
/** A poll stops after this many pages (the next one goes on from there). */
const MAX_PAGES = 10_000;

/** `URL` of an API root, normalised to end in "/" (TAXII URLs do). */
export function apiRootUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new KobanError(
      'E_USAGE',
      `"${url}" is not a URL (give the API root, e.g. https://center.example/taxii2/koban/)`,
    );
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new KobanError('E_USAGE', `${url}: only http(s) URLs`);
  u.search = '';
  u.hash = '';
  return u.href.endsWith('/') ? u.href : `${u.href}/`;
}

function authHeader(c: TaxiiCredentials): Record<string, string> {
  if ('token' in c) return { Authorization: `Bearer ${c.token}` };
  if ('user' in c)
    return { Authorization: `Basic ${Buffer.from(`${c.user}:${c.password}`).toString('base64')}` };
  return {};
}

export class TaxiiSubscriptions {
  constructor(
    private readonly intel: IntelService,
    private readonly stix: StixService,
    private readonly fetchFn: FetchLike = (url, init) => fetch(url, init),
    private readonly now: () => number = Date.now,
  ) {}

  /** Records (or finds) the subscription to a collection of an API root. */
  async subscribe(url: string, collection: string, source?: string, org?: string): Promise<Subscription> {
    const apiRoot = apiRootUrl(url);
    if (!/^[A-Za-z0-9-]{1,100}$/.test(collection))
      throw new KobanError('E_USAGE', `--collection "${collection}" is not a collection id`);
    const held = await this.find(apiRoot, collection);
    if (held) return held;
    await this.intel.db
      .insertInto('taxii_subscriptions')
      .values({
        api_root: apiRoot,
        collection,
        source: source ?? `taxii:${new URL(apiRoot).host}/${collection}`,
        org: org ?? null,
        last_added: null,
        last_poll_ms: null,
        objects_seen: 0,
        created_ms: this.now(),
      })
      .execute();
    const row = await this.find(apiRoot, collection);
    if (!row) throw new KobanError('E_INTERNAL', 'the subscription was not recorded');
    return row;
  }

  async list(): Promise<Subscription[]> {
    const rows = await this.intel.db.selectFrom('taxii_subscriptions').selectAll().orderBy('id').execute();
    return rows.map(toSubscription);
  }

  private async find(apiRoot: string, collection: string): Promise<Subscription | null> {
    const row = await this.intel.db
      .selectFrom('taxii_subscriptions')
      .selectAll()
      .where('api_root', '=', apiRoot)
      .where('collection', '=', collection)
      .executeTakeFirst();
    return row ? toSubscription(row) : null;
  }

  /** Fetches what was added since the last poll, page by page, importing each page as it comes. */
  async poll(actor: Actor, sub: Subscription, creds: TaxiiCredentials): Promise<PollResult> {
    let lastAdded = sub.lastAdded;
    let next: string | undefined;
    let pages = 0;
    let objects = 0;
    let rejected = 0;
    const imported = { reports: 0, indicators: 0, unchanged: 0 };
    do {
      const q = new URLSearchParams({ 'match[version]': 'all' });
      if (lastAdded !== null && next === undefined) q.set('added_after', lastAdded);
      if (next !== undefined) {
        q.set('next', next);
        if (sub.lastAdded !== null) q.set('added_after', sub.lastAdded);
      }
      const page = await this.fetchPage(`${sub.apiRoot}collections/${sub.collection}/objects/?${q}`, creds);
      pages++;
      if (page.objects.length > 0) {
        const bundle = { type: 'bundle', id: `bundle--${crypto.randomUUID()}`, objects: page.objects };
        const r = await this.stix.importText(actor, JSON.stringify(bundle), sub.source, {
          source: sub.source,
          org: sub.org ?? undefined,
        });
        imported.reports += r.counts.reports;
        imported.indicators += r.counts.indicators;
        imported.unchanged += r.counts.unchanged;
        rejected += r.rejected.length;
        objects += page.objects.length;
      }
      // Saved after each page is imported: a crash or restart re-fetches at most one page.
      if (page.lastAdded !== null) {
        lastAdded = page.lastAdded;
        await this.save(sub.id, lastAdded, page.objects.length);
      }
      next = page.more ? page.next : undefined;
    } while (next !== undefined && pages < MAX_PAGES);
    await this.intel.db
      .updateTable('taxii_subscriptions')
      .set({ last_poll_ms: this.now() })
      .where('id', '=', sub.id)
      .execute();
    const updated = (await this.find(sub.apiRoot, sub.collection)) ?? sub;
    return { subscription: updated, pages, objects, imported, rejected };
  }

  private async save(id: number, lastAdded: string, n: number): Promise<void> {
    const row = await this.intel.db
      .selectFrom('taxii_subscriptions')
      .select('objects_seen')
      .where('id', '=', id)
      .executeTakeFirst();
    await this.intel.db
      .updateTable('taxii_subscriptions')
      .set({ last_added: lastAdded, objects_seen: Number(row?.objects_seen ?? 0) + n })
      .where('id', '=', id)
      .execute();
  }

  private async fetchPage(
    url: string,
    creds: TaxiiCredentials,
  ): Promise<{ objects: unknown[]; more: boolean; next?: string; lastAdded: string | null }> {
    const res = await this.fetchFn(url, { headers: { Accept: TAXII, ...authHeader(creds) } });
    const text = await res.text();
    if (!res.ok) {
      let why = text.slice(0, 300);
      try {
        why = String((JSON.parse(text) as { description?: unknown }).description ?? why);
      } catch {}
      throw new KobanError(
        res.status === 401 || res.status === 403 ? 'E_AUTH' : 'E_IO',
        `${url}: ${res.status} ${why}`,
      );
    }
    let env: { objects?: unknown; more?: unknown; next?: unknown };
    try {
      env = JSON.parse(text) as typeof env;
    } catch {
      throw new KobanError('E_FORMAT', `${url}: the answer is not JSON`);
    }
    const objects = Array.isArray(env.objects) ? env.objects : [];
    return {
      objects,
      more: env.more === true,
      ...(typeof env.next === 'string' ? { next: env.next } : {}),
      lastAdded: res.headers.get('X-TAXII-Date-Added-Last'),
    };
  }
}

function toSubscription(r: {
  id: number;
  api_root: string;
  collection: string;
  source: string;
  org: string | null;
  last_added: string | null;
  last_poll_ms: number | null;
  objects_seen: number;
}): Subscription {
  return {
    id: Number(r.id),
    apiRoot: r.api_root,
    collection: r.collection,
    source: r.source,
    org: r.org,
    lastAdded: r.last_added,
    lastPollMs: r.last_poll_ms === null ? null : Number(r.last_poll_ms),
    objectsSeen: Number(r.objects_seen),
  };
}
