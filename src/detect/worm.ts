/**
 * Worm outbreaks: a payload family (fingerprint: payload length and hash of its first bytes, seen
 * by the darknet captures) or an IDS signature of the Worm technique
 * (docs/background.md#observation: the IDS classifies detections by technique, SQL Slammer on
 * 1434/UDP being the standing example) whose number of distinct sources grows faster than its
 * baseline — the early, exponential part of the logistic growth of a scanning worm (Staniford,
 * Paxson and Weaver, "How to 0wn the Internet in Your Spare Time", USENIX Security 2002: I(t) = K /
 * (1 + e^(−r(t − T)))).
 *
 * Per family: distinct sources in a sliding 60-minute window every 10 minutes, divided by the
 * coverage of the streams that see it (darknet captures for payloads, IDS sensors for signatures;
 * windows and hours in a gap of the data, or in which those streams' membership changed, missing:
 * watched-time.ts, docs/methods.md#daily-and-weekly-cycles-gaps); the seasonal baseline and robust scale of seasonal-baseline.ts (a family never seen before has
 * a baseline of zero). An outbreak is signalled when
 * - z = (x − baseline) / scale > 3.5 and P(X ≥ x) < `alpha` under Poisson(baseline), with sources
 *   through ≥ 2 sensors — at least `minSourcesNew` for a family first seen in the last two days (a
 *   new payload or signature), `minSources` for an established one (whose small hourly counts are
 *   overdispersed: bursts of a handful of sources occur on the simulator's DNS, NTP and ping
 *   payloads a few times a month), and
 * - the family is growing: more sources than in the window an hour earlier (`growthRatio`), which
 *   had no fewer than the window before it, so a steady family that merely fluctuates, or a
 *   campaign whose few senders start together and stay, is not an outbreak.
 * A worm shows as a payload family at the darknets and a signature at the IDS sites: a signature
 * that starts alerting on the same port as an open payload episode (or the reverse) and shares
 * infected sources with it joins that episode, so one outbreak is one alert while two outbreaks on
 * one port stay two. Key `worm-outbreak:<port>/<proto>:<family>:<start>`; the episode ends after
 * `endAfterMs` without z ≥ 2 on any of its families. The alert gives the growth rate per hour (ln of the hour-over-hour ratio, r in the
 * logistic model) and the doubling time.
 *
 * State: per family its sources of the last hour and its hourly history; families with little
 * history and no current sources are forgotten.
 */
import type { Protocol } from '../core/index.js';
import type { Severity } from './alerts.js';
import type { CoverageFamily, CoverageSnapshot } from './coverage.js';
import { type DetectorDescriptor, listOf } from './descriptor.js';
import {
  bump,
  type Detector,
  type Finding,
  HOUR_MS,
  iso,
  MINUTE_MS,
  type MinuteRows,
  sig,
  topEntries,
} from './finding.js';
import {
  type Baseline,
  type BaselineOptions,
  DEFAULT_BASELINE,
  HourBook,
  SeasonalSeries,
} from './seasonal-baseline.js';
import { poissonUpperTail } from './stats.js';
import { WatchedTime } from './watched-time.js';

export interface WormOptions {
  /** Source entries held over all families at most. */
  readonly maxSources: number;
  /** Payload families and signatures watched at once at most. */
  readonly maxFamilies: number;
  readonly windowMin: number;
  readonly evalEveryMin: number;
  readonly zAlert: number;
  /** …and P(X ≥ x) under Poisson(baseline) below this. */
  readonly alpha: number;
  readonly zContinue: number;
  /** Fewest sources in the window for a family seen for `newForMs` or longer (an established one)… */
  readonly minSources: number;
  /** …and for a family first seen less than `newForMs` ago: a new payload or signature. */
  readonly minSourcesNew: number;
  readonly newForMs: number;
  readonly minSensors: number;
  /** x must exceed this multiple of the count an hour earlier. */
  readonly growthRatio: number;
  readonly minCoverage: number;
  readonly endAfterMs: number;
  readonly warmupMs: number;
  readonly maxExcludeMs: number;
  /** Families averaging fewer sources per watched hour than this, with none now, are dropped. */
  readonly forgetBelow: number;
  /** Distinct sources kept per episode for the evidence. */
  readonly sourceCap: number;
  readonly baseline: BaselineOptions;
}

