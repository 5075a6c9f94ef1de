/**
 * The sensor agent (`koban sensor run`): follows firewall logs, IDS output and captures on a
 * sensor host (`tail.ts`: rotation-safe, resumable), parses them locally, and ships normalised
 * events to the center through a durable, bounded on-disk spool (`spool.ts`) with retries
 * (`shipper.ts`). Data goes to the center's `POST /api/v1/ingest`.
 */
export {
  type AgentOptions,
  type AgentStats,
  parseSourceSpec,
  SensorAgent,
  type SourceSpec,
} from './agent.js';
export { Batcher, type BatcherOptions, eventsBatchBody } from './batcher.js';
export { type IngestClient, ingestClient, type PostResult } from './http.js';
export { Shipper, type ShipperOptions, type ShipperStats } from './shipper.js';
export { type Segment, type SegmentMeta, Spool, type SpoolState } from './spool.js';
export { FileFollower, HEAD_BYTES, type TailLines, type TailPosition } from './tail.js';
