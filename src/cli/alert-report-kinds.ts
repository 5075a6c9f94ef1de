/**
 * What each kind of alert reports in `koban alerts show` (alert-report.ts): the figures that say
 * what was seen, read from the detector's evidence (docs/methods.md explains each), and what an
 * analyst does next. A kind this file does not know gets its plain figures and generic steps.
 */
import type { OperatorAlert } from '../detect/index.js';

export type Evidence = Readonly<Record<string, unknown>>;

export const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
export const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
export const list = (v: unknown): Evidence[] =>
  Array.isArray(v) ? v.filter((x): x is Evidence => typeof x === 'object' && x !== null) : [];
const rec = (v: unknown): Evidence =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Evidence) : {};
const int = (n: number): string => n.toLocaleString('en-US');
const joinPresent = (parts: readonly (string | null)[], sep = ', '): string =>
  parts.filter((p): p is string => p !== null).join(sep);

export interface KindReport {
  readonly seen: readonly string[];
  readonly next: readonly string[];
}

function portSurge(ev: Evidence, subject: Evidence): KindReport {
  const port = `${num(subject.port) ?? '-'}/${str(subject.proto) ?? '?'}`;
  const seen = [`port ${port}${str(ev.service) ? ` (${str(ev.service)})` : ''}`];
  for (const [split, v] of Object.entries(rec(ev.splits))) {
    const s = rec(v);
    seen.push(
      `${split}: ${num(s.sources) ?? '?'} distinct sources in ${num(ev.window_min) ?? 60} min against a baseline of ` +
        `${num(s.baseline) ?? '?'} (${num(s.peak_ratio) ?? '?'}× at the peak, z ${num(s.z) ?? '?'})`,
    );
  }
  for (const [split, v] of Object.entries(rec(ev.day))) {
    const d = rec(v);
    seen.push(
      `${split}, over 24 h: ${num(d.source_hours) ?? '?'} source-hours against ${num(d.baseline) ?? '?'} ` +
        `(${num(d.peak_ratio) ?? '?'}×)`,
    );
  }
  return {
    seen,
    next: [
      `Look for what drives it: a new exploit or worm for ${port} (vendor advisories, IDS alerts on the port).`,
      'If the top sources sit in a member’s or a domestic network, tell their operator (their country and AS are above).',
      `Follow the port: koban stats port-series --port ${port}`,
    ],
  };
}

function backscatter(ev: Evidence): KindReport {
  const ports = list(ev.attacked_ports)
    .map((p) => str(p.port) ?? (num(p.port) === null ? null : String(num(p.port))))
    .filter((p): p is string => p !== null);
  const rate = num(ev.estimated_rate_pps);
  return {
    seen: [
      `${str(ev.attack_type) ?? 'flood'} against ${str(ev.victim) ?? '?'}${ports.length > 0 ? ` on ${ports.slice(0, 5).join(' ')}` : ''}`,
      joinPresent([
        num(ev.packets) === null ? null : `${int(num(ev.packets)!)} replies`,
        num(ev.addresses_hit) === null ? null : `${int(num(ev.addresses_hit)!)} monitored addresses hit`,
        num(ev.peak_per_minute) === null ? null : `peak ${int(num(ev.peak_per_minute)!)} a minute`,
      ]),
      rate === null
        ? 'attack rate: not estimated (the monitored address space is unknown)'
        : `estimated attack rate ≥ ${int(rate)} packets/s${num(ev.estimated_peak_pps) === null ? '' : ` (peak ≥ ${int(num(ev.estimated_peak_pps)!)})`} — a lower bound`,
    ].filter((l) => l.length > 0),
    next: [
      'If the victim is in a member’s or a domestic network, warn its operator (its country and AS are above).',
      'Check whether it is still going on and how large it is from another view (flow data, the victim’s provider).',
      'Only floods from randomly spoofed sources leave backscatter: a quiet victim here may still be attacked.',
    ],
  };
}

function scan(ev: Evidence): KindReport {
  const ports = list(ev.ports)
    .map((p) => str(p.port))
    .filter((p): p is string => p !== null);
  const reasons = Array.isArray(ev.alert_reasons) ? ev.alert_reasons.map(String) : [];
  const tags = Array.isArray(ev.tags) ? ev.tags.map(String) : [];
  const nb = rec(ev.neighbour);
  return {
    seen: [
      `${str(ev.type) ?? '?'} scan: ${int(num(ev.targets) ?? 0)} monitored addresses, ${int(num(ev.distinct_ports) ?? 0)} ports` +
        `${ports.length > 0 ? ` (${ports.slice(0, 6).join(' ')}${ports.length > 6 ? ' …' : ''})` : ''}`,
      ...(num(ev.targets_per_minute) === null
        ? []
        : [`${num(ev.targets_per_minute)} new addresses a minute`]),
      ...(reasons.length > 0 ? [`why an alert: ${reasons.join('; ')}`] : []),
      ...(tags.length > 0 ? [`known scanner: ${tags.join(', ')}`] : []),
      ...(nb.neighbour16 === true ? ['probes its own /16 (a worm’s habit)'] : []),
    ],
    next: [
      'If the source is in a domestic or member network, tell its operator: the host is likely compromised.',
      'If it probed registered critical-infrastructure blocks, warn their owners of the ports probed.',
      `See its history and similar scanners: koban scanners${str(ev.country) ? ` --country ${str(ev.country)}` : ''}${num(ev.asn) === null ? '' : ` --asn ${num(ev.asn)}`}`,
    ],
  };
}

