/**
 * Detection: the operator alert model (one alert per episode, deduplicated, with an
 * open → acknowledged → closed lifecycle) and the checks that raise alerts. Sensor health reads
 * the sensor registry (delivery silence) and the event volume; the traffic detectors — port
 * surges, backscatter DDoS inference, scans, worm outbreaks, sensor health — read the event store's
 * minute-level aggregates (`DetectionSource`), over history (`runHistory`) or live
 * (`startLiveDetection`), with every rate divided by the coverage of the moment. Each detector
 * registers through a descriptor (`DetectorDescriptor`) listed once in `DETECTORS`, from which
 * `DETECTOR_NAMES`, the per-detector options of `DetectorsOptions`, the row families a run reads and
 * the scoring derive. Findings become alerts through `AlertSink` when they deserve one
 * (docs/methods.md#what-deserves-an-alert; scans: scan-policy.ts) — every scan is kept as data in
 * the scanner list (`ScannerStore`), and DDoS victims below the alerting rate as statistics
 * (`BackscatterStatistics`) — notified by webhook and e-mail
 * (`createNotifier`); `scoreAlerts` measures them against a simulated set's ground truth. The
 * methods: docs/methods.md.
 */

export { AlertSink, type AlertSinkOptions } from './alert-sink.js';
export {
  ALERT_STATUSES,
  type AlertChange,
  type AlertCounts,
  type AlertFilter,
  type AlertPosition,
  type AlertStatus,
  AlertStore,
  alertCursor,
  episodeState,
  type OperatorAlert,
  parseAlertCursor,
  type RaiseAlert,
  SEVERITIES,
  SEVERITY_RANK,
  type Severity,
} from './alerts.js';
export {
  attackTypeOf,
  BackscatterDetector,
  type BackscatterOptions,
  DEFAULT_BACKSCATTER,
} from './backscatter.js';
export {
  BackscatterStatistics,
  type VictimFilter,
  type VictimStatistic,
  type VictimStatisticDocument,
  victimCursor,
  victimStatistic,
  victimStatisticDocument,
} from './backscatter-statistics.js';
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
export {
  type BelowFloor,
  type CellConfig,
  type CellScore,
  DEFAULT_NOISE_FLOOR,
  type DetectorMatrix,
  type EvalResult,
  EvalResultSchema,
  type MatrixCell,
  type MatrixSummary,
  parseEvalResult,
  type Spread,
  summarizeMatrix,
} from './eval-matrix.js';
export type { Detector, Finding, MinuteRows } from './finding.js';
export { type KeptDataPruned, pruneKeptData } from './kept-data-retention.js';
export { type DetectionLease, LeasedDetection, type LeaseLog } from './leased.js';
export { ListedFindings } from './listed-findings.js';
export {
  type LiveDetection,
  type LiveDetectionOptions,
  type LiveDetectionStats,
  startLiveDetection,
} from './live.js';
export { type ListRejection, type NamedBlock, NamedBlocks, parseKnownScanners } from './named-blocks.js';
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
export { ALERT_RULES, type AlertRule, DEFAULT_SCAN_POLICY, type ScanPolicyOptions } from './scan-policy.js';
export { readScanPolicy } from './scan-policy-config.js';
export {
  parsePortFilter,
  type Scanner,
  type ScannerDocument,
  type ScannerFilter,
  type ScannerSighting,
  ScannerStore,
  scannerCursor,
  scannerDocument,
} from './scanners.js';
export { DEFAULT_SENSOR_HEALTH, SensorHealthDetector, type SensorHealthOptions } from './sensor-health.js';
export {
  checkSensorSilence,
  formatDuration,
  type SensorHeartbeat,
  type SilenceCheckResult,
} from './sensor-silence.js';
export { DEFAULT_WORM, WormDetector, type WormOptions } from './worm.js';
