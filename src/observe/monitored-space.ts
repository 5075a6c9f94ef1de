/**
 * The monitored space: which IPv4 addresses each sensor watches — n in Moore et al.'s rate
 * estimate (docs/methods.md#backscatter) and the denominator of every coverage-scaled threshold.
 * A sensor's blocks are, in this order of precedence:
 *
 * - `registered`: its registry entry's (`koban sensor add --address-block`);
 * - `given`: an operator's (`koban detect --blocks FILE`) or a simulated set's manifest, stored
 *   here so that later runs use them too;
 * - `learned`: inferred from the destinations the sensor has seen (docs/methods.md#monitored-space).
 *   Per IPv4 /24 that received firewall or darknet events from at least `minSources` distinct
 *   sources — one host's conversations (a capture at a victim holds its replies to every spoofed
 *   address, each /24 reached from that one host) are not a monitored block — the block learned is
 *   the smallest one inside the /24 that holds every destination seen there: a darknet /24 whose
 *   addresses scanners have all probed is the /24, a firewall watching a /28 is that /28, a lone
 *   host is a /32. Later evidence can only widen it, up to the /24.
 *
 * Stored in the relational store (`sensor_blocks`), with the evidence of learned blocks.
 */
import {
  bytesToUint32,
  cidrIPv4Size,
  cidrToString,
  ipv4ToString,
  KobanError,
  parseAddressBlock,
  parseCidr,
} from '../core/index.js';
import type { RelationalDb } from '../db/index.js';
import type { DestinationBlockRow, DestinationReads } from './ports/destinations.js';
import type { DetectionRange } from './ports/detection-rows.js';

export type BlockOrigin = 'registered' | 'given' | 'learned';

/** A stored block (given or learned) with its evidence. */
export interface StoredBlock {
  readonly sensor: string;
  readonly origin: 'given' | 'learned';
  readonly block: string;
  readonly addresses: number;
  /** Learned blocks: most distinct sources seen in one pass, events, event times; else 0 / null. */
  readonly sources: number;
  readonly events: number;
  readonly firstMs: number | null;
  readonly lastMs: number | null;
  readonly updatedMs: number;
}

/** The blocks in effect for one sensor. */
export interface SensorSpace {
  readonly sensor: string;
  readonly origin: BlockOrigin;
  readonly blocks: readonly string[];
  /** IPv4 addresses in them. */
  readonly addresses: number;
}

export interface LearnOptions {
  /** Distinct sources a /24 must have received from before it is learned (default 2). */
  readonly minSources?: number;
  /** Learned /24s kept per sensor at most (default 4096, a /12): new ones beyond are ignored. */
  readonly maxPerSensor?: number;
}

export interface LearnResult {
  /** Blocks learned for the first time, and blocks widened or with new evidence. */
  readonly added: number;
  readonly updated: number;
  /** /24s not learned: too few sources, or the sensor's limit reached. */
  readonly ignored: number;
}

const DEFAULT_MIN_SOURCES = 2;
const DEFAULT_MAX_PER_SENSOR = 4096;

/** The smallest block holding the addresses lo … hi (two 32-bit numbers of one /24). */
export function coveringBlock(lo: number, hi: number): string {
  const bits = lo === hi ? 0 : 32 - Math.clz32((lo ^ hi) >>> 0);
  const base = bits === 32 ? 0 : (lo >>> bits) << bits;
  return `${ipv4ToString(base >>> 0)}/${32 - bits}`;
}

/** First and last address of an IPv4 CIDR. */
function rangeOf(block: string): [number, number] {
  const c = parseCidr(block)!;
  const base = bytesToUint32(c.bytes, 0);
  return [base, base + cidrIPv4Size(c) - 1];
}

function addressesIn(blocks: readonly string[]): number {
  let n = 0;
  for (const b of blocks) {
    const c = parseCidr(b);
    if (c) n += cidrIPv4Size(c);
  }
  return n;
}

