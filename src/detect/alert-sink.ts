/**
 * Findings into operator alerts, one per episode, with their notifications queued in the background;
 * and what findings leave as data (a scan's scanner record, a DDoS victim below the alerting rate)
 * into its store.
 */
import type { AlertChange, AlertStore } from './alerts.js';
import { type BackscatterStatistics, victimStatistic } from './backscatter-statistics.js';
import { type Finding, iso } from './finding.js';
import type { Notifier } from './notify.js';
import type { ScannerStore } from './scanners.js';

export interface AlertSinkOptions {
  /** Notifications waiting at most (default 100; more are dropped and counted). */
  readonly maxQueued?: number;
  /** Where scan findings' scanner records go (none: not kept). */
  readonly scanners?: ScannerStore | undefined;
  /** Where DDoS victims below the alerting rate go (none: not kept). */
  readonly backscatter?: BackscatterStatistics | undefined;
}

/**
 * Turns findings into operator alerts: the episode's key is the alert's dedup key, so an episode is
 * one alert, opened once and updated while it grows. Updates of an alert an operator has already
 * closed are dropped (the operator decided); an update of an episode that has no alert yet (it began
 * while the detectors warmed up, or before a restart) opens one. New alerts and severity rises are
 * notified in the background, in order, at most `maxQueued` waiting (more are dropped and counted):
 * a slow webhook or mail server never holds detection up. A finding that does not deserve an alert
 * (`alert: false`, docs/methods.md#what-deserves-an-alert) raises nothing unless its episode already
 * has an open alert; its record is kept all the same.
 */
export class AlertSink {
  private readonly notified = new Map<number, number>();
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  /** Notifications dropped because too many were waiting. */
  droppedNotifications = 0;

  private readonly maxQueued: number;
  private readonly scanners: ScannerStore | undefined;
  private readonly backscatter: BackscatterStatistics | undefined;

  constructor(
    private readonly alerts: AlertStore,
    private readonly notifier?: Notifier,
    options: AlertSinkOptions = {},
  ) {
    this.maxQueued = options.maxQueued ?? 100;
    this.scanners = options.scanners;
    this.backscatter = options.backscatter;
  }

  /** Resolves when every queued notification has been attempted. */
  drain(): Promise<void> {
    return this.queue;
  }

  private enqueue(change: AlertChange): void {
    const notifier = this.notifier!;
    if (this.queued >= this.maxQueued) {
      this.droppedNotifications++;
      return;
    }
    this.queued++;
    this.queue = this.queue
      .then(() => notifier.notify(change))
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.queued--;
      });
  }

  readonly accept = async (f: Finding): Promise<AlertChange | null> => {
    if (f.record && this.scanners) await this.scanners.record(f.record);
    // A statistic is listed, never alerted (docs/methods.md#what-deserves-an-alert).
    if (f.statistic) {
      const v = victimStatistic(f);
      if (v && this.backscatter) await this.backscatter.record(v);
      return null;
    }
    // The episode grew past the rate: it is an alert now, no longer a statistic.
    if (f.kind === 'backscatter' && f.phase === 'opened' && this.backscatter)
      await this.backscatter.forget(f.key);
    if (f.alert === false && !(await this.alerts.active(f.key))) return null;
    if (f.phase !== 'opened' && !(await this.alerts.active(f.key))) {
      if (f.phase === 'ended' || (await this.alerts.known(f.key))) return null;
    }
    const change = await this.alerts.raise({
      kind: f.kind,
      dedupKey: f.key,
      severity: f.severity,
      title: f.title,
      atMs: f.phase === 'opened' ? f.detectedMs : f.lastMs,
      evidence: {
        detector: f.detector,
        subject: f.subject,
        episode_start: iso(f.startMs),
        detected: iso(f.detectedMs),
        detected_ms: f.detectedMs,
        last: iso(f.lastMs),
        phase: f.phase,
        ...f.evidence,
      },
    });
    if (this.notifier) {
      const rank = SEVERITY_RANK[change.alert.severity];
      const before = this.notified.get(change.alert.id);
      if (change.change === 'opened' || (before !== undefined && rank > before)) {
        this.notified.set(change.alert.id, rank);
        if (this.notified.size > 10_000) this.notified.delete(this.notified.keys().next().value!);
        this.enqueue(change);
      }
    }
    return change;
  };
}

const SEVERITY_RANK = { info: 0, low: 1, medium: 2, high: 3, critical: 4 } as const;
