/**
 * The sensor registry: which sensors may send to this center, their address blocks (coverage),
 * and their delivery health. A sensor's token is shown once at registration; only the SHA-256 of
 * its secret is stored, and it is compared in constant time (core secret-token.ts: `kbs_<id>_<secret>`).
 */
import { sql } from 'kysely';
import {
  cidrToString,
  formatIdToken,
  KobanError,
  mintSecret,
  parseAddressBlock,
  parseIdToken,
  secretHash,
  secretHashHex,
  secretHashMatches,
} from '../core/index.js';
import type { RelationalDb } from '../db/index.js';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** The token hash of relayed sensors: not hex, so no token can match it. */
const RELAYED_TOKEN_HASH = 'none';

export interface SensorRecord {
  readonly id: number;
  readonly name: string;
  readonly site: string | null;
  readonly addressBlocks: readonly string[];
  readonly relay: boolean;
  readonly createdMs: number;
  readonly revokedMs: number | null;
  readonly lastSeenMs: number | null;
  readonly lastEventMs: number | null;
  readonly eventsTotal: number;
  readonly batchesTotal: number;
  readonly droppedTotal: number;
}

/** A sensor with no batch for longer than this is "silent" (the CLI's and the console's status). */
export const SENSOR_SILENT_MS = 60 * 60_000;

export type SensorStatus = 'revoked' | 'never seen' | 'silent' | 'active';

export function sensorStatus(s: SensorRecord, nowMs: number): SensorStatus {
  if (s.revokedMs !== null) return 'revoked';
  if (s.lastSeenMs === null) return 'never seen';
  return nowMs - s.lastSeenMs > SENSOR_SILENT_MS ? 'silent' : 'active';
}

export interface NewSensor {
  readonly name: string;
  readonly site?: string | undefined;
  readonly addressBlocks?: readonly string[] | undefined;
  readonly relay?: boolean | undefined;
}

type Row = {
  id: number;
  name: string;
  site: string | null;
  address_blocks: string;
  relay: number;
  created_ms: number;
  revoked_ms: number | null;
  last_seen_ms: number | null;
  last_event_ms: number | null;
  events_total: number;
  batches_total: number;
  dropped_total: number;
};

function toRecord(r: Row): SensorRecord {
  return {
    id: Number(r.id),
    name: r.name,
    site: r.site,
    addressBlocks: JSON.parse(r.address_blocks) as string[],
    relay: Number(r.relay) === 1,
    createdMs: Number(r.created_ms),
    revokedMs: r.revoked_ms === null ? null : Number(r.revoked_ms),
    lastSeenMs: r.last_seen_ms === null ? null : Number(r.last_seen_ms),
    lastEventMs: r.last_event_ms === null ? null : Number(r.last_event_ms),
    eventsTotal: Number(r.events_total),
    batchesTotal: Number(r.batches_total),
    droppedTotal: Number(r.dropped_total),
  };
}

const COLUMNS = [
  'id',
  'name',
  'site',
  'address_blocks',
  'relay',
  'created_ms',
  'revoked_ms',
  'last_seen_ms',
  'last_event_ms',
  'events_total',
  'batches_total',
  'dropped_total',
] as const;

export class SensorRegistry {
  constructor(private readonly db: RelationalDb) {}

