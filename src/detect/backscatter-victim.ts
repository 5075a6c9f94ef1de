/**
 * What the backscatter detector keeps of one victim (docs/methods.md#backscatter): totals, ports,
 * reply types, and the monitored addresses its replies hit — per minute over the last hour, and
 * over the whole episode — as mergeable sets (observe's address sketches), so that the distinct
 * addresses of any window are counted once: an address hit in fourteen minutes is one address.
 */
import { AddressUnion, type BackscatterRow } from '../observe/index.js';
import { bump, MINUTE_MS } from './finding.js';

/** IPv4 /16 blocks remembered per victim (evidence only; a fleet spans far fewer). */
const MAX_BLOCKS16 = 4096;

/** Attack type from the reply (Moore et al. 2001 table 1): what the victim was flooded with. */
export function attackTypeOf(reply: string, proto: string): string {
  if (reply === 'syn-ack' || reply === 'rst') return 'syn-flood';
  if (reply === 'icmp-0' || reply === 'icmpv6-129') return 'ping-flood';
  if (/^icmp-(3|4|5|11|12)$/.test(reply) || /^icmpv6-[1-4]$/.test(reply)) {
    return proto === 'udp'
      ? 'udp-flood'
      : proto === 'tcp'
        ? 'syn-flood'
        : proto.startsWith('icmp')
          ? 'ping-flood'
          : 'ip-flood';
  }
  return 'icmp-flood';
}

export interface VictimAttack {
  readonly key: string;
  readonly detectedMs: number;
  readonly windowMin: number;
  readonly k: number;
  readonly mu: number;
  lastEmitMs: number;
  lastEmitPackets: number;
  peakRatePps: number;
  /** Below the alerting rate so far: listed as a statistic, not alerted. */
  statistic: boolean;
}

export class VictimState {
  firstMs: number;
  lastMs: number;
  packets = 0;
  bytes = 0;
  maxSensors = 0;
  quoteMismatches = 0;
  peakPerMin = 0;
  private curMin: number;
  private curPackets = 0;
  readonly ports = new Map<string, number>();
  readonly kinds = new Map<string, number>();
  /** Every address hit since the victim was first seen, and the IPv4 /16s among them. */
  readonly hits = new AddressUnion();
  readonly blocks16 = new Set<number>();
  /** Minutes with replies within the longest window, oldest first, and the addresses each hit. */
  readonly mins: number[] = [];
  readonly minHits: AddressUnion[] = [];
  /** Covered minutes without a reply since the last one. */
  idleCovered = 0;
  /** Replies arrived in the minute being stepped. */
  updated = false;
  attack?: VictimAttack;

  constructor(
    readonly victim: string,
    firstRow: BackscatterRow,
    minuteMs: number,
  ) {
    this.firstMs = firstRow.firstMs;
    this.lastMs = firstRow.lastMs;
    this.curMin = minuteMs;
  }

  add(r: BackscatterRow, m: number): void {
    this.firstMs = Math.min(this.firstMs, r.firstMs);
    this.lastMs = Math.max(this.lastMs, r.lastMs);
    this.packets += r.packets;
    this.bytes += r.bytes;
    this.maxSensors = Math.max(this.maxSensors, r.sensors);
    this.quoteMismatches += r.quoteMismatches;
    if (this.curMin !== m) {
      this.curMin = m;
      this.curPackets = 0;
    }
    this.curPackets += r.packets;
    this.peakPerMin = Math.max(this.peakPerMin, this.curPackets);
    bump(this.ports, `${r.port ?? '-'}/${r.proto}`, r.packets, 32);
    bump(this.kinds, attackTypeOf(r.reply, r.proto), r.packets, 8);
    this.hits.add(r.hits);
    for (const b of r.blocks16) if (this.blocks16.size < MAX_BLOCKS16) this.blocks16.add(b);
    if (this.mins[this.mins.length - 1] !== m) {
      this.mins.push(m);
      this.minHits.push(new AddressUnion());
    }
    this.minHits[this.minHits.length - 1]!.add(r.hits);
    this.updated = true;
  }

  /** Forgets the minutes at or before `m − windowMin` minutes. */
  expire(m: number, windowMin: number): void {
    while (this.mins.length > 0 && this.mins[0]! <= m - windowMin * MINUTE_MS) {
      this.mins.shift();
      this.minHits.shift();
    }
  }

  /**
   * Distinct addresses hit in each window (minutes, ascending) ending with minute `m`: the union
   * of the minutes inside it, grown from the newest minute back.
   */
  windowCounts(m: number, windowsMin: readonly number[]): number[] {
    const union = new AddressUnion();
    const out: number[] = [];
    let i = this.mins.length - 1;
    for (const w of windowsMin) {
      for (; i >= 0 && this.mins[i]! > m - w * MINUTE_MS; i--) union.merge(this.minHits[i]!);
      out.push(union.count());
    }
    return out;
  }

  /** Distinct addresses hit in the minutes kept (the last hour at most). */
  recentCount(): number {
    const union = new AddressUnion();
    for (const h of this.minHits) union.merge(h);
    return union.count();
  }

  /** Sum of the per-minute distinct counts kept: hits per minute, for the attack's recent rate. */
  recentMinuteHits(): number {
    let sum = 0;
    for (const h of this.minHits) sum += h.count();
    return sum;
  }

  /** Distinct addresses hit per minute, the minutes kept. */
  series(): { minuteMs: number; addresses: number }[] {
    return this.mins.map((minuteMs, i) => ({ minuteMs, addresses: this.minHits[i]!.count() }));
  }
}
