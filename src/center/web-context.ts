/**
 * The HTTP side's view of a center: the `WebContext` web/ declares, filled from the composition
 * root's services. The flags the process changes while it runs (draining at shutdown, the demo's
 * simulated data and live public view) are read through, not copied.
 */
import type { Hono } from 'hono';
import { buildApp, type WebContext } from '../web/index.js';
import type { Center } from './wiring.js';

export function webContext(center: Center): WebContext {
  return {
    events: center.observatory.store,
    observation: center.observatory.config,
    ingest: center.ingest,
    sensors: center.registry,
    operatorAlerts: center.alerts,
    scanners: center.scanners,
    intel: center.intel,
    metrics: center.metrics,
    options: center.apiOptions,
    log: center.log,
    requireOperator: (authorization) => center.requireOperator(authorization),
    storeHealth: () => center.storeHealth(),
    get draining() {
      return center.draining;
    },
    get simulated() {
      return center.simulated;
    },
    get publicStats() {
      return center.publicStats;
    },
  };
}

/** The center's HTTP application. */
export function centerApp(center: Center): Hono {
  return buildApp(webContext(center));
}
