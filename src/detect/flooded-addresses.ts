/**
 * Which monitored addresses a minute's probe rows show under a flood — so that detectors counting
 * sources per port across the monitored space leave them to the inbound-flood detector
 * (docs/methods.md#floods-aimed-at-a-sensors-own-addresses, "One attack, one alert"). A spoofed SYN
 * flood brings thousands of forged sources to one port of one address, and a UDP reflection sprays
 * its answers over random ports of the victim: counted as probes, either is a "surge" of new
 * sources on one port or on thousands of them, for an attack at a single address.
 *
 * The floor is the inbound-flood detector's own (`minPackets` packets in the minute at one address
 * from `minSources` sources): what could be a flood there is not a port's surge anywhere. No
 * address of a telescope receives that much background — a darknet address gets a packet or two a
 * minute — so ordinary probing is never left out.
 */
import type { ProbeRow } from '../observe/index.js';
import { DEFAULT_INBOUND_FLOOD } from './inbound-flood/index.js';

export interface FloodFloor {
  readonly minPackets: number;
  readonly minSources: number;
}

const NONE: ReadonlySet<string> = new Set();

/** Destination addresses receiving at least the floor's packets from its sources in the minute. */
export function floodedAddresses(
  probes: readonly ProbeRow[],
  floor: FloodFloor = DEFAULT_INBOUND_FLOOD,
): ReadonlySet<string> {
  // Rows are per minute, sensor, port, source and destination: a first pass of packets per
  // destination is enough for nearly every minute, which has no such address.
  if (probes.length < floor.minSources) return NONE;
  let total = 0;
  for (const r of probes) total += r.packets;
  if (total < floor.minPackets) return NONE;
  const packets = new Map<string, number>();
  for (const r of probes) packets.set(r.dst, (packets.get(r.dst) ?? 0) + r.packets);
  const heavy = new Map<string, Set<string>>();
  for (const [dst, n] of packets) if (n >= floor.minPackets) heavy.set(dst, new Set());
  if (heavy.size === 0) return NONE;
  for (const r of probes) heavy.get(r.dst)?.add(r.src);
  const out = new Set<string>();
  for (const [dst, sources] of heavy) if (sources.size >= floor.minSources) out.add(dst);
  return out;
}