/** Canonical CIDRs of `blocks`, or E_USAGE naming the first that is not one. */
export function canonicalBlocks(sensor: string, blocks: readonly unknown[]): string[] {
  return blocks.map((b) => {
    const c = typeof b === 'string' ? parseAddressBlock(b) : null;
    if (!c) {
      throw new KobanError(
        'E_USAGE',
        `blocks of "${sensor}": ${JSON.stringify(b)} is not an address block (expected CIDR, e.g. 203.0.113.0/24)`,
      );
    }
    return cidrToString(c);
  });
}

type Row = {
  sensor: string;
  origin: string;
  network: string;
  block: string;
  sources: number;
  events: number;
  first_ms: number | null;
  last_ms: number | null;
  updated_ms: number;
};

const COLUMNS = [
  'sensor',
  'origin',
  'network',
  'block',
  'sources',
  'events',
  'first_ms',
  'last_ms',
  'updated_ms',
] as const;

/** A new learned block's columns: the smallest block holding the destinations seen, and the evidence. */
function learned(r: DestinationBlockRow, nowMs: number) {
  return {
    block: coveringBlock(r.lowest, r.highest),
    sources: r.sources,
    events: r.events,
    first_ms: r.firstMs,
    last_ms: r.lastMs,
    updated_ms: nowMs,
  };
}

/** A learned block widened by a later pass's evidence (sources: the most seen in one pass). */
function widened(old: Row, r: DestinationBlockRow, nowMs: number) {
  const [lo, hi] = rangeOf(old.block);
  return {
    block: coveringBlock(Math.min(lo, r.lowest), Math.max(hi, r.highest)),
    sources: Math.max(Number(old.sources), r.sources),
    events: Number(old.events) + r.events,
    first_ms: old.first_ms === null ? r.firstMs : Math.min(Number(old.first_ms), r.firstMs),
    last_ms: old.last_ms === null ? r.lastMs : Math.max(Number(old.last_ms), r.lastMs),
    updated_ms: nowMs,
  };
}

export class MonitoredSpace {
  constructor(private readonly db: RelationalDb) {}

  /** The given and learned blocks stored, by sensor, then origin, then block. */
  async stored(): Promise<StoredBlock[]> {
    const rows = (await this.db
      .selectFrom('sensor_blocks')
      .select([
        'sensor',
        'origin',
        'network',
        'block',
        'sources',
        'events',
        'first_ms',
        'last_ms',
        'updated_ms',
      ])
      .orderBy('sensor')
      .orderBy('origin')
      .orderBy('network')
      .execute()) as Row[];
    return rows.map((r) => ({
      sensor: r.sensor,
      origin: r.origin === 'given' ? 'given' : 'learned',
      block: r.block,
      addresses: addressesIn([r.block]),
      sources: Number(r.sources),
      events: Number(r.events),
      firstMs: r.first_ms === null ? null : Number(r.first_ms),
      lastMs: r.last_ms === null ? null : Number(r.last_ms),
      updatedMs: Number(r.updated_ms),
    }));
  }

  /** Stores each named sensor's given blocks, replacing those given before (E_USAGE for a bad block). */
  async give(blocks: Readonly<Record<string, readonly unknown[]>>, nowMs = Date.now()): Promise<void> {
    const canonical = Object.entries(blocks).map(
      ([s, list]) => [s, [...new Set(canonicalBlocks(s, list))]] as const,
    );
    await this.db.transaction().execute(async (tx) => {
      for (const [sensor, list] of canonical) {
        await tx
          .deleteFrom('sensor_blocks')
          .where('sensor', '=', sensor)
          .where('origin', '=', 'given')
          .execute();
        for (const block of list) {
          await tx
            .insertInto('sensor_blocks')
            .values({
              sensor,
              origin: 'given',
              network: block,
              block,
              sources: 0,
              events: 0,
              first_ms: null,
              last_ms: null,
              updated_ms: nowMs,
            })
            .execute();
        }
      }
    });
  }

