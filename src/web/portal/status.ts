/**
 * The status line under every page's header: how many sensors report, how much address space they
 * cover, and how old the published data is. For the public it describes the published data: a
 * sensor "reports" when it has events in the day before "data as of": the newest event, or the
 * public cutoff when there are newer ones — never anything fresher than the public may see.
 */
import { DAY_MS } from '../../core/index.js';
import { publicCutoffMs } from '../public-stats.js';
import type { PageRequest, PortalContext } from './page.js';
import { portalSummary } from './summary.js';

export interface FleetStatus {
  readonly reporting: number;
  readonly sensors: number;
  readonly addresses: number;
  /** Share of the monitored addresses whose sensor reports; null without monitored space. */
  readonly coverage: number | null;
  /** The newest instant the figures include; null when the store is empty. */
  readonly asOfMs: number | null;
}

export async function fleetStatus(ctx: PortalContext, nowMs: number): Promise<FleetStatus> {
  const cutoff = publicCutoffMs(nowMs, ctx.publicStats);
  const [summary, spaces, registered] = await Promise.all([
    portalSummary(ctx),
    ctx.monitored.inEffect(),
    ctx.sensors.list(),
  ]);
  const asOfMs = summary.lastMs === null ? null : Math.min(summary.lastMs + 1, cutoff);
  const active =
    asOfMs === null ? [] : await ctx.events.sensorActivity({ fromMs: asOfMs - DAY_MS, toMs: asOfMs }, 0);
  const reporting = new Set(active.map((a) => a.sensor));
  const known = new Set([
    ...registered.filter((s) => s.revokedMs === null).map((s) => s.name),
    ...spaces.map((s) => s.sensor),
    ...reporting,
  ]);
  const addresses = spaces.reduce((n, s) => n + s.addresses, 0);
  const covered = spaces.filter((s) => reporting.has(s.sensor)).reduce((n, s) => n + s.addresses, 0);
  return {
    reporting: reporting.size,
    sensors: known.size,
    addresses,
    coverage: addresses > 0 ? covered / addresses : null,
    asOfMs,
  };
}

export function statusText(s: FleetStatus, page: PageRequest): string {
  if (s.asOfMs === null) return page.t.statusNoData;
  return page.t.status({
    reporting: page.fmt.count(s.reporting),
    sensors: page.fmt.count(s.sensors),
    addresses: page.fmt.count(s.addresses),
    coverage: s.coverage === null ? page.t.suppressed : page.fmt.percent(s.coverage),
    asOf: page.fmt.dateTime(s.asOfMs),
  });
}
