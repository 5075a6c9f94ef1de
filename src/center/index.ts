/**
 * The composition root and the center process. `openCenter` (wiring.ts) is the one place that
 * knows the concrete stores: it opens the data directory's event store and relational store and
 * builds the services on them (`Center`); `startCenter` (server.ts) runs them — the HTTP(S)
 * listener over web/'s app (given a `WebContext`, web-context.ts), live detection under the lease,
 * housekeeping (sensor silence, ended episodes, retention, audit checkpoints, advisory
 * deliveries), `server.json` for the CLI, and graceful shutdown. `koban serve` calls it; data
 * comes from sensors and members over HTTP and goes to the stores, alerts and deliveries.
 */
export type { TrustProxy } from '../web/index.js';
export type { HousekeepingOptions } from './housekeeping.js';
export type { DetectionOptions } from './live-detection.js';
export { LOCAL_OPERATOR_FILE, OPERATOR_TOKEN_FILE, rotateOperatorToken } from './operator-token.js';
export { type RunningCenter, SERVER_FILE, type ServeOptions, startCenter } from './server.js';
export { centerApp, webContext } from './web-context.js';
export { type Center, type CenterOptions, openCenter } from './wiring.js';
