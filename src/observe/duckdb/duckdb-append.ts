/**
 * Appends to the DuckDB event store and its idempotency ledger. One append is one transaction:
 * new sensor names and signatures, the events (through typed-array chunks, duckdb-chunk-writer.ts),
 * their rollup rows and hourly source tuples (duckdb-source-sets.ts), their identities when asked (duckdb-identity.ts), the batch row and the
 * ledger entries — all of it or none.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import { type EnrichedEvent, KobanError } from '../../core/index.js';
import type {
  AppendDedup,
  AppendResult,
  LedgerEntry,
  LedgerUpdate,
  UniqueAppend,
  UniqueAppendResult,
} from '../ports/event-store.js';
import { ChunkWriter } from './duckdb-chunk-writer.js';
import {
  appendIdentities,
  type EventIdentities,
  findStored,
  identitiesOf,
  keptIdentities,
} from './duckdb-identity.js';
import { fillRow } from './duckdb-rows.js';
import { EVENT_COLUMNS, techniqueCode } from './duckdb-schema.js';
import { INSERT_BATCH_SOURCES_SQL } from './duckdb-source-sets.js';
import { type DuckDbState, inTransaction, rows } from './duckdb-state.js';

/** A ledger update and the events its records yielded (stored or recognised as duplicates). */
interface LedgerWrite {
  readonly update: LedgerUpdate;
  readonly events: number;
}

/** Sensor names and signatures an append brings that the store does not know yet. */
interface NewNames {
  readonly sensors: [string, number][];
  readonly signatures: EnrichedEvent[];
}

function newNames(s: DuckDbState, events: readonly EnrichedEvent[]): NewNames {
  const sensors: [string, number][] = [];
  const signatures: EnrichedEvent[] = [];
  for (const e of events) {
    if (!s.sensorIds.has(e.sensor) && !sensors.some(([n]) => n === e.sensor)) {
      const id = s.sensorNames.length + sensors.length;
      if (id > 65535) throw new KobanError('E_LIMIT', 'more than 65,536 sensor names');
      sensors.push([e.sensor, id]);
    }
    if (e.ids && !s.knownSignatures.has(`${e.ids.generatorId}:${e.ids.signatureId}`)) signatures.push(e);
  }
  return { sensors, signatures };
}

/**
 * Appends `given` (less, with `dedup`, the events another source stored) with its ledger writes in
 * one transaction. The caller runs it alone on the connection.
 */
export async function appendEvents(
  s: DuckDbState,
  given: readonly EnrichedEvent[],
  ledgers: readonly LedgerWrite[],
  dedup?: AppendDedup,
): Promise<AppendResult> {
  const batchId = s.lastBatch + 1;
  const fresh = newNames(s, given);
  try {
    const { stored, sigKeys } = await inTransaction(s.con, async () => {
      for (const [name, id] of fresh.sensors) {
        await s.con.run('INSERT INTO sensors VALUES ($1::USMALLINT, $2)', [id, name]);
        s.sensorIds.set(name, id);
      }
      const sigKeys = await upsertSignatures(s, fresh.signatures);
      const stored = await storeEvents(s, given, batchId, dedup);
      for (const l of ledgers) await writeLedger(s, l.update, l.events);
      return { stored, sigKeys };
    });
    s.health.wrote();
    s.lastBatch = batchId;
    for (const k of sigKeys) s.knownSignatures.add(k);
    for (const [name, id] of fresh.sensors) s.sensorNames[id] = name;
    return { stored, duplicates: given.length - stored };
  } catch (e) {
    for (const [name] of fresh.sensors) s.sensorIds.delete(name);
    throw e;
  }
}

/** Writes the events (those not recognised as stored, with `dedup`), their rollups, sources and batch row. */
async function storeEvents(
  s: DuckDbState,
  given: readonly EnrichedEvent[],
  batchId: number,
  dedup: AppendDedup | undefined,
): Promise<number> {
  let events = given;
  let identities: EventIdentities | null = null;
  if (dedup) {
    identities = identitiesOf(events, s.sensorIds);
    const keep = await findStored(s.con, identities, dedup.sinceBatch);
    if (keep !== null) {
      events = events.filter((_, i) => keep[i] === 1);
      identities = keptIdentities(identities, keep, events.length);
    }
  }
  if (events.length > 0) {
    await writeEvents(s, events, batchId);
    await s.con.run(
      `INSERT INTO rollup_hourly
       SELECT date_trunc('hour', epoch_ms(ts_ms)), sensor, kind, proto, coalesce(dport, -1), country,
              technique, neighbour, scope, count(*)
       FROM events WHERE batch = $1::UINTEGER GROUP BY ALL`,
      [batchId],
    );
    await s.con.run(INSERT_BATCH_SOURCES_SQL, [batchId]);
  }
  if (identities) await appendIdentities(s.con, identities, batchId);
  await s.con.run('INSERT INTO batches VALUES ($1::UINTEGER, $2::BIGINT, $3::UBIGINT)', [
    batchId,
    Date.now(),
    events.length,
  ]);
  return events.length;
}

