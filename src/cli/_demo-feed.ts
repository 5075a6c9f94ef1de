/**
 * The demo feed of `koban serve --demo`: a built-in simulated sensor. It simulates the last seven
 * days and the next one (12 sensors, every scenario once), sends the past at once and the rest
 * as its time comes, through the same ingest path real sensors use (relay sensor `demo-feed`).
 * Everything it produces is labelled SIMULATED on the front page and in the sensor registry.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningCenter } from '../center/index.js';
import { DAY_MS } from '../core/index.js';
import { BackpressureError } from '../observe/index.js';
import { readManifest, replay, simulate } from '../sim/index.js';

export const DEMO_SENSOR = 'demo-feed';

export async function startDemoFeed(
  running: RunningCenter,
  log: (m: string) => void,
): Promise<{ stop(): Promise<void> }> {
  const center = running.center;
  center.simulated = true;
  // Simulated data reveals no sensor (docs/public-statistics.md): the public view may be live.
  center.publicStats = { delayHours: 0, minCount: 1 };
  const feed =
    (await center.registry.get(DEMO_SENSOR)) ??
    (
      await center.registry.add({
        name: DEMO_SENSOR,
        site: 'built-in simulator (SIMULATED data)',
        relay: true,
      })
    ).sensor;
  const start = Math.floor(Date.now() / DAY_MS) * DAY_MS - 7 * DAY_MS;
  const dir = join(center.dataDir, 'demo-sim', new Date(start).toISOString().slice(0, 10));
  if (!existsSync(join(dir, 'manifest.json'))) {
    log(`simulating 8 days of traffic for 12 sensors into ${dir} …`);
    await simulate({
      outDir: dir,
      sensors: 12,
      days: 8,
      start,
      seed: 7,
      ratePerSensorPerDay: 4000,
      scenarios: ['all'],
    });
  }
  // The simulated sensors' address blocks, for the detectors' coverage (they are relayed, not registered).
  for (const s of readManifest(dir).sensors) center.extraAddressBlocks.set(s.name, s.blocks);
  // Continue after what an earlier demo run stored, so nothing is counted twice.
  const after = (await center.observatory.store.summary()).lastMs ?? undefined;
  let stopped = false;
  const done = replay({
    dir,
    speed: 'wall',
    afterMs: after,
    isStopped: () => stopped,
    async send(body) {
      for (;;) {
        try {
          await center.ingest.submit(feed, body);
          return;
        } catch (e) {
          if (!(e instanceof BackpressureError) || stopped) throw e;
          await new Promise((r) => setTimeout(r, e.retryAfterS * 1000));
        }
      }
    },
  }).catch((e) => {
    if (!stopped) log(`demo feed stopped: ${(e as Error).message}`);
  });
  return {
    async stop() {
      stopped = true;
      await done;
    },
  };
}
