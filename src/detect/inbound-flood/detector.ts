/** The inbound-flood detector (the method and the reasons for its cuts: index.ts). */
import type { InboundRow } from '../../observe/index.js';
import type { CoverageSnapshot } from '../coverage.js';
import { type Detector, type Finding, HOUR_MS, MINUTE_MS, type MinuteRows } from '../finding.js';
import { floodFinding, severityOf, severityRank } from './alert.js';
import { DEFAULT_INBOUND_FLOOD, type InboundFloodOptions } from './options.js';
import { attackShaped, type MinuteCounts, signatureOf } from './signature.js';
import {
  addCounts,
  adoptLevel,
  burstStartOf,
  closeTrackHour,
  type Episode,
  emptyCounts,
  feedNormal,
  mbpsOf,
  newTrack,
  normalPeak,
  rateOf,
  type Track,
} from './track.js';

/** Minutes of the per-minute series an alert shows. */
const SERIES_MIN = 30;
/** Source ports and countries an episode keeps counts of (the alert names the first few). */
const TOP_KEPT = 16;

export class InboundFloodDetector implements Detector {
  readonly name = 'inbound-flood' as const;
  private readonly o: InboundFloodOptions;
  /** Tracks by destination address, then by vector key. */
  private readonly byDst = new Map<string, Map<string, Track>>();
  private tracks = 0;
  /** Tracks with a flood in progress. */
  private readonly active = new Set<Track>();
  /**
   * Minutes each sensor has been watched; sensors still learning (fewer than `learnMin`, or no hour
   * closed since: until then an address's only baseline is its hour so far); the sensors watched
   * in the current hour.
   */
  private readonly watchedMin = new Map<string, number>();
  private readonly learnt = new Set<string>();
  private readonly hourWatched = new Set<string>();
  /** Tracks not created, or dropped, because `maxTracks` were held. */
  droppedTracks = 0;

  constructor(options: Partial<InboundFloodOptions> = {}) {
    this.o = { ...DEFAULT_INBOUND_FLOOD, ...options };
  }

  step(rows: MinuteRows, cov: CoverageSnapshot): Finding[] {
    const m = rows.minuteMs;
    const watched = watchedSensors(cov);
    for (const s of watched) {
      this.watchedMin.set(s, (this.watchedMin.get(s) ?? 0) + 1);
      this.hourWatched.add(s);
    }
    const out: Finding[] = [];
    const minute = this.collect(rows.inbound ?? []);
    for (const [t, c] of minute) {
      this.hourWatched.add(t.sensor);
      this.judge(t, c, m, out);
    }
    for (const t of this.active) {
      if (!minute.has(t) && watched.has(t.sensor)) this.quietMinute(t, out);
    }
    if ((m + MINUTE_MS) % HOUR_MS === 0) this.closeHour();
    return out;
  }

  /**
   * Judges part of a minute not yet complete (live detection, each poll): opens the floods it
   * already shows, so the alert need not wait for the minute to end. Baselines and episode ends
   * wait for {@link step}, which then counts the complete minute.
   */
  early(rows: MinuteRows): Finding[] {
    const out: Finding[] = [];
    for (const [t, c] of this.collect(rows.inbound ?? [])) {
      if (t.episode) continue;
      const e = this.test(t, c);
      if (!e) continue;
      e.earlyMinute = rows.minuteMs;
      out.push(this.open(t, e));
    }
    return out;
  }

  /** Adds the minute's rows up per track, creating tracks for busy address × vectors. */
  private collect(rows: readonly InboundRow[]): Map<Track, MinuteCounts> {
    const minute = new Map<Track, MinuteCounts>();
    for (const r of rows) {
      let vectors = this.byDst.get(r.dst);
      // Background: a few packets at an address nobody follows cost one map lookup.
      if (!vectors && r.packets < this.o.trackPackets) continue;
      const service = r.vector === 'udp-reflection' ? r.port : null;
      const key = service === null ? r.vector : `${r.vector}:${service}`;
      let t = vectors?.get(key);
      if (!t) {
        if (r.packets < this.o.trackPackets || !this.makeRoom()) continue;
        t = newTrack(r.dst, r.vector, service, r.sensor);
        // Making room may have dropped this address's last track (and its map).
        vectors = this.byDst.get(r.dst);
        if (!vectors) {
          vectors = new Map();
          this.byDst.set(r.dst, vectors);
        }
        vectors.set(key, t);
        this.tracks++;
      }
      t.sensor = r.sensor;
      let c = minute.get(t);
      if (!c) {
        c = emptyCounts();
        minute.set(t, c);
      }
      addRow(c, r);
    }
    return minute;
  }