/**
 * Appends the deliveries whose ledger keys are new (the exactly-once step of HTTP ingest); the
 * caller runs it alone on the connection.
 */
export async function appendUnique(
  s: DuckDbState,
  deliveries: readonly UniqueAppend[],
): Promise<UniqueAppendResult[]> {
  const keys = deliveries.map((d) => d.ledger.key);
  /** Stored keys and their content hashes (null: stored before hashes were kept). */
  const existing = new Map<string, string | null>();
  for (let i = 0; i < keys.length; i += 500) {
    const part = keys.slice(i, i + 500);
    const found = await rows(
      s.con,
      `SELECT key, content_hash FROM ledger WHERE key IN (${part.map((_, j) => `$${j + 1}`).join(', ')})`,
      part,
    );
    for (const r of found) existing.set(String(r[0]), r[1] === null ? null : String(r[1]));
  }
  const result: UniqueAppendResult[] = [];
  const events: EnrichedEvent[] = [];
  const ledgers: LedgerWrite[] = [];
  for (const d of deliveries) {
    const key = d.ledger.key;
    if (existing.has(key)) {
      const stored = existing.get(key);
      const same = stored === null || d.ledger.contentHash === null || stored === d.ledger.contentHash;
      result.push(same ? 'duplicate' : 'conflict');
      continue;
    }
    existing.set(key, d.ledger.contentHash);
    result.push('stored');
    for (const e of d.events) events.push(e);
    ledgers.push({ update: d.ledger, events: d.events.length });
  }
  if (ledgers.length > 0) await appendEvents(s, events, ledgers);
  return result;
}

async function upsertSignatures(s: DuckDbState, events: readonly EnrichedEvent[]): Promise<string[]> {
  const keys: string[] = [];
  for (const e of events) {
    const ids = e.ids!;
    const key = `${ids.generatorId}:${ids.signatureId}`;
    if (keys.includes(key)) continue;
    keys.push(key);
    await s.con.run(
      `INSERT INTO signatures VALUES ($1::UINTEGER, $2::UINTEGER, $3::UINTEGER, $4, $5, $6::UTINYINT)
       ON CONFLICT (gid, sid) DO UPDATE SET rev = excluded.rev, signature = excluded.signature,
         classtype = excluded.classtype, technique = excluded.technique`,
      [
        ids.generatorId,
        ids.signatureId,
        ids.signatureRev,
        ids.signature,
        ids.classtype,
        techniqueCode(ids.technique),
      ],
    );
  }
  return keys;
}

async function writeLedger(s: DuckDbState, l: LedgerUpdate, events: number): Promise<void> {
  await s.con.run(
    `INSERT INTO ledger VALUES ($1, $2, $3::UBIGINT, $4, $5::UBIGINT, $6::UBIGINT, $7, $8, $9::BIGINT)
     ON CONFLICT (key) DO UPDATE SET position = excluded.position, complete = excluded.complete,
       events = ledger.events + $10::UBIGINT, bytes = excluded.bytes, head_hash = excluded.head_hash,
       content_hash = excluded.content_hash, updated_ms = excluded.updated_ms`,
    [
      l.key,
      l.sensor,
      l.position,
      l.complete,
      events + (l.eventsCarried ?? 0),
      l.bytes,
      l.headHash,
      l.contentHash,
      Date.now(),
      events,
    ],
  );
}

/** Appends events through typed-array chunks (duckdb-chunk-writer.ts). */
async function writeEvents(s: DuckDbState, events: readonly EnrichedEvent[], batchId: number): Promise<void> {
  const appender = await s.con.createAppender('events');
  try {
    const w = new ChunkWriter(EVENT_COLUMNS, appender);
    const c = w.columns;
    const batch = c[1]!.values as Uint32Array;
    for (const e of events) {
      const row = w.rows;
      fillRow(c, row, e, s.sensorIds.get(e.sensor)!);
      batch[row] = batchId;
      w.endRow();
    }
    w.flush();
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

export async function ledgerEntry(s: DuckDbState, key: string): Promise<LedgerEntry | null> {
  const found = await rows(s.con, 'SELECT * FROM ledger WHERE key = $1', [key]);
  return found[0] ? ledgerFromRow(found[0]) : null;
}

export async function ledgerByHead(s: DuckDbState, sensor: string, headHash: string): Promise<LedgerEntry[]> {
  const found = await rows(
    s.con,
    'SELECT * FROM ledger WHERE sensor = $1 AND head_hash = $2 ORDER BY bytes DESC',
    [sensor, headHash],
  );
  return found.map(ledgerFromRow);
}

function ledgerFromRow(r: DuckDBValue[]): LedgerEntry {
  return {
    key: String(r[0]),
    sensor: String(r[1]),
    position: Number(r[2]),
    complete: Boolean(r[3]),
    events: Number(r[4]),
    bytes: Number(r[5]),
    headHash: r[6] === null ? null : String(r[6]),
    contentHash: r[7] === null ? null : String(r[7]),
    updatedMs: Number(r[8]),
  };
}
