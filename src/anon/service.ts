/**
 * The anonymizer database as a service: imports lists (format detected), keeps their history in
 * the relational store and answers from an in-memory index rebuilt after each import.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { canonicalIp, KobanError } from '../core/index.js';
import type { Database } from '../db/index.js';
import { detectListFormat, parseList } from './lists/detect.js';
import type { LineRejection, ListFormat, ListKind } from './lists/entry.js';
import { toRbldnsd } from './lists/rbldnsd.js';
import { AnonymizerIndex, type CheckAnswer, type IndexShare, type Listing } from './lookup.js';
import { readSitePolicy, type SiteAction, writeSitePolicy } from './site-policy.js';
import { applyImport, intervalPages, listCoverage } from './store.js';

export const DEFAULT_STALE_HOURS = 24;

export interface AnonymizerOptions {
  /** Past this many hours after the newest list, "now" is not answered (E_STALE). */
  readonly staleHours?: number;
  readonly clock?: () => number;
}

export interface ListImportInput {
  readonly text: string;
  /** The file name, recorded as the list's source. */
  readonly source: string;
  readonly format?: ListFormat;
  readonly list?: string;
  readonly kind?: ListKind;
  /** The list's time when the file carries none (bulk lists, CSV); default: now. */
  readonly publishedMs?: number;
}

export interface ListImport {
  readonly source: string;
  readonly list: string;
  readonly kind: ListKind;
  readonly format: ListFormat;
  readonly published: string;
  readonly entries: number;
  readonly duplicate: boolean;
  readonly opened: number;
  readonly kept: number;
  readonly closed: number;
  readonly rejected: readonly LineRejection[];
}

/** Default list and kind per format: Tor's exit data is one list, relays with the Exit flag another. */
const DEFAULTS: Record<ListFormat, { list: string; kind: ListKind }> = {
  tordnsel: { list: 'tor-exits', kind: 'tor-exit' },
  bulk: { list: 'tor-exits', kind: 'tor-exit' },
  onionoo: { list: 'tor-exits', kind: 'tor-exit' },
  'tor-relays-csv': { list: 'tor-relays', kind: 'tor-relay' },
  rbldnsd: { list: 'rbldnsd', kind: 'other' },
};

export class AnonymizerService {
  readonly staleHours: number;
  private readonly clock: () => number;
  private index: AnonymizerIndex = new AnonymizerIndex([], []);
  private readonly reloadListeners = new Set<() => void>();

  private constructor(
    private readonly db: Kysely<Database>,
    opts: AnonymizerOptions,
  ) {
    this.staleHours = opts.staleHours ?? DEFAULT_STALE_HOURS;
    this.clock = opts.clock ?? Date.now;
  }

  static async open(db: Kysely<Database>, opts: AnonymizerOptions = {}): Promise<AnonymizerService> {
    const s = new AnonymizerService(db, opts);
    await s.reload();
    return s;
  }

  /** Rebuilds the index from the store (after an import here or by another process). */
  async reload(): Promise<void> {
    this.index = await AnonymizerIndex.fromPages(intervalPages(this.db), await listCoverage(this.db));
    for (const l of this.reloadListeners) l();
  }

  now(): number {
    return this.clock();
  }

  /** The newest list's publication over every list; null when nothing was imported. */
  newestMs(): number | null {
    return this.index.newestMs;
  }

  async importList(input: ListImportInput): Promise<ListImport> {
    const format = input.format ?? detectListFormat(input.text);
    if (format === null) throw new KobanError('E_FORMAT', `${input.source}: not a list format this reads`);
    const parsed = parseList(input.text, format);
    const defaults = DEFAULTS[format];
    const list = input.list ?? defaults.list;
    const kind = input.kind ?? defaults.kind;
    const publishedMs = parsed.publishedMs ?? input.publishedMs ?? this.clock();
    const applied = await applyImport(
      this.db,
      {
        list,
        kind,
        format,
        source: input.source,
        contentSha256: createHash('sha256').update(input.text).digest('hex'),
        publishedMs,
        importedMs: this.clock(),
      },
      parsed,
    );
    await this.reload();
    return {
      source: input.source,
      list,
      kind,
      format,
      published: new Date(publishedMs).toISOString(),
      entries: parsed.entries.length,
      duplicate: applied.duplicate,
      opened: applied.opened,
      kept: applied.kept,
      closed: applied.closed,
      rejected: parsed.rejected,
    };
  }

  /**
   * Whether `ip` is (or, with `atMs`, was) on a list, with the evidence; with `port`, whether an
   * exit there lets a connection to that port out. E_STALE when the lists do not cover the time.
   */
  check(ipText: string, opts: { readonly atMs?: number; readonly port?: number } = {}): CheckAnswer {
    const ip = canonicalIp(ipText.trim());
    if (ip === null) throw new KobanError('E_USAGE', `not an IP address: ${ipText.slice(0, 80)}`);
    const atMs = opts.atMs ?? this.clock();
    this.index.assertCovers(atMs, this.staleHours);
    return this.index.check(ip, atMs, opts.port ?? null);
  }

  /** `check`'s verdict and reason without the evidence: what a DNS answer needs, built for speed. */
  listing(ipText: string, opts: { readonly atMs?: number; readonly port?: number } = {}): Listing {
    return this.index.listingAt(ipText, opts.atMs ?? this.clock(), this.staleHours, opts.port ?? null);
  }

  /** The index for the DNS server's worker threads, in shared memory (lookup.ts `share`). */
  shareIndex(): IndexShare {
    return this.index.share();
  }

  /** Calls `listener` after each reload, once the new index answers (the old one no longer). */
  onReload(listener: () => void): () => void {
    this.reloadListeners.add(listener);
    return () => this.reloadListeners.delete(listener);
  }

  /** What is listed now as an rbldnsd ip4set data file (refused, like a query, when stale). */
  exportRbldnsd(list?: string): string {
    this.index.assertCovers(this.clock(), this.staleHours);
    return toRbldnsd(this.index.listedNow(list), {
      publishedMs: this.index.newestMs,
      reason: 'listed as an anonymizer exit: $',
    });
  }

  /**
   * The check for a site: the answer and what the site's policy says to do with the visitor —
   * its action when the address is listed, `none` when it is not.
   */
  async checkForSite(
    orgId: number,
    ipText: string,
    opts: { readonly atMs?: number; readonly port?: number } = {},
  ): Promise<CheckAnswer & { readonly action: SiteAction | 'none' }> {
    const answer = this.check(ipText, opts);
    return { ...answer, action: answer.listed ? await readSitePolicy(this.db, orgId) : 'none' };
  }

  async sitePolicy(orgId: number): Promise<SiteAction> {
    return readSitePolicy(this.db, orgId);
  }

  /** Sets a website operator's policy (the caller checked the organisation is one). */
  async setSitePolicy(orgId: number, action: SiteAction, by: string): Promise<void> {
    await writeSitePolicy(this.db, { orgId, action, by, atMs: this.clock() });
  }

  async coverage(): Promise<Awaited<ReturnType<typeof listCoverage>>> {
    return listCoverage(this.db);
  }
}
