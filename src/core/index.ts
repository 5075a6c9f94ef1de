/**
 * Shared kernel. The domain types every context speaks (`ObservationEvent`, `EnrichedEvent`,
 * `Rejection`), IP/CIDR helpers, time buckets, the error type and the operator configuration.
 * Also what every store shares: private file modes, key files and the secret box that encrypts
 * secrets at rest, and store health; the one guard for outbound HTTP to targets others chose
 * (outbound.ts); token buckets for rate limits. It imports nothing else of ours; everything else
 * may import it.
 */
export * from './config.js';
export * from './errors.js';
export * from './event.js';
export * from './identifiers.js';
export * from './ip.js';
export * from './key-file.js';
export * from './outbound.js';
export * from './private-files.js';
export * from './secret-box.js';
export * from './store-health.js';
export * from './time.js';
export * from './token-buckets.js';
export * from './zones.js';