export const DEFAULT_WORM: WormOptions = {
  maxSources: 1_000_000,
  maxFamilies: 50_000,
  windowMin: 60,
  evalEveryMin: 10,
  zAlert: 3.5,
  alpha: 1e-6,
  zContinue: 2,
  minSources: 12,
  minSourcesNew: 5,
  newForMs: 48 * HOUR_MS,
  minSensors: 2,
  growthRatio: 1,
  minCoverage: 0.5,
  endAfterMs: 6 * HOUR_MS,
  warmupMs: 24 * HOUR_MS,
  maxExcludeMs: 14 * 24 * HOUR_MS,
  forgetBelow: 0.05,
  sourceCap: 100_000,
  baseline: DEFAULT_BASELINE,
};

interface Seen {
  last: number;
  country: string | null;
  sensor: string;
}

interface Family {
  readonly id: string;
  readonly type: 'payload' | 'signature';
  readonly label: string;
  readonly coverage: CoverageFamily;
  readonly sources: Map<string, Seen>;
  readonly ports: Map<string, number>;
  readonly hist: SeasonalSeries;
  /** Window values at the last evaluations (one per `evalEveryMin`), newest last. */
  readonly recent: number[];
  firstMs: number;
  /** Its main destination port (`port/proto`), refreshed at each evaluation. */
  port: string;
  /** The baseline of the last window's hours, at the membership factors of `v` (hour-book.ts). */
  memo?: { mid: number; recentEnd: number; v: number; b: Baseline | undefined };
}

interface Episode {
  readonly key: string;
  readonly port: string;
  /** What held when it was detected. */
  readonly trigger: { family: string; x: number; baseline: number; z: number; hour_before: number };
  readonly startMs: number;
  readonly detectedMs: number;
  lastActiveMs: number;
  readonly families: Map<string, { x: number; baseline: number; z: number; growth: number }>;
  readonly sources: Set<string>;
  readonly countries: Map<string, number>;
  readonly sensors: Map<string, number>;
  peakSources: number;
}

export class WormDetector implements Detector {
  readonly name = 'worm' as const;
  private readonly o: WormOptions;
  private readonly families = new Map<string, Family>();
  /** Source entries held over all families (bounded by `maxSources`). */
  private entries = 0;
  /** What the caps turned away: families not opened, sources not kept. */
  readonly overflow = { families: 0, sources: 0 };
  /** Open episodes by key, and the episode each alerting family belongs to. */
  private readonly episodes = new Map<string, Episode>();
  private readonly byFamily = new Map<string, Episode>();
  /**
   * Per coverage family (darknet captures for payloads, IDS sensors for signatures), which windows
   * and hours were watched and under which membership of its fleet (watched-time.ts, hour-book.ts,
   * as for port surges): a darknet sensor joining shows more infected sources, which is coverage,
   * not an outbreak.
   */
  private readonly tracks = new Map<CoverageFamily, { book: HourBook; watched: WatchedTime }>();

  constructor(options: Partial<WormOptions> = {}) {
    this.o = { ...DEFAULT_WORM, ...options };
    for (const f of ['payloads', 'ids'] as const) {
      const book = new HourBook(this.o.baseline.weeks * 168 + 48);
      this.tracks.set(f, { book, watched: new WatchedTime([f], this.o.windowMin, this.o.minCoverage, f) });
    }
  }

  step(rows: MinuteRows, cov: CoverageSnapshot): Finding[] {
    const m = rows.minuteMs;
    for (const tr of this.tracks.values()) tr.watched.minute(m, cov);
    for (const r of rows.payloads) {
      const fp = `${r.payloadLength}:${r.payloadHash.toString(16).padStart(8, '0')}`;
      this.add(
        `fp:${fp}`,
        'payload',
        fp,
        'payloads',
        r.src,
        m,
        r.country,
        r.sensor,
        `${r.port ?? '-'}/${r.proto}`,
        r.packets,
      );
    }
    for (const r of rows.ids) {
      if (r.technique !== 'Worm') continue;
      const label = `${r.generatorId}:${r.signatureId}${r.signature ? ` ${r.signature}` : ''}`;
      this.add(
        `sig:${r.generatorId}:${r.signatureId}`,
        'signature',
        label,
        'ids',
        r.src,
        m,
        r.country,
        r.sensor,
        `${r.port ?? '-'}/${r.proto}`,
        r.packets,
      );
    }
    const t = m + MINUTE_MS;
    const out: Finding[] = [];
    if ((t / MINUTE_MS) % this.o.evalEveryMin === 0) {
      for (const [f, tr] of this.tracks) tr.book.refresh((e) => cov.sizeAt(f, e), cov.epochOf(f));
      this.evaluate(t, out);
    }
    return out;
  }

