/**
 * Scans: one source probing many of our addresses on one port (horizontal) or many ports of one
 * address (vertical).
 *
 * Threshold Random Walk (Jung, Paxson, Berger and Balakrishnan, "Fast Portscan Detection Using
 * Sequential Hypothesis Testing", IEEE S&P 2004) multiplies a likelihood ratio by (1 − θ1)/(1 − θ0)
 * = 4 for every failed first contact (θ0 = 0.8, θ1 = 0.2) and calls a scanner at P_D/P_F = 99, i.e.
 * after 4 failures. Our sensors never answer — darknets have no hosts and the firewalls log
 * unsolicited accesses they drop (docs/background.md#observation) — so every first contact fails
 * and TRW degenerates to "4 distinct addresses", which worm-infected neighbours and ordinary sweeps
 * pass every hour (docs/methods.md#scans). The equivalent rule used here keeps TRW's statistic —
 * distinct first contacts per source — but tests it in sliding windows against thresholds scaled to
 * the monitored address count n: a source that reaches `shareOfMonitored[w] × n` distinct addresses
 * on one port within w minutes (never fewer than `minTargets`) is a horizontal scanner; one that
 * reaches `verticalPorts[w]` distinct ports on one address is a vertical scanner.
 *
 * Probes are TCP SYNs, ICMP echo requests and empty UDP datagrams. A UDP datagram that carries an
 * application payload is a delivery — Messenger spam on 1026–1027/UDP
 * (docs/background.md#observation), a single-datagram worm such as Slammer — not reconnaissance;
 * the port-surge and worm detectors watch those, and spam senders sweeping a block are not
 * reported as scanners.
 *
 * One finding per source episode (it ends after `endAfterMin` covered minutes without a probe from
 * it); it reports the ports, targets, rate, sensors, and whether the source probes neighbouring
 * address space (targets in its own /16 or /8 — the worm habit of docs/background.md#observation).
 * Every episode is kept as data (the scanner list, scanners.ts); it becomes an operator alert only
 * when the alert policy says an analyst would act on it (scan-policy.ts,
 * docs/methods.md#what-deserves-an-alert): a large new campaign, targets in the registered domestic
 * or critical-infrastructure blocks, rapid growth — never for a source on the known-scanner list.
 *
 * State: per source touched in the last one or two `maxWindow`s its contacts per port and per
 * address (a single contact is held without a map; contacts older than the window are pruned when
 * tested or revived), and per scanning source its episode.
 */
import { PROTOCOL_NUMBERS, type Protocol, protocolFromNumber } from '../core/index.js';
import type { ProbeRow } from '../observe/index.js';
import type { CoverageSnapshot } from './coverage.js';
import { type DetectorDescriptor, listOf } from './descriptor.js';
import { bump, type Detector, type Finding, MINUTE_MS, type MinuteRows } from './finding.js';
import { breadth, type Episode, scanFinding } from './scan-finding.js';
import { ScanAlertPolicy, type ScanPolicyOptions } from './scan-policy.js';

export interface ScanOptions {
  /** Horizontal: windows (minutes) and the share of monitored addresses to reach in each. */
  readonly shareOfMonitored: Readonly<Record<number, number>>;
  /**
   * Fewest distinct addresses for a horizontal scan, whatever the fleet's size. On a small fleet
   * (the 12-sensor demo, ≈ 900 addresses) the shares above ask for fewer than 20, and the
   * simulated background's worm-infected hosts, which sweep 20–40 addresses of their neighbourhood
   * every few hours, then filled the alert list: 32 keeps them below it.
   */
  readonly minTargets: number;
  /** Vertical: windows (minutes) and the distinct ports to reach on one address in each. */
  readonly verticalPorts: Readonly<Record<number, number>>;
  readonly endAfterMin: number;
  /** Targets and ports kept per episode for the evidence. */
  readonly evidenceCap: number;
  /**
   * Sources tracked in the current generation at most: under a flood of spoofed sources the
   * generation is turned over early (the oldest contacts are forgotten) instead of growing without
   * bound. Each source costs ≈ 250 bytes.
   */
  readonly maxSources: number;
  /** Which episodes deserve an operator alert (scan-policy.ts); the others are data only. */
  readonly policy: Partial<ScanPolicyOptions>;
}

export const DEFAULT_SCAN: ScanOptions = {
  shareOfMonitored: { 10: 0.009, 60: 0.011, 360: 0.02 },
  minTargets: 32,
  verticalPorts: { 60: 5, 360: 7 },
  endAfterMin: 60,
  evidenceCap: 20_000,
  maxSources: 500_000,
  policy: {},
};

