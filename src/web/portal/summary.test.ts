import { describe, expect, it } from 'vitest';
import type { StoreSummary } from '../../observe/index.js';
import type { PortalContext } from './page.js';
import { portalSummary, SUMMARY_TTL_MS } from './summary.js';

describe("the portal's store summary", () => {
  it('asks the store once a minute, per store', async () => {
    const clock = { ms: 0 };
    let asked = 0;
    const summary = async (): Promise<StoreSummary> => ({
      events: ++asked,
      rawEvents: 0,
      firstMs: null,
      lastMs: null,
      sensors: 0,
      byKind: { firewall: 0, ids: 0, darknet: 0 },
      sizeBytes: 0,
    });
    const ctx = (events: object) =>
      ({ events, options: { now: () => clock.ms } }) as unknown as Pick<PortalContext, 'events' | 'options'>;
    const a = ctx({ summary });
    expect((await portalSummary(a)).events).toBe(1);
    clock.ms += SUMMARY_TTL_MS - 1;
    expect((await portalSummary(a)).events).toBe(1);
    // Another store (another center in the same process) has its own.
    expect((await portalSummary(ctx({ summary }))).events).toBe(2);
    clock.ms += 1;
    expect((await portalSummary(a)).events).toBe(3);
  });
});
