/**
 * Runs the pcap format over bytes for tests, collecting every batch, and checks on the way that
 * each batch's `records` counts its events, rejections and skips.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { type ObservationEvent, TCP_FLAG } from '../src/core/index.js';
import { pcapFormat } from '../src/parse/pcap/pcap.js';
import type { ParseContext, RecordRejection } from '../src/parse/types.js';
import { chunked } from './pcap-bytes.js';

export const CTX: ParseContext = { sensor: 'dn-01', year: 2024, utcOffsetMinutes: 0, nowMs: 0 };

export interface Parsed {
  events: ObservationEvent[];
  rejections: RecordRejection[];
  skipped: Record<string, number>;
  notes: Record<string, number>;
  records: number;
  batchRecords: number[];
  bytesRead: number[];
}

export async function parse(bytes: Uint8Array, chunk = 65536): Promise<Parsed> {
  const p: Parsed = {
    events: [],
    rejections: [],
    skipped: {},
    notes: {},
    records: 0,
    batchRecords: [],
    bytesRead: [],
  };
  for await (const b of pcapFormat.parse(chunked(bytes, chunk), CTX)) {
    p.events.push(...b.events);
    p.rejections.push(...b.rejections);
    for (const [k, v] of b.skipped) p.skipped[k] = (p.skipped[k] ?? 0) + v;
    for (const [k, v] of b.notes) p.notes[k] = (p.notes[k] ?? 0) + v;
    p.records += b.records;
    p.batchRecords.push(b.records);
    p.bytesRead.push(b.bytesRead);
    // Every record is an event, a rejection or a skip.
    expect(b.events.length + b.rejections.length + [...b.skipped.values()].reduce((a, n) => a + n, 0)).toBe(
      b.records,
    );
  }
  return p;
}

export const file = (path: string): Uint8Array => new Uint8Array(readFileSync(path));

export function ev(fields: Partial<ObservationEvent>): ObservationEvent {
  return {
    timeMs: 0,
    sensor: 'dn-01',
    kind: 'darknet',
    protocol: 'tcp',
    protocolNumber: 6,
    src: '',
    dst: '',
    srcPort: null,
    dstPort: null,
    tcpFlags: null,
    icmpType: null,
    icmpCode: null,
    length: null,
    ttl: null,
    ipId: null,
    ids: null,
    payload: null,
    quoted: null,
    ...fields,
  };
}

export const SYN = TCP_FLAG.SYN;
export const SYN_ACK = TCP_FLAG.SYN | TCP_FLAG.ACK;
