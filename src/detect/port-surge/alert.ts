/**
 * Formatting an episode as a finding: the title an operator reads, the severity, and the evidence
 * that explains it — the trigger, each split's figures, the day test's sums, the top sources,
 * countries and sensors of the window, and the port's last two days of hourly distinct sources.
 */
import { serviceName } from '../../observe/index.js';
import type { Severity } from '../alerts.js';
import { type Finding, HOUR_MS, iso, sig, topEntries } from '../finding.js';
import type { PortEpisode } from './episodes.js';
import type { Series, SeriesBook } from './series.js';

interface SeriesPoint {
  hour: string;
  sources: number | null;
  /** False for the episode's own hours, kept out of the baseline. */
  in_baseline: boolean;
}

function hourlySeries(s: Series, atMs: number, hours: number): SeriesPoint[] {
  const end = Math.floor(atMs / HOUR_MS);
  const out: SeriesPoint[] = [];
  for (let h = end - hours; h < end; h++) {
    const v = s.hist.observed(h);
    out.push({
      hour: iso(h * HOUR_MS),
      sources: v ? sig(v.value) : null,
      in_baseline: v?.inBaseline ?? false,
    });
  }
  return out;
}

/** Sources (with their packets), countries and sensors of the port's current window. */
function windowSources(e: PortEpisode, series: SeriesBook) {
  const sources = new Map<string, number>();
  const countries = new Map<string, number>();
  const sensors = new Map<string, number>();
  // The port's 'all' series sees every source once.
  const all = series.get(e.proto, e.port, 'all');
  for (const [src, v] of all ? series.sourcesOf(all) : []) {
    if (v.last < series.cutoff) continue;
    sources.set(src, v.packets);
    countries.set(v.country ?? '??', (countries.get(v.country ?? '??') ?? 0) + 1);
    sensors.set(v.sensor, (sensors.get(v.sensor) ?? 0) + 1);
  }
  return { all, sources, countries, sensors };
}

/** The finding of episode `e` in `phase` at `atMs`, with the window's evidence from `series`. */
export function portSurgeFinding(
  e: PortEpisode,
  phase: Finding['phase'],
  atMs: number,
  series: SeriesBook,
  windowMin: number,
): Finding {
  const service = e.port === null ? '' : serviceName(e.port, e.proto);
  const parts = [...e.splits.entries()];
  const days = [...e.day.entries()];
  const slow = e.trigger.by === 'day';
  // A slow surge's magnitude is its day's (an hour of it may stand higher, but that hour alone was
  // not enough to alert).
  const peak = slow
    ? Math.max(...days.map(([, v]) => v.peakRatio))
    : Math.max(...parts.map(([, v]) => v.peakRatio));
  const maxZ = Math.max(...parts.map(([, v]) => v.z));
  const w = windowSources(e, series);
  const severity: Severity = peak >= 5 || maxZ >= 20 ? 'high' : peak >= 2 || maxZ >= 8 ? 'medium' : 'low';
  const splitNames = parts.map(([k]) => k).join(' and ');
  return {
    detector: 'port-surge',
    kind: 'port-surge',
    key: e.key,
    phase,
    subject: { proto: e.proto, port: e.port, splits: parts.map(([k]) => k) },
    startMs: e.startMs,
    detectedMs: e.detectedMs,
    lastMs: atMs,
    severity,
    title:
      `${slow ? 'Slow surge' : 'Surge'} on ${e.port ?? '-'}/${e.proto}${service ? ` (${service})` : ''}: ` +
      `${sig(peak, 2)}× baseline distinct sources${slow ? ' over 24 h' : ''} (${splitNames})`,
    evidence: {
      service: service || null,
      trigger: e.trigger,
      magnitude: sig(peak),
      splits: Object.fromEntries(
        parts.map(([k, v]) => [
          k,
          {
            sources: sig(v.x),
            baseline: sig(v.baseline),
            scale: v.scale === undefined ? null : sig(v.scale),
            z: sig(v.z),
            peak_ratio: sig(v.peakRatio),
            baseline_method: v.method ?? null,
          },
        ]),
      ),
      // The day test (slow surges): 24-hour sums of hourly distinct sources against the same
      // 24 hours of the previous two weeks.
      day: Object.fromEntries(
        days.map(([k, v]) => [
          k,
          { source_hours: sig(v.sum), baseline: sig(v.baseline), z: sig(v.z), peak_ratio: sig(v.peakRatio) },
        ]),
      ),
      top_sources: topEntries(w.sources, 10).map(([src, packets]) => ({ src, packets })),
      // The last two days of complete hours, distinct sources (null: not watched or not yet kept).
      series: w.all ? hourlySeries(w.all, atMs, 48) : [],
      countries: topEntries(w.countries, 10).map(([country, n]) => ({ country, sources: n })),
      sensors: topEntries(w.sensors, 10).map(([sensor, n]) => ({ sensor, sources: n })),
      window_min: windowMin,
      ended: phase === 'ended' ? iso(atMs) : null,
      method: 'distinct sources per 60 min vs seasonal median/MAD baseline; docs/methods.md#port-surges',
    },
  };
}
