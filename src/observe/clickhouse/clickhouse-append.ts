/**
 * Appends to the ClickHouse event store and its idempotency ledger. ClickHouse has no transactions:
 * every event is encoded and checked before anything is sent (an append with a value its column
 * cannot hold stores nothing), the events go as one INSERT (one block per shard, inserted
 * synchronously through the Distributed table), and the batch row, identities and ledger entries
 * follow. A failure between the events and the ledger leaves events without their ledger entry:
 * a re-import then stores them again (docs/scale.md, "What ClickHouse cannot promise").
 */
import type { EnrichedEvent } from '../../core/index.js';
import { IdentityHasher } from '../event-identity.js';
import type {
  AppendDedup,
  AppendResult,
  LedgerEntry,
  LedgerUpdate,
  UniqueAppend,
  UniqueAppendResult,
} from '../ports/event-store.js';
import type { Row } from './clickhouse-connection.js';
import { int, list, str } from './clickhouse-literals.js';
import { eventRow, techniqueCode } from './clickhouse-rows.js';
import type { ClickHouseState } from './clickhouse-state.js';

/** A ledger update and the events its records yielded (stored or recognised as duplicates). */
export interface LedgerWrite {
  readonly update: LedgerUpdate;
  readonly events: number;
}

/** Identity probes per statement: each is ~50 bytes of SQL, well under `max_query_size` (256 KiB). */
const PROBE_CHUNK = 2000;

interface Identity {
  readonly sensor: string;
  readonly tsMs: number;
  readonly h1: number;
  readonly h2: number;
}

const hasher = new IdentityHasher();

function identityOf(e: EnrichedEvent): Identity {
  hasher.of(e);
  return { sensor: e.sensor, tsMs: e.timeMs, h1: hasher.h1, h2: hasher.h2 };
}

const identityKey = (sensor: unknown, ts: unknown, h1: unknown, h2: unknown) =>
  `${String(sensor)}\t${String(ts)}\t${String(h1)}\t${String(h2)}`;

/** Which identities a batch up to `sinceBatch` stored already (keys as `identityKey`). */
async function storedIdentities(
  s: ClickHouseState,
  ids: readonly Identity[],
  sinceBatch: number,
): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += PROBE_CHUNK) {
    const part = ids.slice(i, i + PROBE_CHUNK);
    let tMin = Number.POSITIVE_INFINITY;
    let tMax = Number.NEGATIVE_INFINITY;
    const sensors = new Set<string>();
    for (const id of part) {
      tMin = Math.min(tMin, id.tsMs);
      tMax = Math.max(tMax, id.tsMs);
      sensors.add(id.sensor);
    }
    const tuples = part.map((id) => `(${str(id.sensor)}, ${id.tsMs}, ${id.h1}, ${id.h2})`);
    const rows = await s.entry.rows(
      `SELECT sensor, ts_ms, h1, h2 FROM ${s.t.identities}
       WHERE batch <= ${int('mark', sinceBatch, 0)} AND sensor IN ${list([...sensors].map(str))}
         AND ts_ms BETWEEN ${tMin} AND ${tMax} AND (sensor, ts_ms, h1, h2) IN (${tuples.join(', ')})`,
    );
    for (const r of rows) found.add(identityKey(r[0], r[1], r[2], r[3]));
  }
  return found;
}

/** Appends `given` (less, with `dedup`, what another source stored) and its ledger writes. */
export async function appendEvents(
  s: ClickHouseState,
  given: readonly EnrichedEvent[],
  ledgers: readonly LedgerWrite[],
  dedup?: AppendDedup,
): Promise<AppendResult> {
  const batch = s.lastBatch + 1;
  // Encoding checks every value: a failure here stores nothing.
  let rows = given.map((e) => eventRow(e, batch));
  let ids: Identity[] | null = null;
  if (dedup) {
    ids = given.map(identityOf);
    const stored = await storedIdentities(s, ids, dedup.sinceBatch);
    if (stored.size > 0) {
      const keep = ids.map((id) => !stored.has(identityKey(id.sensor, id.tsMs, id.h1, id.h2)));
      rows = rows.filter((_, i) => keep[i]);
      ids = ids.filter((_, i) => keep[i]);
    }
  }
  const fresh = [...new Set(given.map((e) => e.sensor))].filter((n) => !s.sensorFirst.has(n));
  await writeSignatures(s, given, batch);
  if (fresh.length > 0) {
    await s.entry.insert(
      s.t.sensors,
      fresh.map((name) => ({ name, first_batch: batch })),
    );
  }
  for (const name of fresh) s.sensorFirst.set(name, batch);
  await insertEvents(s, rows);
  if (ids && ids.length > 0) {
    await s.entry.insert(
      s.t.identities,
      ids.map((id) => ({ sensor: id.sensor, ts_ms: id.tsMs, h1: id.h1, h2: id.h2, batch })),
    );
  }
  await s.entry.insert(s.t.batches, [{ id: batch, stored_ms: Date.now(), events: rows.length }]);
  s.lastBatch = batch;
  for (const l of ledgers) await writeLedger(s, l.update, l.events);
  return { stored: rows.length, duplicates: given.length - rows.length };
}