  /** Merges a learning pass's evidence (ports/destinations.ts) into the learned blocks. */
  async learn(
    rows: readonly DestinationBlockRow[],
    nowMs = Date.now(),
    options: LearnOptions = {},
  ): Promise<LearnResult> {
    const minSources = options.minSources ?? DEFAULT_MIN_SOURCES;
    const maxPerSensor = options.maxPerSensor ?? DEFAULT_MAX_PER_SENSOR;
    const sensors = [...new Set(rows.map((r) => r.sensor))];
    if (sensors.length === 0) return { added: 0, updated: 0, ignored: 0 };
    return this.db.transaction().execute(async (tx) => {
      const known = (await tx
        .selectFrom('sensor_blocks')
        .select(COLUMNS)
        .where('origin', '=', 'learned')
        .where('sensor', 'in', sensors)
        .execute()) as Row[];
      const byKey = new Map(known.map((r) => [`${r.sensor}\u0000${r.network}`, r]));
      const perSensor = new Map<string, number>();
      for (const r of known) perSensor.set(r.sensor, (perSensor.get(r.sensor) ?? 0) + 1);
      const result = { added: 0, updated: 0, ignored: 0 };
      for (const r of rows) {
        const network = `${ipv4ToString(r.network)}/24`;
        const old = byKey.get(`${r.sensor}\u0000${network}`);
        if (old) {
          await tx
            .updateTable('sensor_blocks')
            .set(widened(old, r, nowMs))
            .where('sensor', '=', r.sensor)
            .where('origin', '=', 'learned')
            .where('network', '=', network)
            .execute();
          result.updated++;
        } else if (r.sources < minSources || (perSensor.get(r.sensor) ?? 0) >= maxPerSensor) {
          result.ignored++;
        } else {
          await tx
            .insertInto('sensor_blocks')
            .values({ ...learned(r, nowMs), sensor: r.sensor, origin: 'learned', network })
            .onConflict((oc) => oc.columns(['sensor', 'origin', 'network']).doNothing())
            .execute();
          perSensor.set(r.sensor, (perSensor.get(r.sensor) ?? 0) + 1);
          result.added++;
        }
      }
      return result;
    });
  }

  /** Learns from the destinations an event store holds for `range` (the batches of an import, …). */
  async learnFrom(
    source: DestinationReads,
    range: DetectionRange,
    nowMs = Date.now(),
    options: LearnOptions = {},
  ): Promise<LearnResult> {
    return this.learn(await source.destinationBlocks(range), nowMs, options);
  }

  /**
   * The blocks in effect per sensor: the registry's, else the given ones, else the learned ones.
   * `extra` (a running demo's simulated sensors) comes after the registry and before the store.
   */
  async inEffect(extra: ReadonlyMap<string, readonly string[]> = new Map()): Promise<SensorSpace[]> {
    const out = new Map<string, SensorSpace>();
    const put = (sensor: string, origin: BlockOrigin, blocks: readonly string[]) => {
      if (!out.has(sensor) && blocks.length > 0)
        out.set(sensor, { sensor, origin, blocks, addresses: addressesIn(blocks) });
    };
    const registered = await this.db.selectFrom('sensors').select(['name', 'address_blocks']).execute();
    for (const s of registered) put(s.name, 'registered', JSON.parse(s.address_blocks) as string[]);
    for (const [sensor, blocks] of extra) put(sensor, 'given', blocks);
    const stored = await this.stored();
    for (const origin of ['given', 'learned'] as const) {
      const by = new Map<string, string[]>();
      for (const b of stored)
        if (b.origin === origin) by.set(b.sensor, [...(by.get(b.sensor) ?? []), b.block]);
      for (const [sensor, blocks] of by) put(sensor, origin, blocks);
    }
    return [...out.values()].sort((a, b) => (a.sensor < b.sensor ? -1 : a.sensor > b.sensor ? 1 : 0));
  }
}

/** `{ sensor: [CIDR, …] }` of the blocks in effect (for coverage's `addressCounts`). */
export function blocksBySensor(spaces: readonly SensorSpace[]): Record<string, readonly string[]> {
  return Object.fromEntries(spaces.map((s) => [s.sensor, s.blocks]));
}
