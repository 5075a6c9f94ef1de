/**
 * The detection families read from the ClickHouse event store (SQL in clickhouse-detect-sql.ts),
 * turned into the rows of ports/detection-rows.ts. What ClickHouse 18.16 cannot rank in SQL the
 * same way on every version — the inbound rows' most frequent port and their top lists — comes
 * back as packets per value and is ranked here (by packets, then the smaller value).
 */
import { ipv4ToString, protocolFromNumber } from '../../core/index.js';
import { sketchOf } from '../address-sketch.js';
import type { DestinationBlockRow } from '../ports/destinations.js';
import {
  type DetectionFamily,
  type DetectionRange,
  type DetectionRowsByFamily,
  INBOUND_TOP,
  INBOUND_VECTORS,
  type InboundRow,
} from '../ports/detection-rows.js';
import type { Row } from './clickhouse-connection.js';
import { destinationBlocksSql, detectionSql, inboundTopsSql, rangeWhere } from './clickhouse-detect-sql.js';
import { list } from './clickhouse-literals.js';
import { countryFromCode, kindFromCode, techniqueFromCode } from './clickhouse-rows.js';
import type { ClickHouseState } from './clickhouse-state.js';

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const addr = (v4: unknown, v6: unknown): string =>
  v4 !== null && v4 !== undefined ? ipv4ToString(Number(v4)) : String(v6);
const numbers = (v: unknown): number[] => (Array.isArray(v) ? v.map(Number) : []);

export async function readDetection<F extends DetectionFamily>(
  s: ClickHouseState,
  family: F,
  range: DetectionRange,
): Promise<DetectionRowsByFamily[F][]> {
  const rows = await s.entry.rows(detectionSql(s.t, family, range));
  if (family === 'inbound') return (await inboundRows(s, range, rows)) as DetectionRowsByFamily[F][];
  if (family === 'ids') await loadSignatures(s, rows);
  return rows.map((r) => familyRow(s, family, r) as DetectionRowsByFamily[F]);
}

/** Signatures another process stored since this one loaded them. */
async function loadSignatures(s: ClickHouseState, rows: readonly Row[]): Promise<void> {
  const missing = new Set<string>();
  for (const r of rows) {
    const key = `${Number(r[1])}:${Number(r[2])}`;
    if (!s.signatures.has(key)) missing.add(key);
  }
  if (missing.size === 0) return;
  const tuples = [...missing].map((k) => `(${k.replace(':', ', ')})`);
  for (const r of await s.entry.rows(
    `SELECT gid, sid, signature FROM ${s.t.signatures} FINAL WHERE (gid, sid) IN ${list(tuples)}`,
  )) {
    s.signatures.set(`${Number(r[0])}:${Number(r[1])}`, r[2] === null ? null : String(r[2]));
  }
}