/** Events into `events` (one node) or `events_all` (synchronously to the shards that own them). */
async function insertEvents(s: ClickHouseState, rows: readonly Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  await s.entry.insert(s.t.events, rows, s.cluster === null ? undefined : { insert_distributed_sync: 1 });
}

async function writeSignatures(
  s: ClickHouseState,
  events: readonly EnrichedEvent[],
  batch: number,
): Promise<void> {
  const seen = new Map<string, Record<string, unknown>>();
  for (const e of events) {
    const ids = e.ids;
    if (!ids) continue;
    const key = `${ids.generatorId}:${ids.signatureId}`;
    if (seen.has(key) || (s.signatures.has(key) && s.signatures.get(key) === ids.signature)) continue;
    seen.set(key, {
      gid: ids.generatorId,
      sid: ids.signatureId,
      rev: ids.signatureRev,
      signature: ids.signature,
      classtype: ids.classtype,
      technique: techniqueCode(ids.technique),
      version: batch,
    });
  }
  if (seen.size === 0) return;
  await s.entry.insert(s.t.signatures, [...seen.values()]);
  for (const [key, row] of seen) s.signatures.set(key, row.signature as string | null);
}

const LEDGER_COLUMNS =
  'key, sensor, position, complete, events, bytes, head_hash, content_hash, updated_ms, rev';

async function ledgerRows(s: ClickHouseState, where: string, order = ''): Promise<Row[]> {
  return s.entry.rows(`SELECT ${LEDGER_COLUMNS} FROM ${s.t.ledger} FINAL WHERE ${where} ${order}`);
}

/**
 * A new version of the entry (the ReplacingMergeTree keeps the highest `rev`): the events add up
 * to what the stored version counted, or start from what an earlier entry carries.
 */
async function writeLedger(s: ClickHouseState, l: LedgerUpdate, events: number): Promise<void> {
  const prior = (await ledgerRows(s, `key = ${str(l.key)}`))[0];
  const total = prior ? Number(prior[4]) + events : events + (l.eventsCarried ?? 0);
  await s.entry.insert(s.t.ledger, [
    {
      key: l.key,
      sensor: l.sensor,
      position: l.position,
      complete: l.complete ? 1 : 0,
      events: total,
      bytes: l.bytes,
      head_hash: l.headHash,
      content_hash: l.contentHash,
      updated_ms: Date.now(),
      rev: prior ? Number(prior[9]) + 1 : 1,
    },
  ]);
}

export async function ledgerEntry(s: ClickHouseState, key: string): Promise<LedgerEntry | null> {
  const found = await ledgerRows(s, `key = ${str(key)}`);
  return found[0] ? ledgerFromRow(found[0]) : null;
}

export async function ledgerByHead(
  s: ClickHouseState,
  sensor: string,
  headHash: string,
): Promise<LedgerEntry[]> {
  const found = await ledgerRows(
    s,
    `sensor = ${str(sensor)} AND head_hash = ${str(headHash)}`,
    'ORDER BY bytes DESC, key',
  );
  return found.map(ledgerFromRow);
}

function ledgerFromRow(r: Row): LedgerEntry {
  return {
    key: String(r[0]),
    sensor: String(r[1]),
    position: Number(r[2]),
    complete: Number(r[3]) === 1,
    events: Number(r[4]),
    bytes: Number(r[5]),
    headHash: r[6] === null ? null : String(r[6]),
    contentHash: r[7] === null ? null : String(r[7]),
    updatedMs: Number(r[8]),
  };
}

/** Appends the deliveries whose ledger keys are new (the exactly-once step of HTTP ingest). */
export async function appendUnique(
  s: ClickHouseState,
  deliveries: readonly UniqueAppend[],
): Promise<UniqueAppendResult[]> {
  const keys = [...new Set(deliveries.map((d) => d.ledger.key))];
  /** Stored keys and their content hashes (null: stored without one). */
  const existing = new Map<string, string | null>();
  for (let i = 0; i < keys.length; i += 500) {
    const part = keys.slice(i, i + 500);
    for (const r of await ledgerRows(s, `key IN ${list(part.map(str))}`)) {
      existing.set(String(r[0]), r[7] === null ? null : String(r[7]));
    }
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
