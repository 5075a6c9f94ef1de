/**
 * Shared kernel. The domain types every context speaks (`ObservationEvent`, `EnrichedEvent`,
 * `Rejection`), IP/CIDR helpers (hand-written for the hot paths, ip.ts; ipaddr.js for address
 * blocks people type, address-blocks.ts), time buckets and the time units (`MINUTE_MS` …), the
 * error type and the operator configuration. Also what every store shares: private file modes, key
 * files and the secret box that encrypts secrets at rest, and store health. And one of each
 * mechanism several contexts need: the bearer tokens (secret-token.ts: mint, hash, constant-time
 * compare, `Authorization` parsing), the guard for outbound HTTP to targets others chose
 * (outbound.ts) and the transport over it for e-mail and webhooks (outbound-transport.ts), the
 * retry back-off (backoff.ts), token buckets for rate limits. And the one definition the scan
 * detector and the simulator's truth share: what a large scan campaign is (scan-campaign.ts). It
 * imports nothing else of ours;
 * everything else may import it.
 */
export * from './address-blocks.js';
export * from './backoff.js';
export * from './config.js';
export * from './errors.js';
export * from './event.js';
export * from './identifiers.js';
export * from './ip.js';
export * from './key-file.js';
export * from './outbound.js';
export * from './outbound-transport.js';
export * from './private-files.js';
export * from './scan-campaign.js';
export * from './secret-box.js';
export * from './secret-token.js';
export * from './store-health.js';
export * from './time.js';
export * from './token-buckets.js';
export * from './zones.js';
