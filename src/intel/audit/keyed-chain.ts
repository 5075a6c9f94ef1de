/**
 * The chain key and the one append helper of the hash-chained tables (audit log, evidence custody).
 * The key (chain-key-file.ts loads or creates it, outside the database) holds an HMAC-SHA256 key
 * for the chains and an Ed25519 key pair for signing checkpoints of their heads (checkpoints.ts).
 *
 * The key travels with the database handle `IntelService` gives its services: a no-op Kysely
 * plugin carries it, and every transaction opened from that handle inherits the plugin, so each
 * `appendAudit` and custody append finds the key wherever it runs without threading it through
 * every service. A handle without the key cannot append a chained row: it fails closed rather than
 * writing a row anyone could recompute.
 */
import { createHash, type KeyObject, sign, verify } from 'node:crypto';
import type {
  Kysely,
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import { KobanError } from '../../core/index.js';
import type { Database, RelationalDb } from '../../db/index.js';
import { type ChainedRow, type ChainRule, chainHash, GENESIS_HASH, keyedChainHash } from './chain.js';

export const CHAIN_TABLES = ['audit_log', 'custody'] as const;
export type ChainTable = (typeof CHAIN_TABLES)[number];

export class ChainKey {
  /** Names the key in checkpoints: the first 16 hex digits of SHA-256 of the public key (SPKI DER). */
  readonly keyId: string;

  constructor(
    private readonly macKey: Buffer,
    private readonly signingKey: KeyObject,
    readonly publicKey: KeyObject,
    /** Rows up to these ids were written before the key existed and keep the unkeyed rule. */
    readonly switchover: Readonly<Record<ChainTable, number>>,
  ) {
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    this.keyId = createHash('sha256').update(spki).digest('hex').slice(0, 16);
  }

  /** Which hash a row of the table must carry. */
  ruleFor(table: ChainTable): ChainRule {
    const last = this.switchover[table];
    return (id, prev, content) =>
      id <= last ? chainHash(prev, content) : keyedChainHash(this.macKey, prev, content);
  }

  /** Ed25519 (RFC 8032) signature, base64url. */
  sign(message: string): string {
    return sign(null, Buffer.from(message, 'utf8'), this.signingKey).toString('base64url');
  }

  verify(message: string, signature: string): boolean {
    try {
      return verify(null, Buffer.from(message, 'utf8'), this.publicKey, Buffer.from(signature, 'base64url'));
    } catch {
      return false;
    }
  }
}

class ChainKeyPlugin implements KyselyPlugin {
  constructor(readonly key: ChainKey) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

/** The same database with the key attached (same connection; destroy the original as before). */
export function withChainKey(db: RelationalDb, key: ChainKey): RelationalDb {
  return db.withPlugin(new ChainKeyPlugin(key));
}

/** The key attached to a handle or any transaction opened from it; E_CONFIG when there is none. */
export function chainKeyOf(db: Kysely<Database>): ChainKey {
  for (const p of db.getExecutor().plugins) if (p instanceof ChainKeyPlugin) return p.key;
  throw new KobanError(
    'E_CONFIG',
    'the audit chain key is not loaded on this database handle (open the intel services with ' +
      'IntelService.open): chained rows are never written unkeyed',
  );
}

/** A row to append: every column but the id and the two chain columns. */
export type ChainContent = Record<string, string | number | null>;

/**
 * Appends one row to a chained table inside `tx` with an explicit id (last + 1): the id is part of
 * the hashed content, and two writers racing for the same id collide on the primary key instead of
 * forking the chain. Returns the id.
 */
export async function appendChained(
  tx: Kysely<Database>,
  table: ChainTable,
  content: ChainContent,
): Promise<number> {
  const rule = chainKeyOf(tx).ruleFor(table);
  // Both tables have the chain columns; Kysely cannot type a query over a union of tables.
  const db = chained(tx);
  const last = await db
    .selectFrom(table)
    .select(['id', 'hash'])
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const id = last ? Number(last.id) + 1 : 1;
  const row = { id, ...content };
  const prev = last?.hash ?? GENESIS_HASH;
  await db
    .insertInto(table)
    .values({ ...row, prev_hash: prev, hash: rule(id, prev, row) } as never)
    .execute();
  return id;
}

/**
 * Appends several rows in order, as `appendChained` would one after the other, with one read of the
 * head and multi-row inserts (intake writes a batch of reports' rows this way). Returns the ids.
 */
export async function appendChainedRows(
  tx: Kysely<Database>,
  table: ChainTable,
  contents: readonly ChainContent[],
): Promise<number[]> {
  if (contents.length === 0) return [];
  const rule = chainKeyOf(tx).ruleFor(table);
  const db = chained(tx);
  const last = await db
    .selectFrom(table)
    .select(['id', 'hash'])
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  let id = last ? Number(last.id) : 0;
  let prev = last?.hash ?? GENESIS_HASH;
  const rows: Record<string, string | number | null>[] = [];
  for (const content of contents) {
    id++;
    const row = { id, ...content };
    const hash = rule(id, prev, row);
    rows.push({ ...row, prev_hash: prev, hash });
    prev = hash;
  }
  // A few hundred rows a statement keeps well under both engines' bound on parameters.
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto(table)
      .values(rows.slice(i, i + 200) as never)
      .execute();
  }
  return rows.map((r) => Number(r.id));
}

/** The columns both chained tables share (the rest differ and are read whole). */
type ChainColumns = { id: number; prev_hash: string; hash: string };

function chained(db: Kysely<Database>): Kysely<Record<ChainTable, ChainColumns>> {
  return db as unknown as Kysely<Record<ChainTable, ChainColumns>>;
}

/** Rows of a chained table after an id, in id order (for checks). */
export function chainPage(db: Kysely<Database>, table: ChainTable) {
  return (after: number, limit: number): Promise<ChainedRow[]> =>
    chained(db)
      .selectFrom(table)
      .selectAll()
      .where('id', '>', after)
      .orderBy('id')
      .limit(limit)
      .execute() as Promise<ChainedRow[]>;
}

/** The row of a chained table with this id, if any. */
export function chainRow(
  db: Kysely<Database>,
  table: ChainTable,
  id: number,
): Promise<ChainedRow | undefined> {
  return chained(db).selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst() as Promise<
    ChainedRow | undefined
  >;
}

/** The id of the last row of a chained table (0 when empty). */
export async function chainLastId(db: Kysely<Database>, table: ChainTable): Promise<number> {
  const r = await chained(db)
    .selectFrom(table)
    .select('id')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r ? Number(r.id) : 0;
}
