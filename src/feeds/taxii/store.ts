/**
 * The objects of the TAXII collections (`taxii_objects`, migrations/0013-taxii-collections.ts):
 * every version of every object per collection with the date it was added there. Dates added are
 * strictly increasing per collection (the clock, or one microsecond past the last when the clock
 * has not moved), so `added_after` is exact and the date added of the last object sent is the
 * keyset cursor behind `next`: a page is one index range scan however deep the walk.
 */
import { SqliteAdapter, sql } from 'kysely';
import type { RelationalDb } from '../../db/index.js';
import { formatMicros, versionKey } from './timestamps.js';

/** One version of an object, ready to be added to a collection. */
export interface NewVersion {
  readonly stixId: string;
  readonly type: string;
  readonly version: string;
  readonly versionKey: string;
  readonly specVersion: string;
  readonly sha256: string;
  /** The object as JSON text. */
  readonly json: string;
  readonly origin: 'export' | 'post';
  readonly orgId: number | null;
}

export interface StoredVersion {
  readonly stixId: string;
  readonly type: string;
  readonly version: string;
  readonly versionKey: string;
  readonly specVersion: string;
  readonly dateAddedUs: number;
  readonly origin: string;
  readonly orgId: number | null;
  /** The object's JSON as stored, UTF-8 bytes: spliced into a response as they are (see `page`). */
  readonly object: Uint8Array;
}

/** `match[version]`: any of first, last, all, or given versions (as version keys). */
export interface VersionMatch {
  readonly all: boolean;
  readonly first: boolean;
  readonly last: boolean;
  readonly keys: readonly string[];
}

export interface ObjectQuery {
  readonly collection: string;
  /** Only objects added strictly after this (µs): `added_after`, or the cursor of `next`. */
  readonly afterUs: number | null;
  readonly limit: number;
  readonly ids?: readonly string[] | undefined;
  readonly types?: readonly string[] | undefined;
  readonly specVersions?: readonly string[] | undefined;
  readonly versions: VersionMatch;
}

export type AddResult = 'added' | 'unchanged' | 'conflict';

export class TaxiiStore {
  private readonly sqlite: boolean;

  constructor(
    readonly db: RelationalDb,
    private readonly nowUs: () => number,
  ) {
    this.sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  }

  /**
   * Adds versions to a collection in one transaction. A version already held with the same
   * content is left as it is (posting an object twice keeps one); with other content it is a
   * conflict — unless `replace` (the center's own view, re-exported), when the new content is
   * added again with a new date so that pollers see it.
   */
  async add(collection: string, versions: readonly NewVersion[], replace = false): Promise<AddResult[]> {
    return this.db.transaction().execute(async (tx) => {
      const top = await tx
        .selectFrom('taxii_objects')
        .select((eb) => eb.fn.max('date_added_us').as('m'))
        .where('collection', '=', collection)
        .executeTakeFirst();
      let last = top?.m === null || top?.m === undefined ? 0 : Number(top.m);
      const out: AddResult[] = [];
      for (const v of versions) {
        // An object with no created or modified (a cyber-observable) has one version, identified
        // by its content: the date it was first added is its version (TAXII 2.1 §3.4.1).
        const unversioned = v.versionKey === '';
        let held = tx
          .selectFrom('taxii_objects')
          .select(['id', 'content_sha256', 'origin'])
          .where('collection', '=', collection)
          .where('stix_id', '=', v.stixId);
        held = unversioned
          ? held.where('content_sha256', '=', v.sha256)
          : held.where('version_key', '=', v.versionKey);
        const row = await held.executeTakeFirst();
        // What a partner posted stays as sent: the center's rendering of it does not replace it.
        if (row && (row.content_sha256 === v.sha256 || (row.origin === 'post' && v.origin === 'export'))) {
          out.push('unchanged');
          continue;
        }
        if (row && !replace) {
          out.push('conflict');
          continue;
        }
        if (row) await tx.deleteFrom('taxii_objects').where('id', '=', row.id).execute();
        last = Math.max(this.nowUs(), last + 1);
        const version = unversioned ? formatMicros(last) : v.version;
        await tx
          .insertInto('taxii_objects')
          .values({
            collection,
            stix_id: v.stixId,
            stix_type: v.type,
            version,
            version_key: unversioned ? (versionKey(version) ?? '') : v.versionKey,
            spec_version: v.specVersion,
            date_added_us: last,
            origin: v.origin,
            org_id: v.orgId,
            is_first: 0,
            is_last: 0,
            content_sha256: v.sha256,
            object: v.json,
          })
          .execute();
        await markEnds(tx, collection, v.stixId);
        out.push('added');
      }
      return out;
    });
  }

