/**
 * The TAXII 2.1 server's logic (the HTTP side is web/taxii-routes.ts): one API root whose
 * collections are the center's audiences (collections.ts). Reads of a collection first bring it
 * up to date with what its audience may see — an export for that audience through intel's one
 * access check (StixService), at most once per `syncEveryMs` — then page through `taxii_objects`
 * (store.ts). A POST imports the envelope through StixService as the caller's organisation (TLP
 * honoured: objects without a marking take the collection's label) and publishes each accepted
 * object, as sent, in the collection unless its label is stricter than the collection's audience
 * may read.
 */
import { randomUUID } from 'node:crypto';
import { KobanError } from '../../core/index.js';
import { type Actor, type IntelService, isCenter, systemActor } from '../../intel/index.js';
import type { PeerCollection } from '../federation/config.js';
import { tlpRank } from '../stix/markings.js';
import { StixService } from '../stix/service.js';
import {
  accessTo,
  allCollections,
  type CollectionAccess,
  type CollectionDef,
  callerOrg,
} from './collections.js';
import { type EnvelopeFailure, readEnvelope } from './envelope.js';
import { ALL, type ParsedQuery } from './query.js';
import { TaxiiReadLog } from './read-audit.js';
import { addVersionsOf, type StatusBody, statusBody } from './status.js';
import { type StoredVersion, TaxiiStore } from './store.js';
import { syncCollection } from './sync.js';

export interface TaxiiOptions {
  /** The API root's path segment (`/taxii2/<apiRoot>/`). */
  readonly apiRoot: string;
  readonly title: string;
  readonly description: string;
  /** Largest POST body, advertised as `max_content_length` (default 8 MiB). */
  readonly maxContentLength: number;
  /** Largest (and default) page (default 1,000). */
  readonly pageSize: number;
  /** A collection is brought up to date with its audience's view at most this often (default 60 s). */
  readonly syncEveryMs: number;
  /** One more collection per peer center this center publishes to (koban.json `federation`). */
  readonly peers: readonly PeerCollection[];
}

export const DEFAULT_TAXII_OPTIONS: TaxiiOptions = {
  apiRoot: 'koban',
  title: 'Koban',
  description: 'The intelligence of the center, one collection per audience (docs/sharing.md#taxii-21).',
  maxContentLength: 8 * 1024 * 1024,
  pageSize: 1000,
  syncEveryMs: 60_000,
  peers: [],
};

export interface VisibleCollection extends CollectionAccess {
  readonly def: CollectionDef;
}

export interface Page {
  readonly rows: readonly StoredVersion[];
  readonly more: boolean;
}

export class TaxiiService {
  readonly options: TaxiiOptions;
  readonly store: TaxiiStore;
  /** Who read which collection, per hour (read-audit.ts). */
  readonly reads: TaxiiReadLog;
  private readonly stix: StixService;
  private readonly synced = new Map<string, number>();
  private readonly syncing = new Map<string, Promise<void>>();

  constructor(
    private readonly intel: IntelService,
    options: Partial<TaxiiOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.options = { ...DEFAULT_TAXII_OPTIONS, ...options };
    this.stix = new StixService(intel, { maxBundleBytes: this.options.maxContentLength }, now);
    this.store = new TaxiiStore(intel.db, () => now() * 1000);
    this.reads = new TaxiiReadLog(intel, now);
  }

  /** The collections the caller may read or write (the others are not listed). */
  async collections(actor: Actor): Promise<VisibleCollection[]> {
    const org = await callerOrg(this.intel, actor);
    const out: VisibleCollection[] = [];
    for (const def of await allCollections(this.intel, this.options.peers)) {
      const a = accessTo(actor, org, def);
      if (a.canRead || a.canWrite) out.push({ def, ...a });
    }
    return out;
  }

  /** One collection; E_NOT_FOUND when it does not exist or the caller may not know it does. */
  async collection(actor: Actor, id: string): Promise<VisibleCollection> {
    const c = (await this.collections(actor)).find((x) => x.def.id === id);
    if (!c) throw new KobanError('E_NOT_FOUND', `no collection ${id.slice(0, 80)} (or not for this caller)`);
    return c;
  }

  private async readable(actor: Actor, id: string): Promise<CollectionDef> {
    const c = await this.collection(actor, id);
    if (!c.canRead) throw new KobanError('E_FORBIDDEN', `${actor.label} may not read collection ${id}`);
    await this.fresh(c.def);
    return c.def;
  }

  /** Objects (or manifest entries) of a collection, one page; counted for the reader (read-audit.ts). */
  async objects(actor: Actor, id: string, q: ParsedQuery): Promise<Page> {
    const def = await this.readable(actor, id);
    const page = await this.store.page({ collection: def.id, ...q });
    await this.reads.record(actor, def.id, page.rows.length);
    return page;
  }

