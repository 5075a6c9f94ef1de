/**
 * Simulator: generates SIMULATED observation data with ground truth, for demos, tests, benchmarks
 * and scoring detectors. A fleet of sensors (default 57, as in the annual report §2, docs/background.md#observation) — firewall+IDS sites and
 * darknet sensors, each watching its own address block — receives background traffic modelled on seed
 * 000's figures (about half the sources domestic, then China, the USA, Korea…; 135/445/139 TCP and
 * 1026/1027/137/1434 UDP at the top; a Slammer-like worm; worms probing their neighbours; IDS
 * detections ≈ 92 % Worm, 7 % Scan) plus scenario episodes (port surges, DoS backscatter, scans, a
 * worm outbreak, Messenger spam, a botnet spreading) at deterministic times and varied strengths.
 *
 * Main entry: `simulate(options)` writes, under `options.outDir`, each sensor's files in the real
 * formats Koban's parsers read (`sensors/<name>/simulated-iptables.log`, `simulated-eve.json`,
 * `simulated-darknet.pcap`), `manifest.json` (sensors, blocks, files, per-day offsets for replay) and
 * `truth.json` (the episodes: {@link Truth}). Same seed and options → byte-identical output. Data goes
 * to `koban import`/`replay`, the detectors' tests and the benchmarks.
 */
export {
  type BackgroundOptions,
  DAILY_CYCLES,
  type DailyCycle,
  type DailyCycleShape,
  dailyCycleProfile,
  type FamilyKind,
  type IdsClass,
  type TrafficFamily,
  WORKING_HOURS,
} from './background.js';
export {
  DEFAULT_BACKGROUND,
  DEFAULT_DAY_OF_WEEK,
  DEFAULT_FAMILIES,
  DEFAULT_HOUR_OF_DAY,
} from './background-defaults.js';
export type { Manifest, ManifestFile, ManifestSensor } from './documents.js';
export {
  DEFAULT_RATE,
  DEFAULT_START,
  type ResolvedOptions,
  resolveOptions,
  SIM_FORMATS,
  type SimFormat,
  type SimulationOptions,
  type SimulationProgress,
} from './options.js';
export { SLAMMER_PAYLOAD_BYTES, slammerLikePayload } from './payloads.js';
export { readManifest } from './read-back.js';
export { type ReplayOptions, type ReplayProgress, type ReplayResult, replay, setId } from './replay.js';
export {
  ALL_SCENARIO_KINDS,
  isScenarioKind,
  OUTBREAK_SCAN_RATE,
  SCENARIO_KINDS,
  type ScenarioKind,
  type ScenarioRequest,
} from './scenarios/index.js';
export { FILE_NAMES } from './sensor-output.js';
export { DEFAULT_FLEET, type FleetOptions, SITE_KINDS, type SiteKind } from './sensors.js';
export { BASE_SIGNATURES, type Signature } from './signatures.js';
export { type SimulationResult, simulate } from './simulate.js';
export { MAGNITUDE_UNITS, type Truth, type TruthEpisode, TruthEpisodeSchema, TruthSchema } from './truth.js';