  /**
   * One page in date-added order, and whether more follow. The objects come as the UTF-8 bytes the
   * store holds (a BLOB cast in SQLite, `convert_to` in PostgreSQL), not as strings: a page of
   * 1,000 objects is ~330 KB, and decoding it into strings to join and encode them again was most
   * of a page's cost (bench/taxii.mjs; BENCHMARKS.md, TAXII paging) — bytes are concatenated once.
   */
  async page(q: ObjectQuery): Promise<{ rows: StoredVersion[]; more: boolean }> {
    const bytes = this.sqlite
      ? sql<Uint8Array>`cast(object as blob)`
      : sql<Uint8Array>`convert_to(object, 'UTF8')`;
    let s = this.db
      .selectFrom('taxii_objects')
      .select([
        'stix_id',
        'stix_type',
        'version',
        'version_key',
        'spec_version',
        'date_added_us',
        'origin',
        'org_id',
        bytes.as('object'),
      ])
      .where('collection', '=', q.collection);
    if (q.afterUs !== null) s = s.where('date_added_us', '>', q.afterUs);
    if (q.ids?.length) s = s.where('stix_id', 'in', [...q.ids]);
    if (q.types?.length) s = s.where('stix_type', 'in', [...q.types]);
    if (q.specVersions?.length) s = s.where('spec_version', 'in', [...q.specVersions]);
    const v = q.versions;
    if (!v.all)
      s = s.where((eb) => {
        const any = [];
        if (v.first) any.push(eb('is_first', '=', 1));
        if (v.last) any.push(eb('is_last', '=', 1));
        if (v.keys.length) any.push(eb('version_key', 'in', [...v.keys]));
        return eb.or(any);
      });
    const rows = await s
      .orderBy('date_added_us')
      .limit(q.limit + 1)
      .execute();
    return { rows: rows.slice(0, q.limit).map(stored), more: rows.length > q.limit };
  }

  /** Deletes the matching versions of one object; returns how many went. */
  async remove(q: ObjectQuery & { readonly ids: readonly string[] }, orgId: number | null): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const found = await new TaxiiStore(tx, this.nowUs).page({
        ...q,
        afterUs: null,
        limit: 100_000,
      });
      let n = 0;
      for (const r of found.rows) {
        if (r.origin !== 'post' || (orgId !== null && r.orgId !== orgId)) continue;
        await tx
          .deleteFrom('taxii_objects')
          .where('collection', '=', q.collection)
          .where('stix_id', '=', r.stixId)
          .where('version_key', '=', r.versionKey)
          .execute();
        n++;
      }
      for (const id of q.ids) await markEnds(tx, q.collection, id);
      return n;
    });
  }

  /** The versions of the collection that came from the center's export: id → key → sha. */
  async exported(collection: string): Promise<Map<string, string>> {
    const rows = await this.db
      .selectFrom('taxii_objects')
      .select(['stix_id', 'version_key', 'content_sha256'])
      .where('collection', '=', collection)
      .where('origin', '=', 'export')
      .execute();
    return new Map(rows.map((r) => [`${r.stix_id} ${r.version_key}`, r.content_sha256]));
  }

  /** Removes exported versions the audience may no longer see. */
  async withdraw(collection: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      const ids = new Set<string>();
      for (const k of keys) {
        const [id, vk] = k.split(' ') as [string, string];
        await tx
          .deleteFrom('taxii_objects')
          .where('collection', '=', collection)
          .where('stix_id', '=', id)
          .where('version_key', '=', vk)
          .where('origin', '=', 'export')
          .execute();
        ids.add(id);
      }
      for (const id of ids) await markEnds(tx, collection, id);
    });
  }
}

type Tx = Parameters<Parameters<ReturnType<RelationalDb['transaction']>['execute']>[0]>[0];

/** Marks the oldest and newest version of an id in the collection. */
async function markEnds(tx: Tx, collection: string, stixId: string): Promise<void> {
  const ends = await tx
    .selectFrom('taxii_objects')
    .select((eb) => [eb.fn.min('version_key').as('lo'), eb.fn.max('version_key').as('hi')])
    .where('collection', '=', collection)
    .where('stix_id', '=', stixId)
    .executeTakeFirst();
  if (!ends || ends.lo === null) return;
  await tx
    .updateTable('taxii_objects')
    .set({
      is_first: sql<number>`case when version_key = ${ends.lo} then 1 else 0 end`,
      is_last: sql<number>`case when version_key = ${ends.hi} then 1 else 0 end`,
    })
    .where('collection', '=', collection)
    .where('stix_id', '=', stixId)
    .execute();
}

function stored(r: {
  stix_id: string;
  stix_type: string;
  version: string;
  version_key: string;
  spec_version: string;
  date_added_us: number;
  origin: string;
  org_id: number | null;
  object: Uint8Array;
}): StoredVersion {
  return {
    stixId: r.stix_id,
    type: r.stix_type,
    version: r.version,
    versionKey: r.version_key,
    specVersion: r.spec_version,
    dateAddedUs: Number(r.date_added_us),
    origin: r.origin,
    orgId: r.org_id === null ? null : Number(r.org_id),
    object: r.object,
  };
}
