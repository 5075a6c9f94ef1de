/**
 * The sensor agent (`koban sensor run`): follows firewall logs, IDS output and captures on a
 * sensor host (`tail.ts`: rotation-safe, resumable), parses them locally, and ships normalised
 * events to the center through a durable, bounded on-disk spool (`spool.ts`) with retries
 * (`shipper.ts`). Data goes to the center's `POST /api/v1/ingest` in the `wire` format; the agent
 * loads no store. The spool is locked to one agent (`spool-lock.ts`); the agent reports its state
 * in the spool's `status.json` (`status.ts`).
 */
export { type AgentOptions, type AgentStats, SensorAgent } from './agent.js';
export { type IngestClient, ingestClient, type PostResult } from './http.js';
export { Shipper, type ShipperOptions, type ShipperStats } from './shipper.js';
export { parseSourceSpec, type SourceSpec } from './source-spec.js';
export { type Segment, type SegmentMeta, Spool, type SpoolOptions, type SpoolState } from './spool.js';
export { isNoSpace, nodeSpoolFs, type SpoolFs } from './spool-fs.js';
export { lockHolder, processAlive } from './spool-lock.js';
export { type AgentStatus, readAgentStatus, type SourceStatus } from './status.js';
export { FileFollower, HEAD_BYTES, type LineSource, type TailLines, type TailPosition } from './tail.js';
