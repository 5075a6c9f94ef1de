/**
 * The activity recorder (docs/recorder-format.md): on a member's machine, `Recorder` polls /proc
 * into a sealed hash chain, `HeadLink` sends its heads to the center for countersignatures,
 * `verifyRecorderDir` checks a directory and `buildTimeline` reads it back as who talked to whom;
 * in the center, `RecorderHeads` keeps the heads write-once and countersigns them.
 */
export {
  type CenterAccess,
  fetchCenterKey,
  fetchCountersignatures,
  getCenterJson,
} from './center-copies.js';
export { countersignHead } from './countersign.js';
export {
  type Countersignature,
  CountersignatureSchema,
  canonicalJson,
  GENESIS_HASH,
  type RecorderRecord,
  RecordSchema,
  recordHash,
} from './format.js';
export {
  type FetchLike,
  type Head,
  HeadLink,
  type HeadLinkOptions,
  type HeadLinkStats,
} from './head-link.js';
export {
  type HeadSubmission,
  type HeadSubmitter,
  MAX_HEADS_PAGE,
  RecorderHeads,
  type SubmittedHead,
} from './heads.js';
export {
  type AddressIndicator,
  indicatorMarker,
  type ParsedIndicators,
  parseAddressList,
} from './indicators.js';
export {
  externalSigningKey,
  generateSigningKey,
  KEY_FILE,
  publicKeyFromRaw,
  type SigningKey,
} from './keys.js';
export { PENDING_HEADS_FILE, savePendingHeads, takePendingHeads } from './pending-heads.js';
export { type ReadChain, readChain } from './read.js';
export {
  DEFAULT_MAX_BYTES,
  DEFAULT_SEAL_EVERY,
  MIN_MAX_BYTES,
  Recorder,
  type RecorderOptions,
} from './recorder.js';
export {
  type AddressMarker,
  addressMatcher,
  buildTimeline,
  type Mark,
  markTimeline,
  type TimelineEntry,
  type TimelineFilter,
  type TimelineProcess,
} from './timeline.js';
export { parseCountersignatures, type VerifyReport, verifyRecorderDir } from './verify.js';
