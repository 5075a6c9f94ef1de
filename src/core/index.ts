/**
 * Shared kernel. The domain types every context speaks (`ObservationEvent`, `EnrichedEvent`,
 * `Rejection`), IP/CIDR helpers, time buckets, the error type and the operator configuration.
 * It imports nothing else of ours; everything else may import it.
 */
export * from './config.js';
export * from './errors.js';
export * from './event.js';
export * from './ip.js';
export * from './time.js';
export * from './zones.js';
