/**
 * Which scans deserve an operator alert (docs/methods.md#what-deserves-an-alert). A darknet sees
 * thousands of scanners a day: every scan episode is kept as data (the scanner list,
 * scanners.ts), and an alert is raised only for what an analyst acts on —
 *
 * - a **large new campaign**: an episode reaching a share of the monitored addresses or many ports
 *   (core's `isLargeScan`, the definition the simulator's truth uses too) and `backgroundFactor`
 *   times the reach the background's own scanners have (learnt: scan-background.ts), from a
 *   source that ran no large campaign in the last `newAfterDays`;
 * - a scan of the **domestic space** or of **critical infrastructure**: targets inside the blocks
 *   the operator registers (`scans.domesticBlocks`, `scans.criticalBlocks` in koban.json);
 * - **rapid growth**: an episode whose reach in its latest hour is `growthFactor` times the hour
 *   before's and at least half a large campaign's.
 *
 * Sources on the operator's known-scanner list (research projects, search engines) are tagged and
 * never alerted on: they scan everything, all the time. The rules are sticky: once an episode
 * deserves an alert it keeps it (its alert is updated as it goes on).
 */
import { DAY_MS, HOUR_MS, LARGE_SCAN, type LargeScanDefinition, largeScanTargets } from '../core/index.js';
import { type NamedBlock, NamedBlocks } from './named-blocks.js';
import { BackgroundReach, type BackgroundReachOptions, DEFAULT_BACKGROUND_REACH } from './scan-background.js';

