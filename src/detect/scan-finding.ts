/**
 * A scan episode (scan.ts) as a finding: its evidence, its severity and title, whether it deserves
 * an operator alert (scan-policy.ts) and the scanner record every episode leaves (scanners.ts).
 */
import type { Severity } from './alerts.js';
import { type Finding, iso, MINUTE_MS, sig, topEntries } from './finding.js';
import type { AlertRule, PolicyState } from './scan-policy.js';
import type { ScannerSighting } from './scanners.js';

/** One source's scan, from its detection until it has been idle long enough. */
export interface Episode {
  readonly key: string;
  readonly src: string;
  readonly startMs: number;
  readonly detectedMs: number;
  lastMs: number;
  idleCovered: number;
  packets: number;
  types: Set<'horizontal' | 'vertical'>;
  readonly ports: Map<string, number>;
  readonly targets: Set<string>;
  readonly sensors: Map<string, number>;
  same16: number;
  same8: number;
  country: string | null;
  asn: number | null;
  lastEmitMs: number;
  trigger: { type: 'horizontal' | 'vertical'; window_min: number; count: number; threshold: number };
  readonly policy: PolicyState;
}

/** Ports a scanner record keeps for the search by port (the most probed first). */
const RECORD_PORTS = 1000;

/** The larger of the addresses reached and the ports probed: how the scanner list ranks. */
export const breadth = (e: Episode): number => Math.max(e.targets.size, e.ports.size);

const TITLES: Readonly<Record<AlertRule, string>> = {
  'critical-infrastructure': 'Scan of critical infrastructure',
  'domestic-space': 'Scan of the domestic space',
  'large-campaign': 'Large new scan campaign',
  'rapid-growth': 'Fast-growing scan',
};

/** The most pressing rule first (the order of ALERT_RULES). */
const ORDER: readonly AlertRule[] = [
  'critical-infrastructure',
  'domestic-space',
  'large-campaign',
  'rapid-growth',
];

export function scanFinding(e: Episode, phase: Finding['phase'], alert: boolean): Finding {
  const durationMin = Math.max(1, (e.lastMs + MINUTE_MS - e.startMs) / MINUTE_MS);
  const ports = topEntries(e.ports, 20);
  const type = e.types.size === 2 ? 'horizontal+vertical' : [...e.types][0]!;
  const targets = e.targets.size;
  const neighbour16 = targets > 0 && e.same16 / targets >= 0.5;
  const neighbour8 = targets > 0 && e.same8 / targets >= 0.5;
  const rules = ORDER.filter((r) => e.policy.rules.has(r));
  // A record-only episode is information; an alert is at least medium, high on critical blocks.
  const severity: Severity = !alert ? 'low' : rules[0] === 'critical-infrastructure' ? 'high' : 'medium';
  const what =
    type === 'vertical'
      ? `${e.ports.size} ports of ${[...e.targets][0] ?? '?'}`
      : `${targets} addresses on ${ports
          .slice(0, 3)
          .map(([p]) => p)
          .join(' ')}`;
  const reasons = rules.map((r) => e.policy.rules.get(r)!);
  const tags = [...e.policy.tags];
  const record: ScannerSighting = {
    source: e.src,
    episodeKey: e.key,
    firstMs: e.startMs,
    lastMs: e.lastMs + MINUTE_MS,
    type,
    reach: targets,
    distinctPorts: e.ports.size,
    packets: e.packets,
    ports: topEntries(e.ports, RECORD_PORTS).map(([p]) => p),
    sensors: topEntries(e.sensors, 20).map(([s]) => s),
    country: e.country,
    asn: e.asn,
    tags,
    alertReasons: alert ? reasons : [],
  };
  return {
    detector: 'scan',
    kind: 'scan',
    key: e.key,
    phase,
    subject: { source: e.src, type, ports: ports.map(([p]) => p) },
    startMs: e.startMs,
    // When it came to deserve its alert: what evaluation measures the delay to.
    detectedMs: alert && e.policy.alertMs !== null ? e.policy.alertMs + MINUTE_MS : e.detectedMs,
    lastMs: e.lastMs + MINUTE_MS,
    severity,
    title: `${alert ? TITLES[rules[0]!] : 'Scan'} from ${e.src} (${type}): ${what}${neighbour16 ? ', neighbouring /16' : neighbour8 ? ', neighbouring /8' : ''}`,
    alert,
    record,
    evidence: {
      source: e.src,
      country: e.country,
      asn: e.asn,
      type,
      ports: ports.map(([port, packets]) => ({ port, packets })),
      distinct_ports: e.ports.size,
      targets,
      packets: e.packets,
      sample_targets: [...e.targets].slice(0, 10),
      sensors: topEntries(e.sensors, 10).map(([sensor, packets]) => ({ sensor, packets })),
      start: iso(e.startMs),
      end: phase === 'ended' ? iso(e.lastMs + MINUTE_MS) : null,
      targets_per_minute: sig(targets / durationMin),
      neighbour: {
        same16_share: sig(targets > 0 ? e.same16 / targets : 0),
        same8_share: sig(targets > 0 ? e.same8 / targets : 0),
        neighbour16,
        neighbour8,
      },
      alert_rules: alert ? rules : [],
      alert_reasons: alert ? reasons : [],
      tags,
      trigger: e.trigger,
      method:
        'distinct first contacts per source in sliding windows, thresholds scaled to monitored addresses (TRW degenerates on sensors that never answer; Jung et al. 2004); alert policy: docs/methods.md#what-deserves-an-alert',
    },
  };
}