function familyRow(
  s: ClickHouseState,
  family: DetectionFamily,
  r: Row,
): DetectionRowsByFamily[DetectionFamily] {
  switch (family) {
    case 'probes':
      return {
        minuteMs: Number(r[0]),
        sensor: String(r[1]),
        kind: kindFromCode(Number(r[2])),
        proto: protocolFromNumber(Number(r[3])),
        port: num(r[4]),
        src: addr(r[5], r[6]),
        dst: addr(r[7], r[8]),
        country: countryFromCode(Number(r[9])),
        asn: num(r[10]),
        packets: Number(r[11]),
        udpPayload: Number(r[12]) === 1,
      };
    case 'backscatter': {
      const keys = numbers(r[8]);
      return {
        minuteMs: Number(r[0]),
        victim: addr(r[1], r[2]),
        proto: protocolFromNumber(Number(r[3])),
        port: num(r[4]),
        reply: String(r[5]),
        packets: Number(r[6]),
        bytes: Number(r[7]),
        targets: keys.length,
        hits: sketchOf(keys),
        blocks16: numbers(r[9]).sort((a, b) => a - b),
        sensors: Number(r[10]),
        firstMs: Number(r[11]),
        lastMs: Number(r[12]),
        quoteMismatches: Number(r[13]),
      };
    }
    case 'payloads':
      return {
        minuteMs: Number(r[0]),
        proto: protocolFromNumber(Number(r[1])),
        port: num(r[2]),
        payloadLength: Number(r[3]),
        payloadHash: Number(r[4]),
        src: addr(r[5], r[6]),
        country: countryFromCode(Number(r[7])),
        sensor: String(r[8]),
        packets: Number(r[9]),
      };
    case 'ids':
      return {
        minuteMs: Number(r[0]),
        generatorId: Number(r[1]),
        signatureId: Number(r[2]),
        signature: s.signatures.get(`${Number(r[1])}:${Number(r[2])}`) ?? null,
        technique: techniqueFromCode(Number(r[3])),
        proto: protocolFromNumber(Number(r[4])),
        port: num(r[5]),
        src: addr(r[6], r[7]),
        country: countryFromCode(Number(r[8])),
        sensor: String(r[9]),
        packets: Number(r[10]),
      };
    default:
      return {
        minuteMs: Number(r[0]),
        sensor: String(r[1]),
        kind: kindFromCode(Number(r[2])),
        packets: Number(r[3]),
      };
  }
}

/** Values and their packets, most packets first, then the smaller value. */
type Ranked = [value: number, packets: number][];

async function inboundRows(
  s: ClickHouseState,
  range: DetectionRange,
  groups: readonly Row[],
): Promise<InboundRow[]> {
  if (groups.length === 0) return [];
  const ranked = new Map<string, [Ranked, Ranked, Ranked]>();
  for (const r of await s.entry.rows(inboundTopsSql(s.t, rangeWhere(range)))) {
    const k = String(r[0]);
    let lists = ranked.get(k);
    if (!lists) {
      lists = [[], [], []];
      ranked.set(k, lists);
    }
    lists[Number(r[1])]!.push([Number(r[2]), Number(r[3])]);
  }
  for (const lists of ranked.values()) for (const l of lists) l.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return groups.map((r) => {
    const [ports, sourcePorts, countries] = ranked.get(String(r[0])) ?? [[], [], []];
    return {
      minuteMs: Number(r[1]),
      sensor: String(r[2]),
      dst: addr(r[3], r[4]),
      proto: protocolFromNumber(Number(r[5])),
      vector: INBOUND_VECTORS[Number(r[6])]!,
      port: ports[0]?.[0] ?? null,
      ports: Number(r[7]),
      packets: Number(r[8]),
      bytes: Number(r[9]),
      sources: Number(r[10]),
      sources16: Number(r[11]),
      sourcePorts: Number(r[12]),
      unroutable: Number(r[13]),
      firstMs: Number(r[14]),
      lastMs: Number(r[15]),
      tenSeconds: [16, 17, 18, 19, 20, 21].map((i) => Number(r[i])),
      topSourcePorts: sourcePorts.slice(0, INBOUND_TOP).map(([value, packets]) => ({ value, packets })),
      topCountries: countries.slice(0, INBOUND_TOP).flatMap(([code, packets]) => {
        const value = countryFromCode(code);
        return value === null ? [] : [{ value, packets }];
      }),
    };
  });
}

export async function destinationBlocks(
  s: ClickHouseState,
  range: DetectionRange,
): Promise<DestinationBlockRow[]> {
  return (await s.entry.rows(destinationBlocksSql(s.t, range))).map((r) => ({
    sensor: String(r[0]),
    network: Number(r[1]),
    lowest: Number(r[2]),
    highest: Number(r[3]),
    addresses: Number(r[4]),
    sources: Number(r[5]),
    events: Number(r[6]),
    firstMs: Number(r[7]),
    lastMs: Number(r[8]),
  }));
}
