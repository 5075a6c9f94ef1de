/**
 * Packets at a sensor's addresses for the inbound-flood tests, and their `inbound` detection rows
 * computed the way the event store groups them (src/observe/ports/inbound-rows.ts): per minute,
 * sensor, destination and vector, with the same distinct counts. Written by the project; addresses
 * of victims and reflectors are from the documentation ranges (RFC 5737), spoofed sources are drawn
 * uniformly from IPv4 by a seeded generator, as a spoofing tool draws them.
 */
import { ipv4Scope, parseIPv4 } from '../src/core/index.js';
import {
  INBOUND_MIN_PACKETS,
  INBOUND_TOP,
  type InboundRow,
  type InboundTop,
  type InboundVector,
  REFLECTOR_SERVICES,
} from '../src/observe/index.js';
import { mulberry32 } from './prng.js';

export interface Packet {
  readonly timeMs: number;
  readonly src: string;
  readonly sport: number;
  readonly dst: string;
  readonly dport: number;
  readonly proto: 'tcp' | 'udp' | 'icmp';
  /** TCP flags octet (SYN 0x02, SYN-ACK 0x12, …). */
  readonly flags?: number;
  readonly bytes: number;
  /** The source's country as enrichment gives it (ISO 3166 alpha-2), if known. */
  readonly country?: string;
}

const REFLECTOR_PORTS = new Set(REFLECTOR_SERVICES.map((r) => r.port));

function vectorOf(p: Packet): { vector: InboundVector; port: number | null; service: number | null } {
  if (p.proto === 'tcp') {
    const f = p.flags ?? 0;
    if ((f & 0x12) === 0x02) return { vector: 'syn', port: p.dport, service: null };
    if ((f & 0x12) === 0x12) return { vector: 'syn-ack', port: p.sport, service: null };
    return { vector: 'tcp', port: p.dport, service: null };
  }
  if (p.proto === 'udp') {
    return REFLECTOR_PORTS.has(p.sport)
      ? { vector: 'udp-reflection', port: p.sport, service: p.sport }
      : { vector: 'udp', port: p.dport, service: null };
  }
  return { vector: 'icmp', port: null, service: null };
}

interface Group {
  minuteMs: number;
  dst: string;
  proto: Packet['proto'];
  vector: InboundVector;
  packets: number;
  bytes: number;
  ports: Map<number, number>;
  sources: Set<string>;
  blocks16: Set<number>;
  sourcePorts: Set<number>;
  unroutable: Set<string>;
  firstMs: number;
  lastMs: number;
  slots: number[];
  sourcePortPackets: Map<number, number>;
  countries: Map<string, number>;
}

/** The INBOUND_TOP most frequent values by packets, then the smaller value first (as the store ranks them). */
function top<T extends number | string>(counts: Map<T, number>): InboundTop<T>[] {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, INBOUND_TOP)
    .map(([value, packets]) => ({ value, packets }));
}

