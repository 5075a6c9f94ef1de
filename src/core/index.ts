/**
 * Shared kernel. The domain types every context speaks (`ObservationEvent`, `EnrichedEvent`,
 * `Rejection`), IP/CIDR helpers, time buckets, the error type, the operator configuration, and the
 * one guard for outbound HTTP to targets others chose (outbound.ts), token buckets for rate limits.
 * It imports nothing else of ours; everything else may import it.
 */
export * from './config.js';
export * from './errors.js';
export * from './event.js';
export * from './ip.js';
export * from './outbound.js';
export * from './time.js';
export * from './token-buckets.js';
