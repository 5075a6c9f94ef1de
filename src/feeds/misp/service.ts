/**
 * MISP in and out over the intel services. Out: the snapshot of what the caller (or, for center
 * staff, a chosen audience) may see — read through intel's one access check, the same reading path
 * as STIX — written as a MISP feed directory. In: MISP events (one document, or a feed directory
 * through its manifest) become imported reports, recorded by uuid and timestamp beside STIX
 * objects (`stix_objects`, `stix_type` misp-event) so importing the same event again changes
 * nothing; MISP warninglists become entries of Koban's warning list.
 */
import { readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isKobanError, KobanError } from '../../core/index.js';
import { type Actor, type IntelService, SharingService, type Tlp } from '../../intel/index.js';
import { KOBAN_NAMESPACE, uuidV5 } from '../stix/ids.js';
import { Applier } from '../stix/import-apply.js';
import type { ObjectKey, ObjectRejection } from '../stix/import-plan.js';
import { withdrawnApplied } from '../stix/withdrawals.js';
import { type MispFeed, mispFeed } from './feed-export.js';
import { type MispPlan, type PlannedEvent, planMispImport, type SightingCounts } from './import-plan.js';
import { planWarninglist } from './warninglist.js';

export interface MispImportOutcome {
  readonly events: number;
  readonly counts: {
    readonly reports: number;
    readonly campaigns: number;
    /** Attributes whose values were imported. */
    readonly attributes: number;
    readonly unchanged: number;
    readonly updated: number;
    /** Events whose newer version dropped values: withdrawn from what this center shares. */
    readonly withdrawn: number;
    /** Values newer versions gave that their report did not share before (added, or given again). */
    readonly added: number;
  };
  readonly sightings: SightingCounts;
  readonly skipped: readonly { readonly id: string; readonly type: string; readonly reason: string }[];
  readonly rejected: readonly ObjectRejection[];
  readonly reportIds: readonly number[];
}

export interface WarninglistOutcome {
  readonly name: string;
  readonly version: string | null;
  readonly added: number;
  readonly unchanged: number;
  readonly reflagged: number;
  readonly skipped: string | null;
  readonly rejected: readonly { readonly value: string; readonly reason: string }[];
}

export interface MispImportOptions {
  readonly orgId: number;
  /** The source named on each report (default: the event's creator organisation). */
  readonly source?: string | undefined;
  readonly defaultTlp: Tlp;
  readonly maxEvents: number;
}

const IN_CHUNK = 500;
const UUID_FILE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.json$/i;

export class MispService {
  constructor(
    private readonly intel: IntelService,
    private readonly now: () => number = Date.now,
  ) {}

