/**
 * Backscatter DDoS inference, after Moore, Voelker and Savage, "Inferring Internet Denial-of-Service
 * Activity" (USENIX Security 2001) and CAIDA's `corsaro_dos` plugin (docs/methods.md#backscatter).
 * A victim of a flood with uniformly random spoofed sources answers every spoofed packet; the
 * answers addressed to our monitored addresses arrive as unsolicited SYN-ACKs, RSTs, echo replies
 * and ICMP errors (the `backscatter` detection rows: the victim of an ICMP error is the destination
 * of the quoted packet, §3.1 and docs/methods.md#backscatter).
 *
 * - Grouping (§3.2, corsaro_dos): one attack per victim; it ends when no reply arrives for a gap
 *   that would have held `endEvents` replies at its recent rate (at least CAIDA's 5 minutes, at
 *   most an hour). The gap is counted in covered time — minutes weighted by the share of the fleet
 *   that was reporting — so sensors going silent do not end an attack.
 * - Threshold (§3.3 and docs/methods.md#backscatter: thresholds must scale with coverage):
 *   corsaro's fixed 25 packets / 30 per minute assume 1/256 of IPv4. Here a victim is an attack
 *   when its count of distinct monitored addresses hit in a window of 1, 5, 15 or 60 minutes is
 *   improbable (P < `alpha`, Poisson) for an ordinary victim: one replying at R0, the rate of the
 *   heaviest ordinary victims (median over the last day of each hour's largest per-victim rate
 *   among non-alerted victims, not below `floorPps`), whose expected count is R0 · n/2³² · window
 *   for the n addresses monitored at that time. Distinct addresses rather than packets, because a
 *   victim retransmits unanswered SYN-ACKs (RFC 9293 §3.8.1): one spoofed SYN, several replies to
 *   one address.
 * - Rate (§3.3): with random spoofing a reply lands on one of n monitored addresses with
 *   probability n/2³², so the victim's reply rate ≈ observed × 2³²/n — a lower bound (victims
 *   rate-limit replies). Attacks without random spoofing (reflection, botnets with real sources)
 *   leave no backscatter here: every alert says so.
 *
 * - Distinct addresses over a window are counted once: each minute's addresses are kept as a
 *   mergeable set (exact while few, a HyperLogLog sketch beyond), and a window's count is the size of
 *   their union — not the sum of per-minute counts, which would make one address hit for fourteen
 *   minutes fourteen addresses.
 * - What deserves an alert (docs/methods.md#what-deserves-an-alert): an attack whose estimated
 *   rate is below `minVictimRatePps` is a statistic — a finding marked `statistic`, listed by
 *   `koban detect`, never an operator alert — until its rate reaches it. When no monitored address
 *   is known the rate cannot be estimated: the alert says so in words.
 *
 * State: one record per victim seen in the last `candidateIdleMin` minutes (or in an attack), with
 * at most 60 per-minute address sets and 32 ports each (backscatter-victim.ts).
 */
import { DEFAULT_MIN_VICTIM_RATE_PPS } from '../core/index.js';
import type { BackscatterRow } from '../observe/index.js';
import type { Severity } from './alerts.js';
import { VictimState } from './backscatter-victim.js';
import type { CoverageSnapshot } from './coverage.js';
import type { DetectorDescriptor } from './descriptor.js';
import {
  type Detector,
  type Finding,
  HOUR_MS,
  iso,
  MINUTE_MS,
  type MinuteRows,
  sig,
  topEntries,
} from './finding.js';
import { median, poissonCriticalCount } from './stats.js';

export { attackTypeOf } from './backscatter-victim.js';

const TWO_32 = 4294967296;