/** Contacts of one key (a destination or a port → last minute); one contact needs no map. */
interface Contacts<K> {
  first: K;
  firstMin: number;
  more: Map<K, number> | null;
  /** Minute at which it was last tested (one test per minute). */
  tested: number;
}

function contacts<K>(k: K, m: number): Contacts<K> {
  return { first: k, firstMin: m, more: null, tested: -1 };
}

function touch<K>(c: Contacts<K>, k: K, m: number): void {
  if (c.more) c.more.set(k, m);
  else if (c.first === k) c.firstMin = m;
  else
    c.more = new Map([
      [c.first, c.firstMin],
      [k, m],
    ]);
}

function countSince<K>(c: Contacts<K>, since: number): number {
  if (!c.more) return c.firstMin >= since ? 1 : 0;
  let n = 0;
  for (const m of c.more.values()) if (m >= since) n++;
  return n;
}

function prune<K>(c: Contacts<K>, since: number): void {
  if (!c.more) return;
  for (const [k, m] of c.more) if (m < since) c.more.delete(k);
}

/** One source's recent contacts: per port the addresses, per address the ports. */
interface SourceState {
  readonly src: string;
  /** Most sources touch one address on one port: that contact is held alone, maps come later. */
  one: { dst: string; pk: number; min: number } | null;
  ports: Map<number, Contacts<string>> | null;
  dsts: Map<string, Contacts<number>> | null;
}

/** (protocol, port) as one number, cheaper to hash than a string on every probe. */
function portNumber(proto: string, port: number | null): number {
  return (PROTOCOL_NUMBERS[proto as Exclude<Protocol, 'other'>] ?? 255) * 65537 + (port ?? -1) + 1;
}

/**
 * Scanning sources followed at once at most (each holds up to `evidenceCap` targets): thousands of
 * forged scanners must not exhaust memory. Beyond it new scanners are not reported until some end.
 */
const MAX_EPISODES = 5_000;

/** Earliest minute among `[key, minute]` contacts (a loop: a spread would overflow the stack). */
function earliest<K>(contacts: readonly (readonly [K, number])[]): number {
  let min = Number.POSITIVE_INFINITY;
  for (const [, t] of contacts) if (t < min) min = t;
  return min;
}

function portLabel(n: number): string {
  const p = Math.floor(n / 65537);
  const port = (n % 65537) - 1;
  return `${port < 0 ? '-' : port}/${protocolFromNumber(p)}`;
}

const prefix = (a: string, octets: number): string => a.split('.', octets).join('.');

export class ScanDetector implements Detector {
  readonly name = 'scan' as const;
  private readonly o: ScanOptions;
  /**
   * Sources in two generations: touched ones live in `current`; every `maxWindow` minutes it
   * becomes `previous` and the old previous — sources silent for a whole window or more — is
   * dropped, so expiry costs nothing per minute.
   */
  private current = new Map<string, SourceState>();
  private previous = new Map<string, SourceState>();
  private rotatedMs = -1;
  private readonly episodes = new Map<string, Episode>();
  /** Generations turned over early because `maxSources` was reached (a flood of sources). */
  earlyTurnovers = 0;
  private readonly maxWindow: number;
  private readonly minVertical: number;
  /** The windows (minutes) of each test, read once: every tested contact walks them. */
  private readonly horizontalWindows: readonly number[];
  private readonly verticalWindows: readonly (readonly [number, number])[];
  private readonly policy: ScanAlertPolicy;
  /** Monitored addresses at the latest minute (the large-campaign threshold scales with it). */
  private monitored = 0;

  constructor(options: Partial<ScanOptions> = {}) {
    this.o = { ...DEFAULT_SCAN, ...options };
    this.policy = new ScanAlertPolicy(this.o.policy);
    this.minVertical = Math.min(...Object.values(this.o.verticalPorts));
    this.horizontalWindows = Object.keys(this.o.shareOfMonitored).map(Number);
    this.verticalWindows = Object.entries(this.o.verticalPorts).map(([w, t]) => [Number(w), t] as const);
    this.maxWindow = Math.max(
      ...Object.keys(this.o.shareOfMonitored).map(Number),
      ...Object.keys(this.o.verticalPorts).map(Number),
    );
  }

  /** Distinct addresses a horizontal scan must reach in `windowMin` with `n` monitored addresses. */
  horizontalThreshold(windowMin: number, n: number): number {
    return Math.max(this.o.minTargets, Math.ceil((this.o.shareOfMonitored[windowMin] ?? 1) * n));
  }