export const ALERT_RULES = [
  'critical-infrastructure',
  'domestic-space',
  'large-campaign',
  'rapid-growth',
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

export interface ScanPolicyOptions {
  readonly large: LargeScanDefinition;
  /** A source's large campaign is new when it ran none in this many days before. */
  readonly newAfterDays: number;
  /**
   * A large campaign by reach also reaches this many times what the background's scanners reach
   * in as long (their learnt rate × the episode's hours, scan-background.ts).
   */
  readonly backgroundFactor: number;
  readonly background: BackgroundReachOptions;
  /** Rapid growth: the latest hour's new targets over the hour before's. */
  readonly growthFactor: number;
  /** The domestic networks under watch (CIDR blocks). */
  readonly domesticBlocks: readonly string[];
  /** Registered critical-infrastructure blocks, with their names. */
  readonly criticalBlocks: readonly NamedBlock[];
  /** Known scanners (research projects, search engines): tagged, never alerted on. */
  readonly knownScanners: readonly NamedBlock[];
}

export const DEFAULT_SCAN_POLICY: ScanPolicyOptions = {
  large: LARGE_SCAN,
  newAfterDays: 7,
  backgroundFactor: 3,
  background: DEFAULT_BACKGROUND_REACH,
  growthFactor: 4,
  domesticBlocks: [],
  criticalBlocks: [],
  knownScanners: [],
};

/** What the policy keeps on one scan episode. */
export interface PolicyState {
  readonly tags: readonly string[];
  /** Event minute the episode started. */
  readonly startMs: number;
  /** Distinct targets inside the domestic blocks, and per critical block. */
  inDomestic: number;
  readonly inCritical: Map<string, number>;
  /** The rules the episode met, each with its reason as text (sticky). */
  readonly rules: Map<AlertRule, string>;
  /** Event minute at which the rules first held (null: not yet). */
  alertMs: number | null;
  /** Hourly marks of the episode's breadth (addresses or ports), for the growth rule. */
  markMs: number;
  markBreadth: number;
  lastGain: number | null;
  prevGain: number | null;
}

/** Large-campaign sources remembered at most (oldest forgotten first). */
const MAX_REMEMBERED = 100_000;

export class ScanAlertPolicy {
  readonly o: ScanPolicyOptions;
  private readonly known: NamedBlocks;
  private readonly domestic: NamedBlocks;
  private readonly critical: NamedBlocks;
  /** Source → event time of its latest large campaign (insertion order = recency). */
  private readonly lastLarge = new Map<string, number>();
  /** How far the background's scanners reach (scan-background.ts). */
  private readonly background: BackgroundReach;

  constructor(options: Partial<ScanPolicyOptions> = {}) {
    this.o = { ...DEFAULT_SCAN_POLICY, ...options };
    this.background = new BackgroundReach(this.o.background);
    this.known = new NamedBlocks(this.o.knownScanners);
    this.domestic = new NamedBlocks(this.o.domesticBlocks.map((cidr) => ({ cidr, name: 'domestic' })));
    this.critical = new NamedBlocks(this.o.criticalBlocks);
  }

  /** Records that event minute `m` was watched (the background's reach is learnt from the first). */
  watch(m: number): void {
    this.background.watch(m);
  }

  /** A new episode's state: the source's known-scanner tags. */
  start(src: string, m: number, breadth: number): PolicyState {
    return {
      tags: this.known.namesOf(src),
      startMs: m,
      inDomestic: 0,
      inCritical: new Map(),
      rules: new Map(),
      alertMs: null,
      markMs: m,
      markBreadth: breadth,
      lastGain: null,
      prevGain: null,
    };
  }

  /** Counts a new distinct target of the episode against the registered blocks. */
  noteTarget(p: PolicyState, dst: string): void {
    if (this.domestic.size > 0 && this.domestic.namesOf(dst).length > 0) p.inDomestic++;
    if (this.critical.size > 0)
      for (const name of this.critical.namesOf(dst))
        p.inCritical.set(name, (p.inCritical.get(name) ?? 0) + 1);
  }

  /**
   * Tests the rules at event minute `m` for an episode of `src` that has reached `targets` monitored
   * addresses and `ports` distinct ports, with `monitored` addresses watched; true when the episode
   * deserves an alert now and did not before.
   */
  judge(
    src: string,
    p: PolicyState,
    reach: { targets: number; ports: number },
    monitored: number,
    m: number,
  ): boolean {
    const breadth = Math.max(reach.targets, reach.ports);
    if (m - p.markMs >= HOUR_MS) {
      p.prevGain = p.lastGain;
      p.lastGain = breadth - p.markBreadth;
      p.markBreadth = breadth;
      p.markMs = m;
    }
    const large = this.largeReason(src, p, reach, monitored, m);
    if (large !== null && !p.rules.has('large-campaign')) p.rules.set('large-campaign', large);
    if (p.inCritical.size > 0) {
      const hit = [...p.inCritical].map(([name, n]) => `${n} in ${name}`).join(', ');
      p.rules.set('critical-infrastructure', `critical infrastructure: ${hit}`);
    }
    if (p.inDomestic > 0)
      p.rules.set(
        'domestic-space',
        `domestic space: ${p.inDomestic} addresses in the registered domestic blocks`,
      );
    const growthMin = Math.ceil(largeScanTargets(monitored, this.o.large) / 2);
    if (
      !p.rules.has('rapid-growth') &&
      p.prevGain !== null &&
      p.lastGain !== null &&
      p.lastGain >= growthMin &&
      p.lastGain >= this.o.growthFactor * p.prevGain
    ) {
      p.rules.set(
        'rapid-growth',
        `rapid growth: ${p.lastGain} new targets in the last hour after ${p.prevGain} in the hour before`,
      );
    }
    // An episode that met no rule, from a source not on the known-scanner list, is the background.
    if (p.rules.size === 0 && p.tags.length === 0) this.background.note(p.startMs, m, reach);
    if (p.rules.size > 0 && p.tags.length === 0 && p.alertMs === null) {
      p.alertMs = m;
      return true;
    }
    return false;
  }

  /** Whether the episode deserves an alert (it met a rule, and its source is no known scanner). */
  deserves(p: PolicyState): boolean {
    return p.alertMs !== null;
  }

  private largeReason(
    src: string,
    p: PolicyState,
    reach: { targets: number; ports: number },
    monitored: number,
    m: number,
  ): string | null {
    const need = this.largeTargets(monitored, m, m - p.startMs);
    // Before the background is known (scan-background.ts: the first day learns it) only a campaign
    // that got there within its first hour: a busy background host needs many hours to reach that
    // far, and a capture imported on its own (minutes of a sweep) must still be judged.
    const known = this.background.known(m) || m - p.startMs <= HOUR_MS;
    const byTargets = known && reach.targets >= need;
    const needPorts = Math.max(
      this.o.large.ports,
      this.background.reach(m, m - p.startMs, this.o.backgroundFactor, 'ports'),
    );
    if (!byTargets && !(known && reach.ports >= needPorts)) return null;
    const last = this.lastLarge.get(src);
    const fresh = last === undefined || m - last > this.o.newAfterDays * DAY_MS;
    // Remembered as of now, so a campaign that goes on stays "not new" for its next episode.
    this.lastLarge.delete(src);
    this.lastLarge.set(src, last !== undefined && !fresh ? Math.max(last, m) : m);
    if (this.lastLarge.size > MAX_REMEMBERED) this.lastLarge.delete(this.lastLarge.keys().next().value!);
    if (!fresh) return null;
    return byTargets
      ? `large new campaign: ${reach.targets} of ${monitored} monitored addresses (threshold ${need}${this.aboveBackground(m)})`
      : `large new campaign: ${reach.ports} ports (threshold ${needPorts})`;
  }

  /**
   * Addresses a large campaign `durationMs` long so far, reaches at event minute `m`:
   * max(64, 10 % of the monitored), and `backgroundFactor` times what the background's scanners
   * reach in as long.
   */
  largeTargets(monitored: number, m: number, durationMs: number): number {
    return Math.max(
      largeScanTargets(monitored, this.o.large),
      this.background.reach(m, durationMs, this.o.backgroundFactor),
    );
  }

  private aboveBackground(m: number): string {
    const level = this.background.level(m);
    return level === 0 ? '' : `; the background's scanners reach ${Math.round(level)} an hour`;
  }
}