  /** The flood this minute would open at `t`, or null. */
  private test(t: Track, c: MinuteCounts): Episode | null {
    const o = this.o;
    const pps = rateOf(c);
    if (c.packets < o.minPackets || c.sources < o.minSources || pps < o.minPps) return null;
    const sig = signatureOf(t.vector, t.service, c);
    // Without a baseline: quiet if the sensor has been watched long enough, unknown if it has just
    // started — then only a minute shaped like an attack (forged sources, replies nobody asked for)
    // is one, and anything else is learnt as the address's normal.
    const learning = !this.learnt.has(t.sensor);
    const normal = normalPeak(t, learning) ?? (learning ? null : { pps: 0, sources: 0 });
    let trigger: Episode['trigger'];
    let thresholdPps = o.minPps;
    if (normal === null) {
      if (!attackShaped(sig)) return null;
      trigger = 'signature';
    } else {
      thresholdPps = Math.max(o.minPps, o.ratio * normal.pps);
      if (pps >= thresholdPps) trigger = 'rate';
      else if (c.sources >= Math.max(o.minSourceSurge, o.ratio * normal.sources)) trigger = 'sources';
      else return null;
    }
    const startMs = burstStartOf(c);
    return {
      key: `inbound-flood:${t.dst}:${t.vectorKey}:${startMs}`,
      startMs,
      detectedMs: c.lastMs,
      lastMs: c.lastMs,
      minutes: 0,
      packets: 0,
      bytes: 0,
      peakPps: pps,
      peakMbps: mbpsOf(c),
      peakSources: c.sources,
      sourcesSum: 0,
      signature: sig,
      current: c,
      currentPps: pps,
      distinctPorts: 0,
      sourcePortPackets: new Map(),
      countryPackets: new Map(),
      sensors: new Set([t.sensor]),
      normal,
      thresholdPps,
      trigger,
      quiet: 0,
      lastEmitMs: c.lastMs,
      lastEmitPackets: 0,
      lastSeverityRank: severityRank(severityOf(pps, mbpsOf(c))),
      earlyMinute: null,
      series: [],
    };
  }

  private open(t: Track, e: Episode): Finding {
    t.episode = e;
    this.active.add(t);
    return floodFinding(t, e, 'opened');
  }

  /** One complete minute of a track with rows. */
  private judge(t: Track, c: MinuteCounts, m: number, out: Finding[]): void {
    const pps = rateOf(c);
    const e = t.episode;
    if (!e) {
      const opened = this.test(t, c);
      if (opened) {
        this.grow(t, opened, c, pps, m);
        out.push(this.open(t, opened));
      } else feedNormal(t, pps, c.sources, c.packets >= this.o.trackPackets);
      return;
    }
    const firstComplete = e.earlyMinute === m;
    e.earlyMinute = null;
    let bar = e.thresholdPps;
    // A flood lasting `adaptAfterMin` is the address's new normal: it feeds the baseline, whose bar
    // it then no longer clears, and ends.
    if (m - e.startMs >= this.o.adaptAfterMin * MINUTE_MS) {
      adoptLevel(t, pps, c.sources);
      bar = Math.max(bar, this.o.ratio * (normalPeak(t, false)?.pps ?? 0));
    }
    if (c.packets >= this.o.minPackets / 2 && pps >= bar / 2) {
      this.grow(t, e, c, pps, m);
      e.quiet = 0;
      const rank = severityRank(severityOf(e.peakPps, e.peakMbps));
      const due = e.lastMs - e.lastEmitMs >= this.o.updateEveryMs && e.packets > e.lastEmitPackets;
      if (due || rank > e.lastSeverityRank || firstComplete) {
        e.lastEmitMs = e.lastMs;
        e.lastEmitPackets = e.packets;
        e.lastSeverityRank = rank;
        out.push(floodFinding(t, e, 'updated'));
      }
      return;
    }
    // Minutes of an episode (its tail included) do not feed the baseline, but for the adapting above.
    this.quietMinute(t, out);
  }