  private source(src: string, m: number): SourceState {
    let s = this.current.get(src);
    if (s) return s;
    s = this.previous.get(src);
    if (s) {
      this.previous.delete(src);
      const since = m - this.maxWindow * MINUTE_MS;
      for (const c of s.ports?.values() ?? []) if (c.more) prune(c, since);
      for (const c of s.dsts?.values() ?? []) if (c.more) prune(c, since);
    } else s = { src, one: null, ports: null, dsts: null };
    if (this.current.size >= this.o.maxSources) {
      this.previous = this.current;
      this.current = new Map();
      this.rotatedMs = m;
      this.earlyTurnovers++;
    }
    this.current.set(src, s);
    return s;
  }

  step(rows: MinuteRows, cov: CoverageSnapshot): Finding[] {
    const m = rows.minuteMs;
    if (this.rotatedMs < 0) this.rotatedMs = m;
    if (m - this.rotatedMs >= this.maxWindow * MINUTE_MS) {
      this.previous = this.current;
      this.current = new Map();
      this.rotatedMs = m;
    }
    const out: Finding[] = [];
    const n = cov.monitoredAddresses;
    this.monitored = n;
    if (cov.knownSensors > 0) this.policy.watch(m);
    const horizontal: [SourceState, number, Contacts<string>][] = [];
    const vertical: [SourceState, string, Contacts<number>][] = [];
    for (const r of rows.probes) {
      if (r.udpPayload) continue;
      // A source already reported only extends its episode: its contacts are not kept any more (a
      // sweep of a /8 would otherwise hold millions of them).
      const e = this.episodes.get(r.src);
      if (e) {
        this.extend(e, r, m);
        continue;
      }
      const st = this.source(r.src, m);
      const pk = portNumber(r.proto, r.port);
      if (!st.ports) {
        const one = st.one;
        if (!one) {
          st.one = { dst: r.dst, pk, min: m };
          continue;
        }
        if (one.dst === r.dst && one.pk === pk) {
          one.min = m;
          continue;
        }
        st.ports = new Map([[one.pk, contacts(one.dst, one.min)]]);
        st.dsts = new Map([[one.dst, contacts(one.pk, one.min)]]);
        st.one = null;
      }
      const h = st.ports.get(pk);
      if (!h) st.ports.set(pk, contacts(r.dst, m));
      else {
        touch(h, r.dst, m);
        if (h.more && h.tested !== m) {
          h.tested = m;
          horizontal.push([st, pk, h]);
        }
      }
      const v = st.dsts!.get(r.dst);
      if (!v) st.dsts!.set(r.dst, contacts(pk, m));
      else {
        touch(v, pk, m);
        if (v.more && v.tested !== m) {
          v.tested = m;
          vertical.push([st, r.dst, v]);
        }
      }
    }
    const opened: Episode[] = [];
    for (const [st, pk, c] of horizontal) this.testHorizontal(st, pk, c, m, n, opened);
    for (const [st, dst, c] of vertical) this.testVertical(st, dst, c, m, opened);
    if (opened.length > 0) {
      const srcs = new Set(opened.map((e) => e.src));
      for (const r of rows.probes)
        if (!r.udpPayload && srcs.has(r.src)) this.extend(this.episodes.get(r.src)!, r, m);
      for (const e of opened) {
        e.policy.markBreadth = breadth(e);
        this.judge(e, m);
        out.push(this.finding(e, 'opened'));
      }
    }
    this.sweep(m, cov, out);
    return out;
  }

  /** Updates the episodes active in minute `m` (every 10 minutes) and ends those idle long enough. */
  private sweep(m: number, cov: CoverageSnapshot, out: Finding[]): void {
    for (const [src, e] of this.episodes) {
      if (e.lastMs >= m) {
        e.idleCovered = 0;
        // An episode that comes to deserve an alert says so at once, not at its next update.
        const newly = this.judge(e, m);
        if (newly || e.lastMs - e.lastEmitMs >= 10 * MINUTE_MS) out.push(this.finding(e, 'updated'));
        continue;
      }
      e.idleCovered += cov.fraction('probes');
      if (e.idleCovered >= this.o.endAfterMin) {
        out.push(this.finding(e, 'ended'));
        this.episodes.delete(src);
        // A later scan by the source starts from nothing, not from the contacts before this one.
        this.current.delete(src);
        this.previous.delete(src);
      }
    }
  }

