/**
 * Detection: the operator alert model (one alert per episode, deduplicated, with an
 * open → acknowledged → closed lifecycle) and the checks that raise alerts. Sensor health
 * (silent sensors) reads the sensor registry; the traffic detectors (port surges, backscatter,
 * scans, worms) read the event store's aggregates.
 */
export {
  ALERT_STATUSES,
  type AlertChange,
  type AlertStatus,
  AlertStore,
  type OperatorAlert,
  type RaiseAlert,
  SEVERITIES,
  type Severity,
} from './alerts.js';
export {
  checkSensorSilence,
  formatDuration,
  type SensorHeartbeat,
  type SilenceCheckResult,
} from './sensor-silence.js';
