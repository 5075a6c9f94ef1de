/**
 * What each sensor's traffic was addressed to, per IPv4 /24: the evidence from which the monitored
 * space of a sensor without registered address blocks is inferred (monitored-space.ts;
 * docs/methods.md#monitored-space).
 */
import type { DetectionRange } from './detection-rows.js';

/** One sensor's firewall and darknet events to one IPv4 /24. */
export interface DestinationBlockRow {
  readonly sensor: string;
  /** The /24's network address (a 32-bit number, the last octet zero). */
  readonly network: number;
  /** Lowest and highest destination address seen in it (32-bit numbers). */
  readonly lowest: number;
  readonly highest: number;
  /** Distinct destination addresses, and distinct sources that sent to them. */
  readonly addresses: number;
  readonly sources: number;
  readonly events: number;
  readonly firstMs: number;
  readonly lastMs: number;
}

export interface DestinationReads {
  /**
   * Per sensor and IPv4 /24 of destination, the firewall and darknet events of `range` (IDS alerts
   * are left out: an IDS reports traffic in both directions), in no particular order. IPv6
   * destinations are left out: they add nothing to the IPv4 space backscatter is scaled by.
   */
  destinationBlocks(range: DetectionRange): Promise<DestinationBlockRow[]>;
}