/** The `inbound` rows of `packets` seen by `sensor` (groups of INBOUND_MIN_PACKETS or more, as a read returns them). */
export function inboundRows(packets: readonly Packet[], sensor: string): InboundRow[] {
  const groups = new Map<string, Group>();
  for (const p of packets) {
    const { vector, port, service } = vectorOf(p);
    const minuteMs = Math.floor(p.timeMs / 60_000) * 60_000;
    const key = `${minuteMs}|${p.dst}|${p.proto}|${vector}|${service ?? ''}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        minuteMs,
        dst: p.dst,
        proto: p.proto,
        vector,
        packets: 0,
        bytes: 0,
        ports: new Map(),
        sources: new Set(),
        blocks16: new Set(),
        sourcePorts: new Set(),
        unroutable: new Set(),
        firstMs: p.timeMs,
        lastMs: p.timeMs,
        slots: [0, 0, 0, 0, 0, 0],
        sourcePortPackets: new Map(),
        countries: new Map(),
      };
      groups.set(key, g);
    }
    g.packets++;
    g.bytes += p.bytes;
    if (port !== null) g.ports.set(port, (g.ports.get(port) ?? 0) + 1);
    g.sources.add(p.src);
    const n = parseIPv4(p.src);
    g.blocks16.add(n >>> 16);
    g.sourcePorts.add(p.sport);
    if (p.proto !== 'icmp') g.sourcePortPackets.set(p.sport, (g.sourcePortPackets.get(p.sport) ?? 0) + 1);
    if (p.country) g.countries.set(p.country, (g.countries.get(p.country) ?? 0) + 1);
    if (ipv4Scope(n) !== 'public') g.unroutable.add(p.src);
    g.firstMs = Math.min(g.firstMs, p.timeMs);
    g.lastMs = Math.max(g.lastMs, p.timeMs);
    g.slots[Math.floor((p.timeMs - minuteMs) / 10_000)]!++;
  }
  return [...groups.values()]
    .filter((g) => g.packets >= INBOUND_MIN_PACKETS)
    .map((g) => {
      let port: number | null = null;
      let most = 0;
      for (const [k, v] of g.ports) {
        if (v > most) {
          port = k;
          most = v;
        }
      }
      return {
        minuteMs: g.minuteMs,
        sensor,
        dst: g.dst,
        proto: g.proto,
        vector: g.vector,
        port,
        ports: g.ports.size,
        packets: g.packets,
        bytes: g.bytes,
        sources: g.sources.size,
        sources16: g.blocks16.size,
        sourcePorts: g.sourcePorts.size,
        unroutable: g.unroutable.size,
        firstMs: g.firstMs,
        lastMs: g.lastMs,
        tenSeconds: g.slots,
        topSourcePorts: top(g.sourcePortPackets),
        topCountries: top(g.countries),
      };
    });
}

const dotted = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

/**
 * A SYN flood from uniformly random (forged) sources and source ports at `dst`:`dport`, `count`
 * packets evenly over [startMs, startMs + durationMs).
 */
export function spoofedSynFlood(
  seed: number,
  dst: string,
  dport: number,
  count: number,
  startMs: number,
  durationMs: number,
): Packet[] {
  const rnd = mulberry32(seed);
  const out: Packet[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      timeMs: startMs + Math.floor((i * durationMs) / count),
      src: dotted(Math.floor(rnd() * 2 ** 32)),
      sport: 1024 + Math.floor(rnd() * 64512),
      dst,
      dport,
      proto: 'tcp',
      flags: 0x02,
      bytes: 40,
    });
  }
  return out;
}

/**
 * Replies from `reflectors` servers (real addresses, each answering many requests sent in the
 * victim's name) at `dst`: UDP from `service` (`flags` undefined) or SYN-ACKs from `service`/tcp,
 * `perReflectorPerSecond` each over [startMs, startMs + durationMs), to random ports of the victim.
 */
export function reflection(
  seed: number,
  dst: string,
  proto: 'udp' | 'tcp',
  service: number,
  reflectors: number,
  perReflectorPerSecond: number,
  startMs: number,
  durationMs: number,
  bytes: number,
): Packet[] {
  const rnd = mulberry32(seed);
  // Reflectors across many networks (public addresses from 1.0.0.0 up, skipping special blocks).
  const hosts: string[] = [];
  while (hosts.length < reflectors) {
    const n = Math.floor(rnd() * 2 ** 32);
    if (ipv4Scope(n) === 'public') hosts.push(dotted(n));
  }
  const out: Packet[] = [];
  const total = Math.round((reflectors * perReflectorPerSecond * durationMs) / 1000);
  for (let i = 0; i < total; i++) {
    out.push({
      timeMs: startMs + Math.floor((i * durationMs) / total),
      src: hosts[i % reflectors]!,
      sport: service,
      dst,
      dport: 1024 + Math.floor(rnd() * 64512),
      proto,
      flags: proto === 'tcp' ? 0x12 : undefined,
      bytes,
    });
  }
  return out;
}
