/**
 * What makes a scan a large campaign (docs/methods.md#what-deserves-an-alert): one definition for
 * the scan detector's alert policy (detect/scan-policy.ts) and the simulator's ground truth
 * (sim/scenarios/scan.ts), so evaluation scores the detector against what it is asked to alert on.
 *
 * The simulated background's worm-infected hosts sweep 16 addresses of a sensor's block per visit
 * and reach 32–50 monitored addresses in an hour; an Internet-wide or country-wide sweep reaches a
 * share of everything monitored. Twice the former, or a tenth of the monitored space on a large
 * fleet, separates them; a vertical scan of a hundred ports of one address is an nmap default
 * (its top 1,000 ports), not a worm's one or two.
 */
export interface LargeScanDefinition {
  /** Share of the monitored addresses one scan episode must reach. */
  readonly shareOfMonitored: number;
  /** Fewest addresses, whatever the fleet's size. */
  readonly minTargets: number;
  /** Fewest distinct ports probed (a vertical scan's ports of one address, or a multi-port sweep's). */
  readonly ports: number;
}

export const LARGE_SCAN: LargeScanDefinition = { shareOfMonitored: 0.1, minTargets: 64, ports: 100 };

/** Addresses a scan must reach to be large, with `monitored` addresses watched. */
export function largeScanTargets(monitored: number, d: LargeScanDefinition = LARGE_SCAN): number {
  return Math.max(d.minTargets, Math.ceil(d.shareOfMonitored * monitored));
}

/** Whether a scan that reached `targets` monitored addresses and probed `ports` distinct ports is large. */
export function isLargeScan(
  reach: { readonly targets: number; readonly ports: number },
  monitored: number,
  d: LargeScanDefinition = LARGE_SCAN,
): boolean {
  return reach.targets >= largeScanTargets(monitored, d) || reach.ports >= d.ports;
}