  private add(
    id: string,
    type: Family['type'],
    label: string,
    coverage: CoverageFamily,
    src: string,
    m: number,
    country: string | null,
    sensor: string,
    port: string,
    packets: number,
  ): void {
    let f = this.families.get(id);
    if (!f) {
      // Bounded state: a flood of random payloads opens no family beyond the cap.
      if (this.families.size >= this.o.maxFamilies) {
        this.overflow.families++;
        return;
      }
      f = {
        id,
        type,
        label,
        coverage,
        sources: new Map(),
        ports: new Map(),
        hist: new SeasonalSeries(this.tracks.get(coverage)!.book, this.o.baseline),
        recent: [],
        firstMs: m,
        port,
      };
      this.families.set(id, f);
    }
    const s = f.sources.get(src);
    if (s) {
      s.last = m;
      s.sensor = sensor;
    } else if (this.entries < this.o.maxSources) {
      f.sources.set(src, { last: m, country, sensor });
      this.entries++;
    } else this.overflow.sources++;
    bump(f.ports, port, packets, 16);
    const e = this.episodeOf(f);
    if (e) {
      if (e.sources.size < this.o.sourceCap && !e.sources.has(src)) {
        e.sources.add(src);
        bump(e.countries, country ?? '??', 1, 64);
        bump(e.sensors, sensor, 1, 1000);
      }
    }
  }

  private episodeOf(f: Family): Episode | undefined {
    return this.byFamily.get(f.id);
  }

  /**
   * The open episode a newly alerting family belongs to: one on the same port that has no family
   * of its type yet (a worm has one payload and one IDS signature) and shares infected sources with
   * it — the most shared wins. Two outbreaks on one port stay two alerts.
   */
  private episodeFor(f: Family): Episode | undefined {
    let best: Episode | undefined;
    let bestShared = 0;
    for (const e of this.episodes.values()) {
      if (e.port !== f.port || [...e.families.keys()].some((id) => id.slice(0, 3) === f.id.slice(0, 3)))
        continue;
      let shared = 0;
      for (const src of f.sources.keys()) if (e.sources.has(src)) shared++;
      if (shared > bestShared) {
        best = e;
        bestShared = shared;
      }
    }
    return best;
  }

