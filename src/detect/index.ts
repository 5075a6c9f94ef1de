/**
 * Detection: the operator alert model (one alert per episode, deduplicated, with an
 * open → acknowledged → closed lifecycle) and the checks that raise alerts. Sensor health reads
 * the sensor registry (delivery silence) and the event volume; the traffic detectors — port
 * surges, backscatter DDoS inference, scans, worm outbreaks, sensor health — read the event store's
 * minute-level aggregates (`DetectionSource`), over history (`runHistory`) or live
 * (`startLiveDetection`), with every rate divided by the coverage of the moment. Each detector
 * registers through a descriptor (`DetectorDescriptor`) listed once in `DETECTORS`, from which
 * `DETECTOR_NAMES`, the per-detector options of `DetectorsOptions`, the row families a run reads and
 * the scoring derive. Findings become alerts through `AlertSink`, notified by webhook and e-mail
 * (`createNotifier`); `scoreAlerts` measures them against a simulated set's ground truth. The
 * methods: docs/methods.md.
 */

export { AlertSink } from './alert-sink.js';
export {
  ALERT_STATUSES,
  type AlertChange,
  type AlertStatus,
  AlertStore,
  episodeState,
  type OperatorAlert,
  type RaiseAlert,
  SEVERITIES,
  type Severity,
} from './alerts.js';
export {
  attackTypeOf,
  BackscatterDetector,
  type BackscatterOptions,
  DEFAULT_BACKSCATTER,
} from './backscatter.js';
export {
  addressCounts,
  Coverage,
  type CoverageFamily,
  type CoverageOptions,
  type CoverageSnapshot,
  type StreamStatus,
} from './coverage.js';
export type { AlertSubject, DetectorContext, DetectorDescriptor } from './descriptor.js';
export {
  DETECTOR_NAMES,
  DETECTORS,
  type DetectorName,
  type DetectorOptionsByKey,
} from './detectors.js';
export {
  type DetectorScore,
  SCORED_KIND,
  scoreAlerts,
  subjectMatches,
  type TruthEpisodeLike,
  type TruthLike,
} from './eval.js';
export type { Detector, Finding, MinuteRows } from './finding.js';
export { type DetectionLease, LeasedDetection, type LeaseLog } from './leased.js';
export { ListedFindings } from './listed-findings.js';
export {
  type LiveDetection,
  type LiveDetectionOptions,
  type LiveDetectionStats,
  startLiveDetection,
} from './live.js';
export {
  type AlertDocument,
  alertDocument,
  createNotifier,
  EmailSchema,
  type Notifier,
  type NotifyConfig,
  NotifyConfigSchema,
  type NotifyResult,
  WebhookSchema,
} from './notify.js';
export { DEFAULT_PORT_SURGE, PortSurgeDetector, type PortSurgeOptions } from './port-surge/index.js';
export {
  bucketRows,
  DetectorSet,
  type DetectorsOptions,
  emptyMinute,
  type FindingSink,
  type HistoryOptions,
  type RunStats,
  runHistory,
} from './runner.js';
export { DEFAULT_SCAN, ScanDetector, type ScanOptions } from './scan.js';
export { DEFAULT_SENSOR_HEALTH, SensorHealthDetector, type SensorHealthOptions } from './sensor-health.js';
export {
  checkSensorSilence,
  formatDuration,
  type SensorHeartbeat,
  type SilenceCheckResult,
} from './sensor-silence.js';
export { DEFAULT_WORM, WormDetector, type WormOptions } from './worm.js';