  /** The versions of one object (objects/{id}/ and objects/{id}/versions/); 404 if it is not held. */
  async object(actor: Actor, id: string, objectId: string, q: ParsedQuery): Promise<Page> {
    const def = await this.readable(actor, id);
    const held = await this.store.page({
      collection: def.id,
      afterUs: null,
      limit: 1,
      ids: [objectId],
      versions: ALL,
    });
    if (held.rows.length === 0)
      throw new KobanError('E_NOT_FOUND', `no object ${objectId.slice(0, 120)} in this collection`);
    const page = await this.store.page({ collection: def.id, ...q, ids: [objectId] });
    await this.reads.record(actor, def.id, page.rows.length);
    return page;
  }

  /** Deletes the caller's posted versions of an object that match (center staff: anyone's). */
  async remove(actor: Actor, id: string, objectId: string, q: ParsedQuery): Promise<number> {
    const c = await this.collection(actor, id);
    if (!c.canWrite)
      throw new KobanError('E_FORBIDDEN', `${actor.label} may not delete from collection ${id}`);
    const match = { collection: c.def.id, ...q, afterUs: null, ids: [objectId] };
    const found = await this.store.page({ ...match, limit: 1 });
    if (found.rows.length === 0)
      throw new KobanError('E_NOT_FOUND', `no object ${objectId.slice(0, 120)} in this collection`);
    const n = await this.store.remove(match, isCenter(actor) ? null : actor.orgId);
    if (n === 0)
      throw new KobanError(
        'E_FORBIDDEN',
        'only versions your organisation posted can be deleted; the center’s own objects are withdrawn or relabelled in Koban itself',
      );
    return n;
  }

  /** Adds an envelope: imports it, publishes what may be published, answers a status resource. */
  async add(actor: Actor, id: string, doc: unknown): Promise<StatusBody> {
    const c = await this.collection(actor, id);
    if (!c.canWrite) throw new KobanError('E_FORBIDDEN', `${actor.label} may not add to collection ${id}`);
    const requestUs = this.now() * 1000;
    const { accepted, failures } = readEnvelope(doc);
    const failed: EnvelopeFailure[] = [...failures];
    let publish = accepted;
    if (accepted.length > 0) {
      const bundle = {
        type: 'bundle',
        id: `bundle--${randomUUID()}`,
        objects: accepted.map((a) => a.object),
      };
      const outcome = await this.stix.importText(actor, JSON.stringify(bundle), `taxii:${c.def.alias}`, {
        defaultTlp: c.def.ceiling,
      });
      const rejected = new Map(outcome.rejected.map((r) => [r.index, r.reason]));
      publish = [];
      for (const [i, a] of accepted.entries()) {
        // The importer numbers objects from 1 (its messages say "#1" for the first).
        const reason = rejected.get(i + 1);
        const stricter = a.tlp !== null && tlpRank(a.tlp) > tlpRank(c.def.ceiling);
        if (reason !== undefined)
          failed.push({ index: a.index, id: a.stixId, version: a.version, message: reason });
        else if (stricter)
          failed.push({
            index: a.index,
            id: a.stixId,
            version: a.version,
            message: `TLP:${a.tlp} — imported for your organisation and the center, not published in a collection that TLP:${c.def.ceiling} at most may enter`,
          });
        else publish.push(a);
      }
    }
    const results = await addVersionsOf(this.store, c.def.id, publish, actor.orgId);
    const body = statusBody(randomUUID(), requestUs, results, failed);
    await this.intel.db
      .insertInto('taxii_status')
      .values({
        id: body.id,
        collection: c.def.id,
        user_id: actor.userId,
        org_id: actor.orgId,
        request_us: requestUs,
        body: JSON.stringify(body),
      })
      .execute();
    return body;
  }

  /** A status resource: to the user who posted, their organisation and center staff. */
  async status(actor: Actor, statusId: string): Promise<StatusBody> {
    const row = await this.intel.db
      .selectFrom('taxii_status')
      .select(['body', 'org_id', 'user_id'])
      .where('id', '=', statusId)
      .executeTakeFirst();
    const mine =
      row &&
      actor.kind !== 'anonymous' &&
      (isCenter(actor) ||
        (row.user_id !== null && Number(row.user_id) === actor.userId) ||
        (row.org_id !== null && Number(row.org_id) === actor.orgId));
    if (!row || !mine) throw new KobanError('E_NOT_FOUND', `no status ${statusId.slice(0, 80)}`);
    return JSON.parse(row.body) as StatusBody;
  }

  /** Brings a collection up to date with its audience's view (once per `syncEveryMs`, one at a time). */
  private async fresh(def: CollectionDef): Promise<void> {
    const running = this.syncing.get(def.id);
    if (running) return running;
    const last = this.synced.get(def.id);
    if (last !== undefined && this.now() - last < this.options.syncEveryMs) return;
    const run = syncCollection(this.intel, this.stix, this.store, def, systemActor('taxii'))
      .then(() => {
        this.synced.set(def.id, this.now());
      })
      .finally(() => this.syncing.delete(def.id));
    this.syncing.set(def.id, run);
    return run;
  }

  /** Forgets when collections were last brought up to date (the next read re-exports). */
  invalidate(): void {
    this.synced.clear();
  }
}