  private evaluate(t: number, out: Finding[]): void {
    const hourEnd = t % HOUR_MS === 0;
    const hour = t / HOUR_MS - 1;
    if (hourEnd) {
      for (const { book, watched } of this.tracks.values()) {
        const h = watched.closeHour(t);
        book.mark(hour, h.watched, h.epoch);
      }
    }
    const warm = this.tracks.get('payloads')!.watched.warm(t, this.o.warmupMs);
    const midHour = Math.floor((t - (this.o.windowMin * MINUTE_MS) / 2) / HOUR_MS);
    const recentEnd = Math.floor((t - this.o.windowMin * MINUTE_MS) / HOUR_MS);
    const cutoff = t - this.o.windowMin * MINUTE_MS;
    const lag = this.o.windowMin / this.o.evalEveryMin;
    for (const [id, f] of this.families) {
      for (const [src, s] of f.sources) {
        if (s.last < cutoff) {
          f.sources.delete(src);
          this.entries--;
        }
      }
      // A window partly in a gap is missing, not scaled up into an outbreak (watched-time.ts); it
      // keeps its place (NaN), so "an hour earlier" stays an hour earlier: across a gap the growth
      // is unknown, not measured against the last window before it.
      const { book, watched } = this.tracks.get(f.coverage)!;
      const fraction = watched.window(f.coverage);
      const x = fraction < this.o.minCoverage ? Number.NaN : f.sources.size / fraction;
      f.recent.push(x);
      if (f.recent.length > 2 * lag + 1) f.recent.shift();
      if (Number.isNaN(x)) continue;
      const at = (hoursAgo: number) => f.recent[f.recent.length - 1 - hoursAgo * lag] ?? 0;
      const before = at(1);
      // An episode's families keep the port they joined it on.
      const episode = this.byFamily.get(id);
      if (!episode) f.port = topEntries(f.ports, 1)[0]?.[0] ?? f.port;
      // Only a family that could alert, or an episode's, is judged between hour ends.
      if (!hourEnd && !episode && x < this.o.minSourcesNew) continue;
      // A family first seen now has zeros for every watched hour before: its baseline is 0.
      if (f.memo?.mid !== midHour || f.memo.recentEnd !== recentEnd || f.memo.v !== book.version) {
        f.memo = { mid: midHour, recentEnd, v: book.version, b: f.hist.baseline(midHour, recentEnd) };
      }
      const b = f.memo.b;
      if (b) {
        const z = (x - b.value) / b.scale;
        const growth = before > 0 ? Math.log(x / before) : Number.POSITIVE_INFINITY;
        // Growing for two hours: above the hour before, which had sources and was not below the one
        // before it. A family with nobody an hour ago is not yet growing: senders of a campaign that
        // start together and stay would otherwise look like an outbreak at their first window. An
        // unknown hour before that (in a gap) does not veto, as before the family's history began.
        const growing = before > 0 && x > before * this.o.growthRatio && !(before < at(2));
        const hot =
          z > this.o.zAlert &&
          x >= (t - f.firstMs < this.o.newForMs ? this.o.minSourcesNew : this.o.minSources) &&
          growing &&
          poissonUpperTail(Math.round(x), Math.max(b.value, 0.1)) < this.o.alpha &&
          this.sensors(f) >= this.o.minSensors;
        if (hot && warm) this.raise(f, t, x, b.value, z, before, growth, out);
        else if (episode && z >= this.o.zContinue) {
          episode.lastActiveMs = t;
          episode.families.set(id, { x, baseline: b.value, z, growth });
          episode.peakSources = Math.max(episode.peakSources, x);
        }
      }
      if (hourEnd && book.watched(hour)) {
        const e = this.byFamily.get(id);
        const alerting = e !== undefined && hour * HOUR_MS - e.startMs < this.o.maxExcludeMs;
        f.hist.record(hour, x, alerting);
        if (b && !alerting) f.hist.recordResidual(b.value, x - b.value);
      }
      if (f.sources.size === 0 && !this.byFamily.has(id) && f.hist.negligible(this.o.forgetBelow))
        this.families.delete(id);
    }
    for (const [key, e] of this.episodes) {
      if (t - e.lastActiveMs >= this.o.endAfterMs) {
        this.episodes.delete(key);
        for (const id of e.families.keys()) this.byFamily.delete(id);
        out.push(this.finding(e, 'ended', e.lastActiveMs));
      } else if (hourEnd && e.lastActiveMs === t) out.push(this.finding(e, 'updated', t));
    }
  }

  private raise(
    f: Family,
    t: number,
    x: number,
    baseline: number,
    z: number,
    before: number,
    growth: number,
    out: Finding[],
  ): void {
    let e = this.byFamily.get(f.id) ?? this.episodeFor(f);
    const opened = !e;
    if (!e) {
      const startMs = Math.max(f.firstMs, t - this.o.windowMin * MINUTE_MS);
      e = {
        key: `worm-outbreak:${f.port}:${f.id.slice(f.id.indexOf(':') + 1)}:${startMs}`,
        port: f.port,
        trigger: { family: f.id, x: sig(x), baseline: sig(baseline), z: sig(z), hour_before: sig(before) },
        startMs,
        detectedMs: t,
        lastActiveMs: t,
        families: new Map(),
        sources: new Set(),
        countries: new Map(),
        sensors: new Map(),
        peakSources: 0,
      };
      this.episodes.set(e.key, e);
    }
    e.lastActiveMs = t;
    e.peakSources = Math.max(e.peakSources, x);
    const joined = !e.families.has(f.id);
    e.families.set(f.id, { x, baseline, z, growth });
    this.byFamily.set(f.id, e);
    if (joined) {
      for (const [src, s] of f.sources) {
        if (e.sources.size >= this.o.sourceCap || e.sources.has(src)) continue;
        e.sources.add(src);
        bump(e.countries, s.country ?? '??', 1, 64);
        bump(e.sensors, s.sensor, 1, 1000);
      }
    }
    if (opened) out.push(this.finding(e, 'opened', t));
    else if (joined) out.push(this.finding(e, 'updated', t));
  }

