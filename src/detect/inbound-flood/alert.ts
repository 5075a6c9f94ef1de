/**
 * An inbound flood as an operator alert: a title that says what to act on (the victim address and
 * port, the signature, the rate, the sources, since when) and the evidence behind it.
 */
import { SEVERITIES, type Severity } from '../alerts.js';
import { type Finding, iso, sig } from '../finding.js';
import { type Episode, mbpsOf, type Track, topOf } from './track.js';

/** Source ports and countries an alert names. */
const TOP_NAMED = 5;

/** Severity from the peak rate at the address, in packets or bits per second. */
export function severityOf(pps: number, mbps: number): Severity {
  if (pps >= 100_000 || mbps >= 1_000) return 'critical';
  if (pps >= 10_000 || mbps >= 100) return 'high';
  if (pps >= 1_000 || mbps >= 10) return 'medium';
  return 'low';
}

/** Rank of a severity (a rise is notified again). */
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

const count = (n: number): string => Math.round(n).toLocaleString('en-US');
const utc = (ms: number): string => `${iso(ms).slice(0, 19).replace('T', ' ')} UTC`;

/** "203.0.113.9 port 80/tcp", "203.0.113.9 (UDP from port 123)", … */
function target(t: Track, e: Episode): string {
  const proto = t.vector === 'udp' || t.vector === 'udp-reflection' ? 'udp' : 'tcp';
  const port = t.service ?? e.current.port;
  switch (t.vector) {
    case 'syn-ack':
      return `${t.dst} (SYN-ACKs from port ${port}/tcp${e.current.ports > 1 ? ` and ${e.current.ports - 1} more` : ''})`;
    case 'udp-reflection':
      return `${t.dst} (UDP from port ${port})`;
    case 'syn':
    case 'udp':
    case 'tcp':
      // A flood spread over many ports says so; one port with a few background probes of others is that port.
      return e.current.ports >= 10
        ? `${t.dst} (${count(e.current.ports)} ports, most to ${port}/${proto})`
        : `${t.dst} port ${port}/${proto}`;
    default:
      return t.dst;
  }
}

export function floodTitle(t: Track, e: Episode): string {
  const who = e.signature.reflection ? 'reflectors' : 'sources';
  return `${e.signature.label} on ${target(t, e)}: ${count(e.currentPps)} pps from ${count(e.current.sources)} ${who}/min since ${utc(e.startMs)}`;
}

export function floodFinding(t: Track, e: Episode, phase: Finding['phase']): Finding {
  const severity = severityOf(e.peakPps, e.peakMbps);
  const port = t.service ?? e.current.port;
  const durationS = Math.max(1, (e.lastMs - e.startMs) / 1000);
  return {
    detector: 'inbound-flood',
    kind: 'inbound-flood',
    key: e.key,
    phase,
    subject: {
      victim: t.dst,
      signature: e.signature.id,
      vector: t.vector,
      port,
      protocol:
        t.vector === 'udp' || t.vector === 'udp-reflection' ? 'udp' : t.vector === 'icmp' ? 'icmp' : 'tcp',
    },
    startMs: e.startMs,
    detectedMs: e.detectedMs,
    lastMs: e.lastMs,
    severity,
    title: floodTitle(t, e),
    evidence: {
      victim: t.dst,
      signature: e.signature.id,
      signature_label: e.signature.label,
      vector: t.vector,
      // The most frequent port of the latest minute (the attacked port, or the reflectors' service).
      port,
      distinct_ports: e.distinctPorts,
      sensors: [...e.sensors],
      start: iso(e.startMs),
      end: phase === 'ended' ? iso(e.lastMs) : null,
      duration_s: Math.round(durationS),
      minutes: e.minutes,
      packets: e.packets,
      bytes: e.bytes,
      pps: sig(e.currentPps),
      mbps: sig(mbpsOf(e.current)),
      peak_pps: sig(e.peakPps),
      peak_mbps: sig(e.peakMbps),
      // Each row names its three busiest source ports and countries; added up over the episode's
      // rows these are lower bounds of each value's packets (a value outside a row's three is not
      // counted there).
      top_source_ports: topOf(e.sourcePortPackets, TOP_NAMED).map((t) => ({
        port: t.value,
        packets: t.packets,
      })),
      countries: topOf(e.countryPackets, TOP_NAMED).map((t) => ({ country: t.value, packets: t.packets })),
      sources_per_minute: e.current.sources,
      peak_sources_per_minute: e.peakSources,
      // Each minute's distinct sources added up: the episode's distinct sources lie between the
      // peak minute's count and this.
      sources_sum_over_minutes: e.sourcesSum,
      spoofed: e.signature.spoofed,
      source_spread: sig(e.signature.spread),
      unroutable_source_share: sig(e.signature.unroutableShare),
      packets_per_source: sig(e.signature.packetsPerSource),
      normal_peak: e.normal
        ? { pps: sig(e.normal.pps), sources_per_minute: e.normal.sources }
        : 'none yet (the sensor has just started): raised on the signature',
      threshold_pps: sig(e.thresholdPps),
      trigger: e.trigger,
      series: e.series.map((p) => ({
        minute: iso(p.minuteMs),
        packets: p.packets,
        pps: sig(p.pps),
        sources: p.sources,
      })),
      note:
        'Rates are packets per second over the span of each minute the address received them, as ' +
        'the sensor recorded them: a lower bound where the log is rate-limited. ' +
        (e.signature.reflection
          ? 'The sources are the reflectors (real servers answering requests sent in the victim’s name), not the attacker.'
          : e.signature.spoofed
            ? 'The sources are forged: one packet or so each, spread like random addresses, some unroutable.'
            : 'Sources send several packets each: real hosts (a botnet, or heavy but legitimate traffic).'),
    },
  };
}
