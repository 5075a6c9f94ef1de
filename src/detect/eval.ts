/**
 * Scoring detector alerts against a simulated set's ground truth (truth.json, src/sim/truth.ts).
 * The truth is passed in as plain data (the CLI reads it), so this context does not depend on the
 * simulator.
 *
 * Matching rule:
 * - An alert matches an episode when the episode is of the kind its detector is scored against
 *   (each detector's descriptor, `scoredKind`: port-surge → `port-surge`, backscatter →
 *   `backscatter`, scan → `scan`, worm → `worm-outbreak`, sensor-health → `sensor-outage`,
 *   inbound-flood → `inbound-flood`), their subjects match (the descriptor's `matches`: port surge —
 *   same protocol and port; backscatter — the victim address; scan — the source address; worm — the
 *   episode's payload fingerprint or IDS signature id is among the alert's families; sensor health —
 *   the sensor, silent or collapsing; inbound flood — the victim address and the attack),
 *   and the alert's detection time (the event time at which the detector's condition first held)
 *   falls within [episode start − 10 min, episode end + 1 h].
 * - An episode with at least one matching alert is a true positive, once; further alerts that match
 *   an already-matched episode are counted as `duplicates` (a fragmented episode: reported, not
 *   counted as false, not counted again as true).
 * - An alert that matches no episode of its detector's kind but matches, by the same time rule, an
 *   episode of another kind that truly causes what it reports is `explained`, neither true nor
 *   false: a surge on 1026–1027/UDP during Messenger spam, on a botnet's infection ports during the
 *   botnet's spread, or on a worm outbreak's port; a scan by a source the truth lists as a bot or
 *   spam sender; a worm alert on a Messenger-spam payload.
 * - Episodes the truth marks `alert: false` (docs/methods.md#what-deserves-an-alert) are not
 *   positives: no alert for one is right. An alert for a backscatter victim replying below the
 *   alerting rate is `explained` (the detector's rate estimate near the threshold is noisy); an
 *   alert for a scan smaller than a large campaign is a false positive (a scan's size is counted
 *   exactly, so the policy has no excuse).
 * - Any other alert is a false positive; an episode without a matching alert a false negative.
 * - Precision = tp / (tp + fp), recall = tp / (tp + fn); detection delay = detection time of the
 *   earliest matching alert − episode start, in simulated seconds (median over true positives).
 * Sensor health: a volume jump at a sensor an episode was sending traffic to is explained. Without
 * any sensor-outage episode in the truth, its recall is null.
 */
import type { OperatorAlert } from './alerts.js';
import type { AlertSubject } from './descriptor.js';
import { DETECTOR_NAMES, DETECTORS, type DetectorName, descriptorOf } from './detectors.js';
import { HOUR_MS, MINUTE_MS } from './finding.js';
import { median } from './stats.js';

export interface TruthEpisodeLike {
  readonly id: string;
  readonly kind: string;
  readonly start: string;
  readonly end: string;
  readonly strength: number;
  readonly magnitude: number;
  readonly subject: Readonly<Record<string, unknown>>;
  /** Whether it deserves an alert (docs/methods.md#what-deserves-an-alert); absent: it does. */
  readonly alert?: boolean | undefined;
  readonly observed: {
    readonly events: number;
    readonly alerts: number;
    readonly sources: number;
    readonly sensors?: readonly string[];
  };
}

export interface TruthLike {
  readonly episodes: readonly TruthEpisodeLike[];
}

export interface DetectorScore {
  readonly name: DetectorName;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly precision: number | null;
  readonly recall: number | null;
  readonly median_delay_s: number | null;
  readonly episodes: number;
  readonly alerts: number;
  readonly duplicates: number;
  readonly explained: number;
  readonly delays_s: readonly number[];
  readonly missed: readonly { id: string; strength: number; magnitude: number; observed_events: number }[];
  readonly false_positives: readonly { id: number; title: string; detected: string }[];
}