  private sensors(f: Family): number {
    const s = new Set<string>();
    for (const v of f.sources.values()) {
      s.add(v.sensor);
      if (s.size >= this.o.minSensors) break;
    }
    return s.size;
  }

  private finding(e: Episode, phase: Finding['phase'], atMs: number): Finding {
    const fams = [...e.families.entries()];
    const fingerprints = fams.filter(([id]) => id.startsWith('fp:')).map(([id]) => id.slice(3));
    const signatures = fams.filter(([id]) => id.startsWith('sig:')).map(([id]) => Number(id.split(':')[2]));
    const labels = fams.map(([id]) => this.families.get(id)?.label ?? id);
    const growths = fams.map(([, v]) => v.growth).filter((g) => Number.isFinite(g) && g > 0);
    const r = growths.length > 0 ? Math.max(...growths) : null;
    const [portText, proto] = e.port.split('/') as [string, Protocol];
    const n = e.sources.size;
    const severity: Severity = n >= 1000 ? 'critical' : n >= 100 ? 'high' : 'medium';
    return {
      detector: 'worm',
      kind: 'worm-outbreak',
      key: e.key,
      phase,
      subject: { proto, port: portText === '-' ? null : Number(portText), fingerprints, signatures },
      members: e.sources,
      startMs: e.startMs,
      detectedMs: e.detectedMs,
      lastMs: atMs,
      severity,
      title: `Worm outbreak on ${e.port}: ${labels.slice(0, 2).join(', ')} — ${n} sources and growing`,
      evidence: {
        families: Object.fromEntries(
          fams.map(([id, v]) => [
            id,
            {
              label: this.families.get(id)?.label ?? id,
              sources_per_hour: sig(v.x),
              baseline: sig(v.baseline),
              z: sig(v.z),
              // Sources per 60 minutes, sampled every evalEveryMin minutes, oldest first (null:
              // a missing window).
              series: (this.families.get(id)?.recent ?? []).map((x) => (Number.isNaN(x) ? null : sig(x))),
            },
          ]),
        ),
        series_every_min: this.o.evalEveryMin,
        fingerprints,
        signature_ids: signatures,
        sources_total: n,
        peak_sources_per_hour: sig(e.peakSources),
        growth_rate_per_hour: r === null ? null : sig(r),
        doubling_time_h: r === null ? null : sig(Math.LN2 / r),
        countries: topEntries(e.countries, 10).map(([country, sources]) => ({ country, sources })),
        sensors: topEntries(e.sensors, 10).map(([sensor, sources]) => ({ sensor, sources })),
        start: iso(e.startMs),
        trigger: e.trigger,
        ended: phase === 'ended' ? iso(atMs) : null,
        method:
          'distinct sources per family per 60 min vs seasonal baseline, growing hour over hour (logistic growth, Staniford et al. 2002)',
      },
    };
  }

  stateSize(): number {
    let n = this.episodes.size;
    for (const f of this.families.values()) n += 1 + f.sources.size;
    return n;
  }
}

/**
 * An outbreak matches by the episode's payload fingerprint or IDS signature id among the alert's
 * families; a Messenger-spam payload explains a worm alert.
 */
export const worm: DetectorDescriptor<'worm', WormOptions> = {
  name: 'worm',
  optionsKey: 'worm',
  families: ['payloads', 'ids'],
  scoredKind: 'worm-outbreak',
  matches(s, e) {
    const t = e.subject;
    if (e.kind === 'worm-outbreak') {
      return (
        listOf(s.fingerprints).includes(t.payload_fingerprint) ||
        listOf(s.signatures).includes(t.signature_id)
      );
    }
    if (e.kind === 'messenger-spam')
      return listOf(s.fingerprints).some((f) => listOf(t.payload_fingerprints).includes(f));
    return false;
  },
  defaults: DEFAULT_WORM,
  create: ({ options }) => new WormDetector(options),
};