function worm(ev: Evidence): KindReport {
  const seen: string[] = [];
  for (const v of Object.values(rec(ev.families))) {
    const f = rec(v);
    seen.push(
      `${str(f.label) ?? '?'}: ${num(f.sources_per_hour) ?? '?'} sources an hour against a baseline of ${num(f.baseline) ?? '?'}`,
    );
  }
  seen.push(
    joinPresent([
      num(ev.sources_total) === null ? null : `${int(num(ev.sources_total)!)} sources in all`,
      num(ev.growth_rate_per_hour) === null ? null : `growth ${num(ev.growth_rate_per_hour)} an hour`,
      num(ev.doubling_time_h) === null ? null : `doubling every ${num(ev.doubling_time_h)} h`,
    ]),
  );
  return {
    seen: seen.filter((l) => l.length > 0),
    next: [
      'Identify the payload or signature (vendor advisories) and the vulnerable service.',
      'Warn members running that service; tell the operators of the infected networks (countries above).',
      'Watch the growth: an outbreak that keeps doubling needs an advisory now, not at its peak.',
    ],
  };
}

function sensor(a: OperatorAlert, ev: Evidence): KindReport {
  const seen =
    a.kind === 'sensor-silent'
      ? [
          `sensor ${str(ev.sensor) ?? '?'}${str(ev.site) ? ` at ${str(ev.site)}` : ''} has delivered nothing since ${str(ev.last_seen) ?? 'it was registered'}`,
        ]
      : [
          `sensor ${str(ev.sensor) ?? '?'} (${str(ev.stream) ?? '?'}): ${str(ev.problem) ?? '?'} — ` +
            `${num(ev.events_last_hour) ?? '?'} events in the last hour against ${num(ev.expected_events) ?? '?'} expected`,
        ];
  return {
    seen,
    next: [
      'Check the sensor host, its agent and its network path (koban sensor list; on the host, koban sensor status).',
      'While it is down its addresses are not watched: detectors discount them, but what it would have seen is lost.',
    ],
  };
}

/** Evidence keys that are internals or shown elsewhere, left out of an unknown kind's figures. */
const INTERNAL = new Set([
  'detector',
  'subject',
  'episode_start',
  'detected',
  'detected_ms',
  'last',
  'phase',
  'method',
  'note',
]);

/** A flood at a monitored address (docs/methods.md#floods-aimed-at-a-sensors-own-addresses). */
function inboundFlood(ev: Evidence): KindReport {
  const victim = str(ev.victim) ?? '?';
  const ports = list(ev.top_source_ports)
    .map((p) => (num(p.port) === null ? null : `${num(p.port)} (${int(num(p.packets) ?? 0)})`))
    .filter((p): p is string => p !== null);
  const normal = rec(ev.normal_peak);
  const reflection = ev.signature === 'syn-ack-reflection' || ev.signature === 'udp-reflection';
  return {
    seen: [
      `${str(ev.signature_label) ?? 'flood'} at ${victim}${num(ev.port) === null ? '' : `, port ${num(ev.port)}`}`,
      joinPresent([
        num(ev.peak_pps) === null ? null : `peak ${int(num(ev.peak_pps)!)} packets/s`,
        num(ev.peak_mbps) === null ? null : `${num(ev.peak_mbps)} Mbit/s`,
        num(ev.packets) === null ? null : `${int(num(ev.packets)!)} packets in ${num(ev.minutes) ?? '?'} min`,
      ]),
      `${int(num(ev.peak_sources_per_minute) ?? 0)} ${reflection ? 'reflectors' : 'sources'} in the busiest minute` +
        (ev.spoofed === true ? ' — forged (about one packet each, spread like random addresses)' : ''),
      ports.length > 0 ? `top source ports (packets): ${ports.join(', ')}` : null,
      num(normal.pps) === null
        ? 'normal: none yet (raised on the signature)'
        : `normal peak ${int(num(normal.pps)!)} packets/s, bar ${int(num(ev.threshold_pps) ?? 0)} (${str(ev.trigger) ?? '?'})`,
    ].filter((l): l is string => l !== null && l.length > 0),
    next: [
      `Tell the operator of ${victim} now: upstream filtering or blackholing is theirs to ask for.`,
      reflection
        ? 'The sources are reflectors answering requests forged in the victim’s name: block the service port upstream, and report open reflectors to their networks.'
        : ev.spoofed === true
          ? 'The sources are forged: blocking them is pointless; SYN cookies or upstream rate limits on the port help.'
          : 'The sources send several packets each (real hosts, a botnet): they can be listed and blocked.',
      'Check the link and the service from outside; compare with the provider’s flow data.',
    ],
  };
}

function generic(ev: Evidence): KindReport {
  const seen = Object.entries(ev)
    .filter(
      ([k, v]) => !INTERNAL.has(k) && (typeof v === 'number' || (typeof v === 'string' && v.length <= 80)),
    )
    .slice(0, 12)
    .map(([k, v]) => `${k.replaceAll('_', ' ')}: ${typeof v === 'number' ? int(v) : v}`);
  return {
    seen,
    next: [
      'Read the full evidence (--json) and confirm the episode in the observation views (koban stats).',
      'If the addresses involved belong to a member’s or a domestic network, tell its operator.',
    ],
  };
}

export function kindReport(a: OperatorAlert): KindReport {
  const ev = a.evidence as Evidence;
  switch (a.kind) {
    case 'port-surge':
      return portSurge(ev, rec(ev.subject));
    case 'backscatter':
      return backscatter(ev);
    case 'scan':
      return scan(ev);
    case 'worm-outbreak':
      return worm(ev);
    case 'sensor-health':
    case 'sensor-silent':
      return sensor(a, ev);
    case 'inbound-flood':
      return inboundFlood(ev);
    default:
      return generic(ev);
  }
}
