/**
 * The detection families read from the DuckDB event store (SQL in duckdb-detect-sql.ts), turned
 * into the rows of ports/detection-rows.ts.
 */
import { DuckDBListValue, type DuckDBValue } from '@duckdb/node-api';
import { ipv4ToString, protocolFromNumber } from '../../core/index.js';
import { registersFromEntries } from '../address-sketch.js';
import type { DestinationBlockRow } from '../ports/destinations.js';
import {
  type DetectionFamily,
  type DetectionRange,
  type DetectionRowsByFamily,
  INBOUND_VECTORS,
} from '../ports/detection-rows.js';
import { destinationBlocksSql, detectionSql } from './duckdb-detect-sql.js';
import { countryFromCode, kindFromCode, techniqueFromCode } from './duckdb-schema.js';
import { type DuckDbState, sensorName } from './duckdb-state.js';

/** Most IPv4 texts kept: one string per address, not per row, without growing without bound. */
const ADDRESS_TEXTS = 200_000;

export class DetectionReader {
  /** IPv4 text of recently read addresses. */
  private readonly addrText = new Map<number, string>();

  constructor(private readonly s: DuckDbState) {}

  /** The family's rows for `range`; the caller runs it alone on the connection. */
  async read<F extends DetectionFamily>(
    family: F,
    range: DetectionRange,
  ): Promise<DetectionRowsByFamily[F][]> {
    // Chunk by chunk and column by column: DuckDB's column reader is about twice as fast as its
    // row reader here, and a chunk's columns (2,048 rows) die young instead of pressing the GC.
    const result = await this.s.con.run(detectionSql(family, range));
    const out = new Array<DetectionRowsByFamily[F]>(result.rowCount);
    let at = 0;
    const r: DuckDBValue[] = [];
    for (let c = 0; c < result.chunkCount; c++) {
      const cols = result.getChunk(c).getColumns();
      const n = cols[0]?.length ?? 0;
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < cols.length; k++) r[k] = cols[k]![i]!;
        out[at++] = this.row(family, r) as DetectionRowsByFamily[F];
      }
    }
    out.length = at;
    return out;
  }

  /** Per sensor and IPv4 /24 of destination (ports/destinations.ts). */
  async destinationBlocks(range: DetectionRange): Promise<DestinationBlockRow[]> {
    const result = await this.s.con.run(destinationBlocksSql(range));
    const out: DestinationBlockRow[] = [];
    for (const r of await result.getRows()) {
      out.push({
        sensor: sensorName(this.s, r[0]),
        network: Number(r[1]),
        lowest: Number(r[2]),
        highest: Number(r[3]),
        addresses: Number(r[4]),
        sources: Number(r[5]),
        events: Number(r[6]),
        firstMs: Number(r[7]),
        lastMs: Number(r[8]),
      });
    }
    return out;
  }

  private ipv4Text(n: number): string {
    let s = this.addrText.get(n);
    if (s === undefined) {
      if (this.addrText.size >= ADDRESS_TEXTS) this.addrText.clear();
      s = ipv4ToString(n);
      this.addrText.set(n, s);
    }
    return s;
  }

  private addr(v4: DuckDBValue | undefined, v6: DuckDBValue | undefined): string {
    return v4 !== null && v4 !== undefined ? this.ipv4Text(Number(v4)) : String(v6);
  }

  private row(family: DetectionFamily, r: DuckDBValue[]): DetectionRowsByFamily[DetectionFamily] {
    switch (family) {
      case 'probes':
        return {
          minuteMs: Number(r[0]),
          sensor: sensorName(this.s, r[1]),
          kind: kindFromCode(Number(r[2])),
          proto: protocolFromNumber(Number(r[3])),
          port: optNum(r[4]),
          src: this.addr(r[5], r[6]),
          dst: this.addr(r[7], r[8]),
          country: countryFromCode(Number(r[9])),
          asn: optNum(r[10]),
          packets: Number(r[11]),
          udpPayload: r[12] === true,
        };
      case 'backscatter':
        return {
          minuteMs: Number(r[0]),
          victim: this.addr(r[1], r[2]),
          proto: protocolFromNumber(Number(r[3])),
          port: optNum(r[4]),
          reply: String(r[5]),
          packets: Number(r[6]),
          bytes: Number(r[7]),
          targets: Number(r[8]),
          hits:
            r[9] !== null && r[9] !== undefined
              ? { keys: numbers(r[9]) }
              : { registers: registersFromEntries(numbers(r[10])) },
          blocks16: numbers(r[11]),
          sensors: Number(r[12]),
          firstMs: Number(r[13]),
          lastMs: Number(r[14]),
          quoteMismatches: Number(r[15]),
        };
      case 'payloads':
        return {
          minuteMs: Number(r[0]),
          proto: protocolFromNumber(Number(r[1])),
          port: optNum(r[2]),
          payloadLength: Number(r[3]),
          payloadHash: Number(r[4]),
          src: this.addr(r[5], r[6]),
          country: countryFromCode(Number(r[7])),
          sensor: sensorName(this.s, r[8]),
          packets: Number(r[9]),
        };
      case 'ids':
        return {
          minuteMs: Number(r[0]),
          generatorId: Number(r[1]),
          signatureId: Number(r[2]),
          signature: r[3] === null ? null : String(r[3]),
          technique: techniqueFromCode(Number(r[4])),
          proto: protocolFromNumber(Number(r[5])),
          port: optNum(r[6]),
          src: this.addr(r[7], r[8]),
          country: countryFromCode(Number(r[9])),
          sensor: sensorName(this.s, r[10]),
          packets: Number(r[11]),
        };
      case 'sensor-volume':
        return {
          minuteMs: Number(r[0]),
          sensor: sensorName(this.s, r[1]),
          kind: kindFromCode(Number(r[2])),
          packets: Number(r[3]),
        };
      case 'inbound':
        return {
          minuteMs: Number(r[0]),
          sensor: sensorName(this.s, r[1]),
          dst: this.addr(r[2], r[3]),
          proto: protocolFromNumber(Number(r[4])),
          vector: INBOUND_VECTORS[Number(r[5])]!,
          port: optNum(r[6]),
          ports: Number(r[7]),
          packets: Number(r[8]),
          bytes: Number(r[9]),
          sources: Number(r[10]),
          sources16: Number(r[11]),
          sourcePorts: Number(r[12]),
          unroutable: Number(r[13]),
          firstMs: Number(r[14]),
          lastMs: Number(r[15]),
          tenSeconds: [16, 17, 18, 19, 20, 21].map((k) => Number(r[k])),
          topSourcePorts: tops(r[22]).map(([value, packets]) => ({ value, packets })),
          topCountries: tops(r[23]).flatMap(([code, packets]) => {
            const value = countryFromCode(code);
            return value === null ? [] : [{ value, packets }];
          }),
        };
    }
  }
}

/** A LIST column's numbers (an empty list for NULL). */
function numbers(v: DuckDBValue | undefined): number[] {
  return v instanceof DuckDBListValue ? v.items.map(Number) : [];
}

/** A top list's keys (duckdb-detect-sql.ts, TOP16: count · 65536 + (65535 − value)) as [value, count]. */
function tops(v: DuckDBValue | undefined): [number, number][] {
  return numbers(v).map((key) => [65535 - (key % 65536), Math.floor(key / 65536)]);
}

function optNum(v: DuckDBValue | undefined): number | null {
  return v === null || v === undefined ? null : Number(v);
}