export interface BackscatterOptions {
  /** Windows (minutes) tested. */
  readonly windowsMin: readonly number[];
  /** Per-test significance (many victims × windows are tested every minute). */
  readonly alpha: number;
  /** Fewest distinct addresses for an attack, whatever the test says. */
  readonly minTargets: number;
  /** Lowest background reply rate assumed for an ordinary victim (replies/s at the victim). */
  readonly floorPps: number;
  /** Attack end: a gap that would have held this many replies at the attack's recent rate… */
  readonly endEvents: number;
  /** …bounded by these (minutes). CAIDA's published data uses 5-minute intervals. */
  readonly minGapMin: number;
  readonly maxGapMin: number;
  /** Victims not (yet) attacked are forgotten after this idle time (minutes). */
  readonly candidateIdleMin: number;
  /** An ongoing attack's alert is updated at most this often (event time). */
  readonly updateEveryMs: number;
  /** Victims followed at once at most (≈ 1 KB each); the oldest ordinary ones make room. */
  readonly maxVictims: number;
  /**
   * Estimated reply rate (replies/s at the victim) below which an attack is a statistic, not an
   * alert (koban.json `detection.backscatter.minVictimRatePps`; docs/methods.md#what-deserves-an-alert).
   */
  readonly minVictimRatePps: number;
}

export const DEFAULT_BACKSCATTER: BackscatterOptions = {
  windowsMin: [1, 5, 15, 60],
  alpha: 1e-7,
  minTargets: 4,
  floorPps: 500,
  endEvents: 10,
  minGapMin: 5,
  maxGapMin: 60,
  candidateIdleMin: 60,
  updateEveryMs: 5 * MINUTE_MS,
  maxVictims: 200_000,
  minVictimRatePps: DEFAULT_MIN_VICTIM_RATE_PPS,
};

export class BackscatterDetector implements Detector {
  readonly name = 'backscatter' as const;
  private readonly o: BackscatterOptions;
  private readonly victims = new Map<string, VictimState>();
  /** Each hour's largest ordinary per-victim count, per monitored address (last 24 hours). */
  private readonly hourlyMaxPerAddress: number[] = [];
  /** The windows, shortest first (a window's union grows into the next). */
  private readonly windows: readonly number[];
  private readonly maxWindow: number;
  /** R0, recomputed when an hour closes. */
  private r0: number | null = null;

  constructor(options: Partial<BackscatterOptions> = {}) {
    this.o = { ...DEFAULT_BACKSCATTER, ...options };
    this.windows = [...this.o.windowsMin].sort((a, b) => a - b);
    this.maxWindow = Math.max(...this.o.windowsMin);
  }

  /** R0: the assumed reply rate (per second, at the victim) of the heaviest ordinary victims. */
  backgroundPps(): number {
    if (this.r0 === null) {
      const perAddrHour = this.hourlyMaxPerAddress.length >= 3 ? median(this.hourlyMaxPerAddress) : 0;
      this.r0 = Math.max(this.o.floorPps, (perAddrHour * TWO_32) / 3600);
    }
    return this.r0;
  }

  /**
   * The smallest attack rate (replies/s at the victim) whose expected count reaches the critical
   * count in some window, with `n` monitored addresses: what this fleet can detect.
   */
  detectionLimitPps(n: number): number {
    if (n <= 0) return Number.POSITIVE_INFINITY;
    let best = Number.POSITIVE_INFINITY;
    for (const w of this.o.windowsMin) {
      const k = Math.max(this.critical(w, n), this.o.minTargets);
      best = Math.min(best, (k / (w * 60)) * (TWO_32 / n));
    }
    return best;
  }

  private mu(windowMin: number, n: number): number {
    return ((this.backgroundPps() * Math.max(n, 1)) / TWO_32) * windowMin * 60;
  }

  private critical(windowMin: number, n: number): number {
    return poissonCriticalCount(this.mu(windowMin, n), this.o.alpha);
  }

