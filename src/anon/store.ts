/**
 * The anonymizer tables (db/schema-anon.ts): an import, applied in one transaction — the list's
 * row, then its history plan (history.ts) — and the rows the in-memory index is built from.
 */
import type { Kysely } from 'kysely';
import { KobanError } from '../core/index.js';
import type { Database } from '../db/index.js';
import { planHistory } from './history.js';
import type { ListFormat, ListKind, ParsedList } from './lists/entry.js';

export interface ImportRecord {
  readonly list: string;
  readonly kind: ListKind;
  readonly format: ListFormat;
  readonly source: string;
  readonly contentSha256: string;
  readonly publishedMs: number;
  readonly importedMs: number;
}

export interface AppliedImport {
  readonly importId: number;
  /** The same list (content and publication time) was imported before: nothing changed. */
  readonly duplicate: boolean;
  readonly opened: number;
  readonly kept: number;
  readonly closed: number;
}

export interface IntervalRow {
  readonly list: string;
  readonly kind: string;
  readonly address: string;
  readonly fingerprint: string;
  readonly policy: string | null;
  readonly reason: string | null;
  readonly fromMs: number;
  readonly toMs: number | null;
  readonly firstPublishedMs: number;
  readonly lastPublishedMs: number;
  readonly firstSource: string;
  readonly lastSource: string;
}

/** Rows per INSERT: well under SQLite's 32 766 bound parameters at 8 columns a row. */
const CHUNK = 500;

export async function applyImport(
  db: Kysely<Database>,
  rec: ImportRecord,
  parsed: ParsedList,
): Promise<AppliedImport> {
  return db.transaction().execute(async (tx) => {
    const newest = await tx
      .selectFrom('anon_imports')
      .select(['id', 'published_ms', 'content_sha256', 'kind'])
      .where('list', '=', rec.list)
      .orderBy('published_ms', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (newest !== undefined) {
      const prev = Number(newest.published_ms);
      if (prev === rec.publishedMs && newest.content_sha256 === rec.contentSha256)
        return { importId: newest.id, duplicate: true, opened: 0, kept: 0, closed: 0 };
      if (prev >= rec.publishedMs)
        throw new KobanError(
          'E_CONFLICT',
          `list ${rec.list} already holds a list published ${new Date(prev).toISOString()}; history is built in publication order, and this one is of ${new Date(rec.publishedMs).toISOString()}`,
        );
      if (newest.kind !== rec.kind)
        throw new KobanError('E_CONFLICT', `list ${rec.list} is of kind ${newest.kind}, not ${rec.kind}`);
    }
    const { id: importId } = await tx
      .insertInto('anon_imports')
      .values({
        list: rec.list,
        kind: rec.kind,
        format: rec.format,
        source: rec.source,
        content_sha256: rec.contentSha256,
        published_ms: rec.publishedMs,
        imported_ms: rec.importedMs,
        entries: parsed.entries.length,
        rejected: parsed.rejected.length,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const open = await tx
      .selectFrom('anon_intervals')
      .select(['id', 'address', 'fingerprint', 'policy', 'reason'])
      .where('list', '=', rec.list)
      .where('to_ms', 'is', null)
      .execute();
    const plan = planHistory(
      open,
      parsed.entries,
      rec.publishedMs,
      newest ? Number(newest.published_ms) : null,
    );
    for (let i = 0; i < plan.keep.length; i += CHUNK) {
      const ids = plan.keep.slice(i, i + CHUNK);
      await tx.updateTable('anon_intervals').set({ last_import: importId }).where('id', 'in', ids).execute();
    }
    for (let i = 0; i < plan.close.length; i += CHUNK) {
      const ids = plan.close.slice(i, i + CHUNK);
      await tx.updateTable('anon_intervals').set({ to_ms: rec.publishedMs }).where('id', 'in', ids).execute();
    }
    for (let i = 0; i < plan.open.length; i += CHUNK) {
      const rows = plan.open.slice(i, i + CHUNK).map((o) => ({
        list: rec.list,
        address: o.address,
        fingerprint: o.fingerprint,
        policy: o.policy,
        reason: o.reason,
        from_ms: o.fromMs,
        to_ms: null,
        first_import: importId,
        last_import: importId,
      }));
      await tx.insertInto('anon_intervals').values(rows).execute();
    }
    return {
      importId,
      duplicate: false,
      opened: plan.open.length,
      kept: plan.keep.length,
      closed: plan.close.length,
    };
  });
}

/** Every interval with the lists that opened it and last held it: what the index is built from. */
type IntervalSelect = {
  id: number;
  list: string;
  kind: string;
  address: string;
  fingerprint: string;
  policy: string | null;
  reason: string | null;
  from_ms: number | string;
  to_ms: number | string | null;
  first_published: number | string;
  last_published: number | string;
  first_source: string;
  last_source: string;
};

function intervalRow(r: IntervalSelect): IntervalRow {
  return {
    list: r.list,
    kind: r.kind,
    address: r.address,
    fingerprint: r.fingerprint,
    policy: r.policy,
    reason: r.reason,
    fromMs: Number(r.from_ms),
    toMs: r.to_ms === null ? null : Number(r.to_ms),
    firstPublishedMs: Number(r.first_published),
    lastPublishedMs: Number(r.last_published),
    firstSource: r.first_source,
    lastSource: r.last_source,
  };
}

/** Every interval, a page at a time in id order (keyset), so a caller never holds them all as rows. */
export async function* intervalPages(db: Kysely<Database>, pageSize = 20_000): AsyncGenerator<IntervalRow[]> {
  let after = 0;
  for (;;) {
    const rows: IntervalSelect[] = await db
      .selectFrom('anon_intervals as i')
      .innerJoin('anon_imports as f', 'f.id', 'i.first_import')
      .innerJoin('anon_imports as l', 'l.id', 'i.last_import')
      .select([
        'i.id',
        'i.list',
        'f.kind',
        'i.address',
        'i.fingerprint',
        'i.policy',
        'i.reason',
        'i.from_ms',
        'i.to_ms',
        'f.published_ms as first_published',
        'l.published_ms as last_published',
        'f.source as first_source',
        'l.source as last_source',
      ])
      .where('i.id', '>', after)
      .orderBy('i.id')
      .limit(pageSize)
      .execute();
    if (rows.length === 0) return;
    after = Number(rows[rows.length - 1]!.id);
    yield rows.map(intervalRow);
    if (rows.length < pageSize) return;
  }
}

/** Each list's newest and oldest publication: what the freshness check and coverage answer from. */
export async function listCoverage(
  db: Kysely<Database>,
): Promise<{ list: string; kind: string; oldestMs: number; newestMs: number; imports: number }[]> {
  const rows = await db
    .selectFrom('anon_imports')
    .select((eb) => [
      'list',
      eb.fn.max('kind').as('kind'),
      eb.fn.min('published_ms').as('oldest'),
      eb.fn.max('published_ms').as('newest'),
      eb.fn.countAll().as('imports'),
    ])
    .groupBy('list')
    .orderBy('list')
    .execute();
  return rows.map((r) => ({
    list: r.list,
    kind: String(r.kind),
    oldestMs: Number(r.oldest),
    newestMs: Number(r.newest),
    imports: Number(r.imports),
  }));
}