/** The truth kind each detector is scored against (its descriptor's `scoredKind`). */
export const SCORED_KIND = Object.fromEntries(DETECTORS.map((d) => [d.name, d.scoredKind])) as Readonly<
  Record<DetectorName, string | null>
>;

const BEFORE_MS = 10 * MINUTE_MS;
const AFTER_MS = HOUR_MS;

type Subject = AlertSubject;

/** Does an alert of `detector` with `subject` report what episode `e` is about (its descriptor's rule)? */
export function subjectMatches(detector: DetectorName, s: Subject, e: TruthEpisodeLike): boolean {
  return descriptorOf(detector).matches(s, e);
}

function inWindow(detectedMs: number, e: TruthEpisodeLike): boolean {
  return detectedMs >= Date.parse(e.start) - BEFORE_MS && detectedMs <= Date.parse(e.end) + AFTER_MS;
}

const detectorOf = (a: OperatorAlert): DetectorName | null => {
  const d = a.evidence.detector;
  return typeof d === 'string' && (DETECTOR_NAMES as readonly string[]).includes(d)
    ? (d as DetectorName)
    : null;
};

const detectedOf = (a: OperatorAlert): number => {
  const d = a.evidence.detected_ms;
  return typeof d === 'number' ? d : a.firstMs;
};

/** Scores every detector's alerts against the truth (see the matching rule above). */
export function scoreAlerts(alerts: readonly OperatorAlert[], truth: TruthLike): DetectorScore[] {
  const out: DetectorScore[] = [];
  for (const { name, scoredKind: kind } of DETECTORS) {
    const mine = alerts.filter((a) => detectorOf(a) === name).sort((a, b) => detectedOf(a) - detectedOf(b));
    const ofKind = kind === null ? [] : truth.episodes.filter((e) => e.kind === kind);
    const episodes = ofKind.filter((e) => e.alert !== false);
    // Only a rate estimate is noisy enough to excuse an alert near its threshold (see above).
    const statistics = ofKind.filter((e) => e.alert === false && e.kind === 'backscatter');
    const firstMatch = new Map<string, number>();
    let duplicates = 0;
    let explained = 0;
    const fps: OperatorAlert[] = [];
    for (const a of mine) {
      const s = (a.evidence.subject ?? {}) as Subject;
      const t = detectedOf(a);
      const hits = episodes.filter((e) => subjectMatches(name, s, e) && inWindow(t, e));
      if (hits.length > 0) {
        let fresh = false;
        for (const e of hits) {
          if (!firstMatch.has(e.id)) {
            firstMatch.set(e.id, t);
            fresh = true;
          }
        }
        if (!fresh) duplicates++;
        continue;
      }
      const other =
        statistics.some((e) => subjectMatches(name, s, e) && inWindow(t, e)) ||
        truth.episodes.some((e) => e.kind !== kind && subjectMatches(name, s, e) && inWindow(t, e));
      if (other) explained++;
      else fps.push(a);
    }
    const tp = firstMatch.size;
    const fp = fps.length;
    const fn = episodes.length - tp;
    const delays = episodes
      .filter((e) => firstMatch.has(e.id))
      .map((e) => Math.round((firstMatch.get(e.id)! - Date.parse(e.start)) / 1000));
    out.push({
      name,
      tp,
      fp,
      fn,
      precision: kind === null ? null : tp + fp > 0 ? tp / (tp + fp) : null,
      recall: kind === null ? null : episodes.length > 0 ? tp / episodes.length : null,
      median_delay_s: delays.length > 0 ? median(delays) : null,
      episodes: episodes.length,
      alerts: mine.length,
      duplicates,
      explained,
      delays_s: delays,
      missed: episodes
        .filter((e) => !firstMatch.has(e.id))
        .map((e) => ({
          id: e.id,
          strength: e.strength,
          magnitude: e.magnitude,
          observed_events: e.observed.events,
        })),
      false_positives: fps
        .slice(0, 50)
        .map((a) => ({ id: a.id, title: a.title, detected: new Date(detectedOf(a)).toISOString() })),
    });
  }
  return out;
}