  step(rows: MinuteRows, cov: CoverageSnapshot): Finding[] {
    const m = rows.minuteMs;
    for (const r of rows.backscatter) this.add(r, m);
    const out: Finding[] = [];
    const n = cov.monitoredAddresses;
    // A minute counts as watched by the share of the fleet reporting — and not at all when the
    // events that arrived are under half the usual volume (an outage the per-stream silence test
    // has not declared yet): sensors going silent do not end an attack.
    const covered = cov.fraction('backscatter') * Math.min(1, 2 * cov.received('backscatter'));
    for (const [key, v] of this.victims) {
      v.expire(m, this.maxWindow);
      if (v.updated) {
        v.updated = false;
        v.idleCovered = 0;
        if (!v.attack) this.test(v, m, n, out);
        else if (
          v.lastMs - v.attack.lastEmitMs >= this.o.updateEveryMs &&
          v.packets > v.attack.lastEmitPackets
        ) {
          out.push(this.finding(v, 'updated', n));
        }
        continue;
      }
      v.idleCovered += covered;
      if (v.attack) {
        const span = Math.min(this.maxWindow, Math.max(1, (m + MINUTE_MS - v.firstMs) / MINUTE_MS));
        const rate = v.recentMinuteHits() / span;
        const gap = Math.min(
          this.o.maxGapMin,
          Math.max(this.o.minGapMin, this.o.endEvents / Math.max(rate, 1e-9)),
        );
        if (v.idleCovered >= gap) {
          // Listed so far, but its rate reached the threshold since the last update: the alert
          // opens before the end is reported.
          if (v.attack.statistic && !this.below(v, n)) out.push(this.finding(v, 'updated', n));
          out.push(this.finding(v, 'ended', n));
          this.victims.delete(key);
        }
      } else if (v.idleCovered >= this.o.candidateIdleMin) this.victims.delete(key);
    }
    if ((m + MINUTE_MS) % HOUR_MS === 0) this.closeHour(n);
    return out;
  }

  private add(r: BackscatterRow, m: number): void {
    let v = this.victims.get(r.victim);
    if (!v) {
      // Bounded state under a flood of forged victims: when full, the ordinary victim seen first
      // (the oldest entry) makes room; victims under attack are kept.
      if (this.victims.size >= this.o.maxVictims) {
        for (const [k, x] of this.victims) {
          if (x.attack) continue;
          this.victims.delete(k);
          this.droppedVictims++;
          break;
        }
        if (this.victims.size >= this.o.maxVictims) return;
      }
      v = new VictimState(r.victim, r, m);
      this.victims.set(r.victim, v);
    }
    v.add(r, m);
  }

  private test(v: VictimState, m: number, n: number, out: Finding[]): void {
    const counts = v.windowCounts(m, this.windows);
    for (let i = 0; i < this.windows.length; i++) {
      const w = this.windows[i]!;
      const k = counts[i]!;
      const crit = Math.max(this.critical(w, n), this.o.minTargets);
      if (k >= crit) {
        v.attack = {
          key: `backscatter:${v.victim}:${v.firstMs}`,
          detectedMs: v.lastMs,
          windowMin: w,
          k,
          mu: this.mu(w, n),
          lastEmitMs: v.lastMs,
          lastEmitPackets: v.packets,
          peakRatePps: 0,
          statistic: false,
        };
        out.push(this.finding(v, 'opened', n));
        return;
      }
    }
  }

  /** Hour end: the largest per-victim count among ordinary victims feeds R0 (per monitored address). */
  private closeHour(n: number): void {
    // Without monitored addresses (no blocks configured, or all sensors silent) there is no rate
    // per address to learn: the hour is skipped instead of recorded as if n were 1.
    if (n <= 0) return;
    let max = 0;
    for (const v of this.victims.values()) if (!v.attack) max = Math.max(max, v.recentCount());
    this.hourlyMaxPerAddress.push(max / n);
    this.r0 = null;
    if (this.hourlyMaxPerAddress.length > 24) this.hourlyMaxPerAddress.shift();
  }

  /** Replies per second seen, over the victim's time so far (at least a minute). */
  private observedPps(v: VictimState): number {
    return v.packets / Math.max(60, (v.lastMs - v.firstMs) / 1000);
  }

  /** Whether the estimated rate is known and below `minVictimRatePps`. */
  private below(v: VictimState, n: number): boolean {
    return n > 0 && (this.observedPps(v) * TWO_32) / n < this.o.minVictimRatePps;
  }