  /** Registers a sensor and returns its token: the only time the token is ever available. */
  async add(s: NewSensor, nowMs = Date.now()): Promise<{ sensor: SensorRecord; token: string }> {
    if (!NAME_RE.test(s.name)) {
      throw new KobanError(
        'E_USAGE',
        `sensor name "${s.name}": letters, digits, . _ - (at most 64), starting alphanumeric`,
      );
    }
    const blocks = (s.addressBlocks ?? []).map((b) => {
      const c = parseAddressBlock(b);
      if (!c)
        throw new KobanError('E_USAGE', `invalid address block "${b}" (expected CIDR, e.g. 203.0.113.0/24)`);
      return cidrToString(c);
    });
    const existing = await this.db
      .selectFrom('sensors')
      .select('id')
      .where('name', '=', s.name)
      .executeTakeFirst();
    if (existing) throw new KobanError('E_CONFLICT', `a sensor named "${s.name}" already exists`);
    const secret = mintSecret();
    const inserted = await this.db
      .insertInto('sensors')
      .values({
        name: s.name,
        site: s.site ?? null,
        address_blocks: JSON.stringify(blocks),
        relay: s.relay ? 1 : 0,
        token_hash: secretHashHex(secret),
        created_ms: nowMs,
        revoked_ms: null,
        last_seen_ms: null,
        last_event_ms: null,
        events_total: 0,
        batches_total: 0,
        dropped_total: 0,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const sensor = await this.get(s.name);
    return { sensor: sensor!, token: formatIdToken('sensor', Number(inserted.id), secret) };
  }

  async get(name: string): Promise<SensorRecord | null> {
    const r = await this.db.selectFrom('sensors').select(COLUMNS).where('name', '=', name).executeTakeFirst();
    return r ? toRecord(r as Row) : null;
  }

  async list(): Promise<SensorRecord[]> {
    const rows = await this.db.selectFrom('sensors').select(COLUMNS).orderBy('name').execute();
    return rows.map((r) => toRecord(r as Row));
  }

  async revoke(name: string, nowMs = Date.now()): Promise<SensorRecord> {
    const res = await this.db
      .updateTable('sensors')
      .set({ revoked_ms: nowMs })
      .where('name', '=', name)
      .where('revoked_ms', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) {
      const s = await this.get(name);
      if (!s) throw new KobanError('E_NOT_FOUND', `no sensor named "${name}"`);
      return s;
    }
    return (await this.get(name))!;
  }

  /**
   * The sensor a bearer token belongs to, or null for a wrong, malformed or revoked token. The
   * secret's hash is compared with `timingSafeEqual`.
   */
  async authenticate(token: string): Promise<SensorRecord | null> {
    const t = parseIdToken(token, ['sensor']);
    if (!t) return null;
    const row = await this.db
      .selectFrom('sensors')
      .select([...COLUMNS, 'token_hash'])
      .where('id', '=', t.id)
      .executeTakeFirst();
    const equal = secretHashMatches(row?.token_hash, secretHash(t.secret));
    if (!row || !equal || row.revoked_ms !== null) return null;
    return toRecord(row as Row);
  }

  /** Records a delivered batch: last seen, newest event time, totals, the agent's drop count. */
  async recordDelivery(
    sensorId: number,
    d: {
      nowMs: number;
      events: number;
      batches?: number;
      newestEventMs: number | null;
      droppedTotal: number | null;
    },
  ): Promise<void> {
    // One statement, each total computed from the stored one: deliveries of one sensor recorded at
    // once (two batches, or two centers on one PostgreSQL store) add up instead of overwriting.
    await this.db
      .updateTable('sensors')
      .set((eb) => ({
        last_seen_ms: d.nowMs,
        last_event_ms:
          d.newestEventMs === null
            ? eb.ref('last_event_ms')
            : sql<number>`case when last_event_ms > ${d.newestEventMs} then last_event_ms else ${d.newestEventMs} end`,
        events_total: sql<number>`events_total + ${d.events}`,
        batches_total: sql<number>`batches_total + ${d.batches ?? 1}`,
        dropped_total:
          d.droppedTotal === null
            ? eb.ref('dropped_total')
            : sql<number>`case when dropped_total > ${d.droppedTotal} then dropped_total else ${d.droppedTotal} end`,
      }))
      .where('id', '=', sensorId)
      .execute();
  }

  /**
   * The sensor id under which `relay` may write events named `name`, or the reason it may not.
   *
   * A relay owns the names first written through it: an unknown name is registered on first use as
   * relayed by it (`relayed_by`, no token of its own). It may never write under a sensor registered
   * with a token of its own (`koban sensor add`, relay or not), under a name another relay owns, or
   * under a revoked one (`koban sensor revoke NAME` thus stops a relayed name too). A relayed name
   * recorded before owners were kept is adopted by the first relay that writes it.
   */
  async relayTarget(relay: SensorRecord, name: string, nowMs = Date.now()): Promise<number | string> {
    if (!NAME_RE.test(name)) return 'invalid sensor name';
    let row = await this.relayedRow(name);
    if (!row) {
      await this.db
        .insertInto('sensors')
        .values({
          name,
          site: 'relayed',
          address_blocks: '[]',
          relay: 0,
          // No token can match: relayed sensors send only through their relay.
          token_hash: RELAYED_TOKEN_HASH,
          created_ms: nowMs,
          revoked_ms: null,
          last_seen_ms: null,
          last_event_ms: null,
          events_total: 0,
          batches_total: 0,
          dropped_total: 0,
          relayed_by: relay.id,
        })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      row = await this.relayedRow(name);
      if (!row) return 'sensor name not allowed for this token';
    }
    if (row.revoked_ms !== null) return `sensor "${name}" is revoked`;
    const relayed = row.token_hash === RELAYED_TOKEN_HASH;
    if (relayed && row.relayed_by === null) {
      await this.db
        .updateTable('sensors')
        .set({ relayed_by: relay.id })
        .where('id', '=', row.id)
        .where('relayed_by', 'is', null)
        .execute();
      row = (await this.relayedRow(name))!;
    }
    if (!relayed || Number(row.relayed_by) !== relay.id)
      return `sensor "${name}" is not relayed by this token`;
    return Number(row.id);
  }

  private relayedRow(name: string) {
    return this.db
      .selectFrom('sensors')
      .select(['id', 'token_hash', 'revoked_ms', 'relayed_by'])
      .where('name', '=', name)
      .executeTakeFirst();
  }
}
