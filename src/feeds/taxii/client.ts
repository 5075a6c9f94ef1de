/**
 * The TAXII 2.1 client behind `koban feeds subscribe`: polls one collection of another server with
 * `added_after` (the last `X-TAXII-Date-Added-Last` it saw, kept per subscription in
 * `taxii_subscriptions`, so a restart resumes where it stopped), walks the pages with `next`, and
 * imports each page through StixService under the subscription's source name (the importer is
 * idempotent by id and version: an object seen twice is one object). Credentials are given at each
 * run (a Bearer token, or Basic e-mail and password) and never stored.
 */
import { KobanError } from '../../core/index.js';
import type { Actor, IntelService, Tlp } from '../../intel/index.js';
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
  /** Objects not imported because they are this center's own, come back (`PollOptions.own`). */
  readonly own: number;
  /** Whether the poll stopped at `maxPages` with more to fetch. */
  readonly truncated: boolean;
}

export interface PollOptions {
  /** Objects labelled above this are skipped (a federation peer's ceiling). */
  readonly maxTlp?: Tlp | undefined;
  /** The ids among a page's objects that this center published itself: not imported again. */
  readonly own?: ((objects: readonly Record<string, unknown>[]) => Promise<ReadonlySet<string>>) | undefined;
  /** Pages fetched at most (default 10,000). */
  readonly maxPages?: number | undefined;
  /** The largest page accepted, in bytes (default 64 MiB). */
  readonly maxPageBytes?: number | undefined;
  /** Called after each page is imported and its cursor saved (a federation pull renews its lease). */
  readonly afterPage?: (() => Promise<void>) | undefined;
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

const TAXII = 'application/taxii+json;version=2.1';
/** A poll stops after this many pages (the next one goes on from there). */
const MAX_PAGES = 10_000;
const MAX_PAGE_BYTES = 64 * 1024 * 1024;

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
  async poll(
    actor: Actor,
    sub: Subscription,
    creds: TaxiiCredentials,
    opts: PollOptions = {},
  ): Promise<PollResult> {
    const maxPages = opts.maxPages ?? MAX_PAGES;
    let lastAdded = sub.lastAdded;
    let next: string | undefined;
    let pages = 0;
    let objects = 0;
    let rejected = 0;
    let own = 0;
    const imported = { reports: 0, indicators: 0, unchanged: 0 };
    do {
      const q = new URLSearchParams({ 'match[version]': 'all' });
      if (lastAdded !== null && next === undefined) q.set('added_after', lastAdded);
      if (next !== undefined) {
        q.set('next', next);
        if (sub.lastAdded !== null) q.set('added_after', sub.lastAdded);
      }
      const page = await this.fetchPage(
        `${sub.apiRoot}collections/${sub.collection}/objects/?${q}`,
        creds,
        opts.maxPageBytes ?? MAX_PAGE_BYTES,
      );
      pages++;
      objects += page.objects.length;
      const mine = opts.own ? await opts.own(page.objects.filter(isRecord)) : new Set<string>();
      const foreign = page.objects.filter((o) => !(isRecord(o) && mine.has(String(o.id))));
      own += page.objects.length - foreign.length;
      if (foreign.length > 0) {
        const bundle = { type: 'bundle', id: `bundle--${crypto.randomUUID()}`, objects: foreign };
        const r = await this.stix.importText(actor, JSON.stringify(bundle), sub.source, {
          source: sub.source,
          org: sub.org ?? undefined,
          maxTlp: opts.maxTlp,
        });
        imported.reports += r.counts.reports;
        imported.indicators += r.counts.indicators;
        imported.unchanged += r.counts.unchanged;
        rejected += r.rejected.length;
      }
      // Saved after each page is imported: a crash or restart re-fetches at most one page.
      if (page.lastAdded !== null) {
        lastAdded = page.lastAdded;
        await this.save(sub.id, lastAdded, page.objects.length);
      }
      next = page.more ? page.next : undefined;
      await opts.afterPage?.();
    } while (next !== undefined && pages < maxPages);
    await this.intel.db
      .updateTable('taxii_subscriptions')
      .set({ last_poll_ms: this.now() })
      .where('id', '=', sub.id)
      .execute();
    const updated = (await this.find(sub.apiRoot, sub.collection)) ?? sub;
    return { subscription: updated, pages, objects, imported, rejected, own, truncated: next !== undefined };
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
    maxBytes: number,
  ): Promise<{ objects: unknown[]; more: boolean; next?: string; lastAdded: string | null }> {
    const res = await this.fetchFn(url, { headers: { Accept: TAXII, ...authHeader(creds) } });
    const text = await boundedText(res, maxBytes, url);
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

function isRecord(o: unknown): o is Record<string, unknown> {
  return o !== null && typeof o === 'object' && !Array.isArray(o);
}

/** The body as text, refused (and the rest not read) once it passes `maxBytes`. */
async function boundedText(res: Response, maxBytes: number, url: string): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  const tooBig = () =>
    new KobanError('E_LIMIT', `${url}: the answer is larger than ${maxBytes} bytes, the most accepted`);
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw tooBig();
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.byteLength;
    // Leaving the loop by a throw cancels the stream: the rest is not read.
    if (size > maxBytes) throw tooBig();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
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
