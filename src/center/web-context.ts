/**
 * The HTTP side's view of a center: the `WebContext` web/ declares, filled from the composition
 * root's services. The flags the process changes while it runs (draining at shutdown, the demo's
 * simulated data and live public view) are read through, not copied.
 */

import { join } from 'node:path';
import type { Hono } from 'hono';
import { MonitoredSpace, openEnricher } from '../observe/index.js';
import { buildApp, LoginThrottle, type WebContext } from '../web/index.js';
import type { Center } from './wiring.js';

export function webContext(center: Center): WebContext {
  const space = new MonitoredSpace(center.db);
  let lookup: Promise<(ip: string) => string | null> | null = null;
  return {
    events: center.observatory.store,
    observation: center.observatory.config,
    ingest: center.ingest,
    sensors: center.registry,
    monitored: { inEffect: () => space.inEffect(center.extraAddressBlocks) },
    operatorAlerts: center.alerts,
    scanners: center.scanners,
    backscatter: center.backscatter,
    intel: center.intel,
    anonymizer: center.anonymizer,
    recorderHeads: center.recorderHeads,
    loginThrottle: new LoginThrottle(center.apiOptions.login, center.apiOptions.now ?? Date.now),
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
    countryLookup() {
      // A failed opening (an unreadable MMDB) is not kept: the next report tries again.
      lookup ??= openEnricher(center.observatory.config).then(
        (e) => (ip: string) => e.lookup(ip).country,
        (err: unknown) => {
          lookup = null;
          throw err;
        },
      );
      return lookup;
    },
    reportsDir: join(center.dataDir, 'reports'),
  };
}

/** The center's HTTP application. */
export function centerApp(center: Center): Hono {
  return buildApp(webContext(center));
}
