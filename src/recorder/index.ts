/** The activity recorder (docs/recorder-format.md). */
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
export { generateSigningKey, KEY_FILE, publicKeyFromRaw, type SigningKey } from './keys.js';
export {
  DEFAULT_MAX_BYTES,
  DEFAULT_SEAL_EVERY,
  MIN_MAX_BYTES,
  Recorder,
  type RecorderOptions,
} from './recorder.js';
export { parseCountersignatures, type VerifyReport, verifyRecorderDir } from './verify.js';