  /** What the actor — or `audience`, chosen by center staff — may see, as a MISP feed. */
  async exportFeed(actor: Actor, audience?: string): Promise<MispFeed> {
    // Less what sources revoked (a feed has no revocation: the event or value leaves it).
    const { snapshot } = await withdrawnApplied(
      this.intel,
      await this.intel.sharing.snapshot(actor, audience, 'misp-feed'),
    );
    const external = new Map<number, string>();
    const ids = snapshot.reports.filter((r) => r.kind === 'imported').map((r) => r.id);
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const rows = await this.intel.db
        .selectFrom('stix_objects')
        .select(['stix_id', 'koban_id'])
        .where('koban_type', '=', 'report')
        .where('stix_type', '=', 'misp-event')
        .where('koban_id', 'in', ids.slice(i, i + IN_CHUNK))
        .execute();
      for (const r of rows) external.set(Number(r.koban_id), r.stix_id);
    }
    return mispFeed(snapshot, external);
  }

  /**
   * Writes a feed into `dir` (which must exist): the events, then `hashes.csv`, then
   * `manifest.json` last, so a subscriber reading the manifest finds every file it names. Event
   * files of an earlier export that left the feed are removed.
   */
  static async writeFeed(dir: string, feed: MispFeed): Promise<number> {
    for (const [uuid, text] of feed.files) await writeFile(join(dir, `${uuid}.json`), text, { mode: 0o644 });
    await writeFile(join(dir, 'hashes.csv'), feed.hashesCsv, { mode: 0o644 });
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(feed.manifest), { mode: 0o644 });
    for (const f of await readdir(dir))
      if (UUID_FILE.test(f) && !feed.files.has(f.slice(0, -5).toLowerCase())) await unlink(join(dir, f));
    return feed.files.size;
  }

  /** The events of one parsed MISP document, imported. */
  async importEvents(actor: Actor, doc: unknown, opts: MispImportOptions): Promise<MispImportOutcome> {
    return this.apply(
      actor,
      planMispImport(doc, { defaultTlp: opts.defaultTlp, maxEvents: opts.maxEvents }),
      opts,
    );
  }

  /**
   * A feed directory: its manifest's events, each read from `<uuid>.json` (bounded by
   * `maxFileBytes`); an event whose file is missing, too large or not JSON is one rejection.
   */
  async importFeed(
    actor: Actor,
    dir: string,
    manifest: Record<string, unknown>,
    opts: MispImportOptions & { maxFileBytes: number },
  ): Promise<MispImportOutcome> {
    const events: unknown[] = [];
    const rejected: ObjectRejection[] = [];
    const uuids = Object.keys(manifest);
    if (uuids.length > opts.maxEvents)
      throw new KobanError(
        'E_LIMIT',
        `the manifest names ${uuids.length} events; at most ${opts.maxEvents} are read`,
      );
    for (const [i, uuid] of uuids.entries()) {
      if (!/^[0-9a-f-]{36}$/i.test(uuid)) {
        rejected.push({
          index: i + 1,
          id: uuid,
          type: 'misp-event',
          reason: 'the manifest key is not a uuid',
        });
        continue;
      }
      const file = join(dir, `${uuid}.json`);
      try {
        const size = (await stat(file)).size;
        if (size > opts.maxFileBytes) throw new Error(`${size} bytes; the limit is ${opts.maxFileBytes}`);
        const doc = JSON.parse(await readFile(file, 'utf8')) as unknown;
        events.push(doc !== null && typeof doc === 'object' && 'Event' in doc ? doc.Event : doc);
      } catch (e) {
        rejected.push({
          index: i + 1,
          id: uuid,
          type: 'misp-event',
          reason: `${uuid}.json: ${(e as Error).message}`,
        });
        events.push(null);
      }
    }
    const plan = planMispImport({ response: events.filter((e) => e !== null) }, opts);
    // Positions in the plan count only the files read; give each its place in the manifest.
    const place = events.flatMap((e, i) => (e === null ? [] : [i + 1]));
    const renumber = <T extends { index: number }>(x: T): T => ({
      ...x,
      index: place[x.index - 1] ?? x.index,
    });
    const outcome = await this.apply(
      actor,
      {
        ...plan,
        total: uuids.length,
        events: plan.events.map(renumber),
        rejected: plan.rejected.map(renumber),
      },
      opts,
    );
    return { ...outcome, rejected: [...rejected, ...outcome.rejected].sort((x, y) => x.index - y.index) };
  }

  private async apply(actor: Actor, plan: MispPlan, opts: MispImportOptions): Promise<MispImportOutcome> {
    const a = new Applier(this.intel, actor, { orgId: opts.orgId, source: opts.source ?? 'MISP' }, this.now);
    const skipped = [...plan.skipped];
    let attributes = 0;
    for (const e of plan.events) {
      // A newer version: what it adds joins the report, what it dropped is withdrawn (import-apply.ts).
      if (!(await a.admit(e, e.values))) continue;
      const source = opts.source ?? e.creator ?? 'MISP';
      try {
        const campaignId = await this.campaign(a, actor, e, source, skipped);
        const id = await a.report(
          {
            title: e.title,
            format: 'misp',
            source,
            externalId: e.id,
            labels: [...e.labels],
            observedMs: e.observedMs,
            campaignId,
            values: e.values.map((v) => ({ ...v })),
          },
          e.tlp,
          true,
        );
        await a.record(e, { type: 'report', id }, e.values);
        attributes += e.attributes;
      } catch (err) {
        a.fail(e, err);
      }
    }
    const { reports, campaigns, unchanged, updated, withdrawn, added } = a.counts;
    return {
      events: plan.total,
      counts: { reports, campaigns, attributes, unchanged, updated, withdrawn, added },
      sightings: plan.sightings,
      skipped: [...skipped, ...a.skipped],
      rejected: [...plan.rejected, ...a.rejected].sort((x, y) => x.index - y.index),
      reportIds: a.reportIds,
    };
  }

  /** The campaign a `koban:campaign` tag names: held, created (center staff), or skipped with why. */
  private async campaign(
    a: Applier,
    actor: Actor,
    e: PlannedEvent,
    source: string,
    skipped: { id: string; type: string; reason: string }[],
  ): Promise<number | null> {
    if (e.campaign === null) return null;
    const key: ObjectKey = {
      index: e.index,
      id: `misp-campaign--${uuidV5(KOBAN_NAMESPACE, `${source}\u0000${e.campaign}`)}`,
      type: 'misp-campaign',
      modified: '0',
      sha256: e.campaign,
      revoked: false,
    };
    const held = await a.campaign(key.id);
    if (held !== null) return held;
    if (!SharingService.mayCreateCampaigns(actor)) {
      skipped.push({
        id: key.id,
        type: key.type,
        reason: 'campaigns are the center’s: import as center staff to keep them',
      });
      return null;
    }
    try {
      const id = await this.intel.sharing.createCampaign(actor, e.campaign, e.tlp, e.observedMs);
      a.campaignIds.set(key.id, id);
      a.counts.campaigns++;
      await a.record(key, { type: 'campaign', id });
      return id;
    } catch (err) {
      if (isKobanError(err) && err.code === 'E_USAGE') return null;
      throw err;
    }
  }

  /** A MISP warninglist into Koban's warning list (center staff): entries already held are unchanged. */
  async importWarninglist(actor: Actor, doc: unknown): Promise<WarninglistOutcome> {
    const plan = planWarninglist(doc);
    let added = 0;
    let unchanged = 0;
    let reflagged = 0;
    const rejected: { value: string; reason: string }[] = [];
    for (const entry of plan.entries) {
      try {
        const r = await this.intel.warningEntries.add(actor, entry);
        added++;
        reflagged += r.reflagged;
      } catch (e) {
        if (!isKobanError(e)) throw e;
        if (e.code === 'E_CONFLICT') unchanged++;
        else if (e.code === 'E_USAGE' || e.code === 'E_FORMAT')
          rejected.push({ value: entry.value, reason: e.message });
        else throw e;
      }
    }
    return {
      name: plan.name,
      version: plan.version,
      added,
      unchanged,
      reflagged,
      skipped: plan.skippedWhole,
      rejected,
    };
  }
}
