/**
 * The store's summary as the portal's pages read it (the month bounds, the status line): kept a
 * minute per event store. Every public page needs it, some twice, and it scans the rollups and
 * the raw events' bounds, a cost that grows with the store (BENCHMARKS.md, issue 13); what the
 * public sees of it is delayed by `publicStats.delayHours` and cut to the hour, so a minute-old
 * summary shows the same page.
 */
import type { StoreSummary } from '../../observe/index.js';
import { SettledCache } from './cache.js';
import type { PortalContext } from './page.js';

export const SUMMARY_TTL_MS = 60_000;

const byStore = new WeakMap<PortalContext['events'], SettledCache<StoreSummary>>();

export function portalSummary(ctx: Pick<PortalContext, 'events' | 'options'>): Promise<StoreSummary> {
  let cache = byStore.get(ctx.events);
  if (!cache) {
    cache = new SettledCache<StoreSummary>({
      maxEntries: 1,
      ttlMs: SUMMARY_TTL_MS,
      now: ctx.options.now ?? Date.now,
    });
    byStore.set(ctx.events, cache);
  }
  return cache.get('summary', () => ctx.events.summary());
}