  private testHorizontal(
    st: SourceState,
    pk: number,
    c: Contacts<string>,
    m: number,
    n: number,
    opened: Episode[],
  ): void {
    if (this.episodes.has(st.src) || this.episodes.size >= MAX_EPISODES) return;
    if (c.more!.size >= this.horizontalThreshold(this.maxWindow, 0)) prune(c, m - this.maxWindow * MINUTE_MS);
    for (const w of this.horizontalWindows) {
      const threshold = this.horizontalThreshold(w, n);
      if (c.more!.size < threshold) continue;
      const since = m - (w - 1) * MINUTE_MS;
      const count = countSince(c, since);
      if (count >= threshold) {
        const dsts = [...c.more!.entries()].filter(([, t]) => t >= since);
        const startMs = earliest(dsts);
        const e = this.open(st.src, startMs, m, { type: 'horizontal', window_min: w, count, threshold });
        opened.push(e);
        for (const [d] of dsts) this.addTarget(e, d);
        e.ports.set(portLabel(pk), count);
        return;
      }
    }
  }

  private testVertical(
    st: SourceState,
    dst: string,
    c: Contacts<number>,
    m: number,
    opened: Episode[],
  ): void {
    if (this.episodes.has(st.src) || this.episodes.size >= MAX_EPISODES) return;
    for (const [w, threshold] of this.verticalWindows) {
      if (c.more!.size < threshold) continue;
      const since = m - (w - 1) * MINUTE_MS;
      const count = countSince(c, since);
      if (count >= threshold) {
        const ports = [...c.more!.entries()].filter(([, t]) => t >= since);
        const startMs = earliest(ports);
        const e = this.open(st.src, startMs, m, { type: 'vertical', window_min: w, count, threshold });
        opened.push(e);
        for (const [p] of ports) bump(e.ports, portLabel(p), 1, this.o.evidenceCap);
        this.addTarget(e, dst);
        return;
      }
    }
  }

  private open(src: string, startMs: number, m: number, trigger: Episode['trigger']): Episode {
    const e: Episode = {
      key: `scan:${src}:${m + MINUTE_MS}`,
      src,
      startMs,
      detectedMs: m + MINUTE_MS,
      lastMs: m,
      idleCovered: 0,
      packets: 0,
      types: new Set([trigger.type]),
      ports: new Map(),
      targets: new Set(),
      sensors: new Map(),
      same16: 0,
      same8: 0,
      country: null,
      asn: null,
      lastEmitMs: m,
      trigger,
      policy: this.policy.start(src, m, 0),
    };
    this.episodes.set(src, e);
    return e;
  }

  /** Tests the alert policy on the episode at minute `m`; true when it deserves an alert from now. */
  private judge(e: Episode, m: number): boolean {
    return this.policy.judge(
      e.src,
      e.policy,
      { targets: e.targets.size, ports: e.ports.size },
      this.monitored,
      m,
    );
  }

  private addTarget(e: Episode, dst: string): void {
    if (e.targets.has(dst) || e.targets.size >= this.o.evidenceCap) return;
    e.targets.add(dst);
    this.policy.noteTarget(e.policy, dst);
    if (prefix(dst, 2) === prefix(e.src, 2)) e.same16++;
    if (prefix(dst, 1) === prefix(e.src, 1)) e.same8++;
  }

  private extend(e: Episode, r: ProbeRow, m: number): void {
    e.lastMs = m;
    e.packets += r.packets;
    e.country = r.country;
    e.asn = r.asn;
    this.addTarget(e, r.dst);
    bump(e.ports, `${r.port ?? '-'}/${r.proto}`, r.packets, this.o.evidenceCap);
    bump(e.sensors, r.sensor, r.packets, 1000);
    // The episode's own evidence says what else it became: many addresses (horizontal), or many
    // ports on few addresses (vertical).
    if (e.targets.size >= this.o.minTargets) e.types.add('horizontal');
    if (e.ports.size >= this.minVertical && e.ports.size >= 2 * e.targets.size) e.types.add('vertical');
  }

  private finding(e: Episode, phase: Finding['phase']): Finding {
    e.lastEmitMs = e.lastMs;
    return scanFinding(e, phase, this.policy.deserves(e.policy));
  }

  stateSize(): number {
    let n = this.episodes.size;
    for (const g of [this.current, this.previous]) {
      for (const s of g.values()) n += s.ports ? s.ports.size + s.dsts!.size : 1;
    }
    return n;
  }
}

/** A scan is one source's; a bot spreading or a spam sender, as the truth lists them, explains it. */
export const scan: DetectorDescriptor<'scan', ScanOptions> = {
  name: 'scan',
  optionsKey: 'scan',
  families: ['probes'],
  scoredKind: 'scan',
  matches(s, e) {
    if (e.kind === 'scan') return s.source === e.subject.source;
    if (e.kind === 'botnet-infection' || e.kind === 'messenger-spam')
      return listOf(e.subject.sources).includes(s.source);
    return false;
  },
  defaults: DEFAULT_SCAN,
  create: ({ options }) => new ScanDetector(options),
};
