/**
 * The center's HTTP side: API routes (ingest, stats, alerts, health, metrics), the front page,
 * and the server process around them. It calls the contexts and holds no domain logic.
 */
export { buildApp, errorBody, MAX_BODY_BYTES, MAX_INFLATED_BYTES } from './app.js';
export {
  type Center,
  type CenterOptions,
  LOCAL_OPERATOR_FILE,
  OPERATOR_TOKEN_FILE,
  openCenter,
  rotateOperatorToken,
} from './center.js';
export type { TrustProxy } from './client.js';
export { type RunningCenter, SERVER_FILE, type ServeOptions, startCenter } from './server.js';