  /**
   * The episode's finding. An attack estimated below `minVictimRatePps` is a statistic; the first
   * finding at or above it opens the alert (phase `opened`), however long it has been listed.
   */
  private finding(v: VictimState, phase: Finding['phase'], n: number): Finding {
    const a = v.attack!;
    const observedPps = this.observedPps(v);
    const scale = n > 0 ? TWO_32 / n : null;
    const ratePps = scale === null ? null : observedPps * scale;
    const peakPps = scale === null ? null : (v.peakPerMin / 60) * scale;
    a.peakRatePps = Math.max(a.peakRatePps, peakPps ?? 0);
    a.lastEmitMs = v.lastMs;
    a.lastEmitPackets = v.packets;
    const below = this.below(v, n);
    if (phase === 'opened') a.statistic = below;
    else if (a.statistic && !below && phase === 'updated') {
      a.statistic = false;
      phase = 'opened';
    }
    const types = topEntries(v.kinds, 8);
    const type = types[0]?.[0] ?? 'unknown';
    const ports = topEntries(v.ports, 10);
    return {
      detector: 'backscatter',
      kind: 'backscatter',
      key: a.key,
      phase,
      ...(a.statistic ? { statistic: true } : {}),
      subject: { victim: v.victim, attack_type: type, ports: ports.map(([p]) => p) },
      startMs: v.firstMs,
      detectedMs: a.detectedMs,
      lastMs: v.lastMs,
      severity: severityOf(ratePps),
      title: `DDoS on ${v.victim} (${[
        type,
        ports
          .slice(0, 3)
          .map(([p]) => p)
          .join(' '),
      ]
        .filter((x) => x)
        .join(', ')}): ${rateWords(ratePps)}`,
      evidence: {
        victim: v.victim,
        attack_type: type,
        attack_types: Object.fromEntries(types),
        attacked_ports: ports.map(([port, packets]) => ({ port, packets })),
        start: iso(v.firstMs),
        end: phase === 'ended' ? iso(v.lastMs) : null,
        duration_s: Math.round((v.lastMs - v.firstMs) / 1000),
        // Distinct monitored addresses hit per minute, the last hour.
        series: v.series().map((x) => ({ minute: iso(x.minuteMs), addresses: x.addresses })),
        packets: v.packets,
        bytes: v.bytes,
        // Distinct over the whole episode (each address once), exact up to 64, estimated beyond.
        addresses_hit: v.hits.count(),
        addresses_hit_exact: v.hits.exact,
        blocks16_hit: v.blocks16.size,
        max_sensors_per_minute: v.maxSensors,
        quote_mismatches: v.quoteMismatches,
        observed_pps: sig(observedPps),
        peak_per_minute: v.peakPerMin,
        estimated_rate_pps: ratePps === null ? null : sig(ratePps),
        estimated_peak_pps: peakPps === null ? null : sig(a.peakRatePps),
        min_victim_rate_pps: this.o.minVictimRatePps,
        statistic: a.statistic,
        monitored_addresses: n,
        test: { window_min: a.windowMin, count: a.k, expected_background: sig(a.mu), alpha: this.o.alpha },
        background_pps: sig(this.backgroundPps()),
        detection_limit_pps: sig(this.detectionLimitPps(n)),
        note:
          (ratePps === null
            ? 'No monitored address block is known for the sensors reporting (register them, give them with --blocks, or import logs to learn them): the rate cannot be estimated. '
            : '') +
          'Rate = observed × 2^32 / monitored addresses, a lower bound (Moore et al. 2001 §3.3); ' +
          'attacks without uniformly random source spoofing leave no backscatter and are invisible here.',
      },
    };
  }

  stateSize(): number {
    return this.victims.size;
  }

  /** Ordinary victims forgotten early because the victim table was full. */
  droppedVictims = 0;
}

/** Severity by the estimated rate; an attack whose rate cannot be estimated is `low`. */
function severityOf(ratePps: number | null): Severity {
  const r = ratePps ?? 0;
  return r >= 1e6 ? 'critical' : r >= 1e5 ? 'high' : r >= 1e4 ? 'medium' : 'low';
}

/** The rate in a title: a lower bound to two significant digits, or why there is none. */
function rateWords(ratePps: number | null): string {
  if (ratePps === null) return 'rate unknown (no monitored address blocks known)';
  return `≥ ${ratePps.toLocaleString('en-US', { maximumSignificantDigits: 2 })} replies/s`;
}

/** A victim of a spoofed flood is inferred from the backscatter sensors receive. */
export const backscatter: DetectorDescriptor<'backscatter', BackscatterOptions> = {
  name: 'backscatter',
  optionsKey: 'backscatter',
  families: ['backscatter'],
  scoredKind: 'backscatter',
  matches: (s, e) => e.kind === 'backscatter' && s.victim === e.subject.victim,
  defaults: DEFAULT_BACKSCATTER,
  create: ({ options }) => new BackscatterDetector(options),
};