  private grow(t: Track, e: Episode, c: MinuteCounts, pps: number, m: number): void {
    e.minutes++;
    e.packets += c.packets;
    e.bytes += c.bytes;
    e.sourcesSum += c.sources;
    e.lastMs = Math.max(e.lastMs, c.lastMs);
    e.current = c;
    e.currentPps = pps;
    e.peakPps = Math.max(e.peakPps, pps);
    e.peakMbps = Math.max(e.peakMbps, mbpsOf(c));
    e.peakSources = Math.max(e.peakSources, c.sources);
    e.distinctPorts = Math.max(e.distinctPorts, c.ports);
    addCounts(e.sourcePortPackets, c.sourcePortPackets, TOP_KEPT);
    addCounts(e.countryPackets, c.countryPackets, TOP_KEPT);
    if (e.sensors.size < 16) e.sensors.add(t.sensor);
    e.series.push({ minuteMs: m, packets: c.packets, pps, sources: c.sources });
    if (e.series.length > SERIES_MIN) e.series.shift();
  }

  /** A watched minute in which a flood in progress fell below half its bar (or sent nothing). */
  private quietMinute(t: Track, out: Finding[]): void {
    const e = t.episode;
    if (!e || ++e.quiet < this.o.endQuietMin) return;
    out.push(floodFinding(t, e, 'ended'));
    t.episode = null;
    this.active.delete(t);
  }

  /** Hour end: tracks of sensors watched in the hour keep its peaks; long-idle ones are dropped. */
  private closeHour(): void {
    for (const s of this.hourWatched) {
      if ((this.watchedMin.get(s) ?? 0) >= this.o.learnMin) this.learnt.add(s);
    }
    for (const [dst, vectors] of this.byDst) {
      for (const [key, t] of vectors) {
        if (!this.hourWatched.has(t.sensor)) continue;
        closeTrackHour(t, this.o.baselineHours);
        if (t.idleHours >= this.o.baselineHours && !t.episode) {
          vectors.delete(key);
          this.tracks--;
        }
      }
      if (vectors.size === 0) this.byDst.delete(dst);
    }
    this.hourWatched.clear();
  }

  /** At `maxTracks`, drops the oldest track without a flood; false when every one has a flood. */
  private makeRoom(): boolean {
    if (this.tracks < this.o.maxTracks) return true;
    for (const [dst, vectors] of this.byDst) {
      for (const [key, t] of vectors) {
        if (t.episode) continue;
        vectors.delete(key);
        if (vectors.size === 0) this.byDst.delete(dst);
        this.tracks--;
        this.droppedTracks++;
        return true;
      }
    }
    this.droppedTracks++;
    return false;
  }

  stateSize(): number {
    return this.tracks;
  }
}

function addRow(c: MinuteCounts, r: InboundRow): void {
  c.packets += r.packets;
  c.bytes += r.bytes;
  c.sources += r.sources;
  c.sources16 += r.sources16;
  c.sourcePorts += r.sourcePorts;
  c.unroutable += r.unroutable;
  if (r.firstMs < c.firstMs) c.firstMs = r.firstMs;
  if (r.lastMs > c.lastMs) c.lastMs = r.lastMs;
  for (let k = 0; k < 6; k++) c.tenSeconds[k]! += r.tenSeconds[k] ?? 0;
  if (r.ports > c.ports) c.ports = r.ports;
  for (const t of r.topSourcePorts)
    c.sourcePortPackets.set(t.value, (c.sourcePortPackets.get(t.value) ?? 0) + t.packets);
  for (const t of r.topCountries)
    c.countryPackets.set(t.value, (c.countryPackets.get(t.value) ?? 0) + t.packets);
  if (r.packets > c.portPackets) {
    c.port = r.port;
    c.portPackets = r.packets;
  }
}

/**
 * Sensors whose packet streams (firewall, darknet) delivered this minute: active and at least half
 * their usual rate, or so sparse that a silent minute is ordinary. A minute a sensor did not deliver
 * is missing for its addresses — it neither ends a flood nor lowers a baseline.
 */
function watchedSensors(cov: CoverageSnapshot): Set<string> {
  const out = new Set<string>();
  for (const s of cov.streams) {
    if (s.kind === 'ids' || !s.active) continue;
    if (s.events >= s.ratePerMinute / 2 || s.ratePerMinute < 2) out.add(s.sensor);
  }
  return out;
}
