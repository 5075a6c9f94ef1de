import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ConfigSchema } from '../core/index.js';
import { openRelational } from '../db/index.js';
import { Enricher, IngestService, openEventStore, SensorRegistry } from '../observe/index.js';
import { replay } from './replay.js';
import { simulate } from './simulate.js';

describe('replaying a simulated set', () => {
  it('delivers every event in time order, and a second replay stores nothing again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koban-replay-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const sim = await simulate({
      outDir: join(dir, 'sim'),
      sensors: 4,
      days: 1,
      ratePerSensorPerDay: 2000,
      seed: 3,
    });
    const store = await openEventStore({ dataDir: ':memory:' });
    const db = await openRelational(':memory:');
    const registry = new SensorRegistry(db);
    const relay = (await registry.add({ name: 'replayer', relay: true })).sensor;
    const ingest = new IngestService(store, await Enricher.open(), registry, ConfigSchema.parse({}));
    let last = 0;
    let ordered = true;
    const send = async (body: string) => {
      for (const line of body.split('\n').slice(1, -1)) {
        const t = (JSON.parse(line) as number[])[0]!;
        if (t < last) ordered = false;
        last = t;
      }
      await ingest.submit(relay, body);
    };
    const first = await replay({ dir: join(dir, 'sim'), speed: 0, windowMs: 3_600_000, send });
    const expected = sim.manifest.sensors.flatMap((s) => s.files).reduce((n, f) => n + f.records, 0);
    expect(first.sent).toBe(expected);
    expect(ordered).toBe(true);
    expect((await store.summary()).events).toBe(expected);
    // Each event carries its own sensor's name through the relay token.
    const sensors = await store.aggregate({ groupBy: ['sensor'] });
    expect(sensors.map((s) => s.sensor).sort()).toEqual(sim.manifest.sensors.map((s) => s.name).sort());
    last = 0;
    await replay({ dir: join(dir, 'sim'), speed: 0, windowMs: 3_600_000, send });
    expect((await store.summary()).events).toBe(expected);
    await ingest.close();
    await db.destroy();
    await store.close();
  });

  it('sends full batches as fast as possible, not one small batch per window of sparse traffic', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koban-replay-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const sim = await simulate({
      outDir: join(dir, 'sim'),
      sensors: 4,
      days: 1,
      ratePerSensorPerDay: 2000,
      seed: 5,
    });
    const expected = sim.manifest.sensors.flatMap((s) => s.files).reduce((n, f) => n + f.records, 0);
    const run = async () => {
      const sizes: number[] = [];
      const ids: string[] = [];
      // The default 10 s pacing window holds about one event of this set.
      await replay({
        dir: join(dir, 'sim'),
        speed: 0,
        batchEvents: 1000,
        async send(_body, id, n) {
          ids.push(id);
          sizes.push(n);
        },
      });
      return { sizes, ids };
    };
    const first = await run();
    expect(first.sizes.length).toBe(Math.ceil(expected / 1000));
    expect(first.sizes.slice(0, -1).every((n) => n === 1000)).toBe(true);
    expect(first.sizes.reduce((a, b) => a + b, 0)).toBe(expected);
    // The same cuts and ids again: a second replay is stored once.
    expect((await run()).ids).toEqual(first.ids);
  });

  it('paced, cuts a batch once its first event has waited flushMs at the pacing speed, the same every run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koban-replay-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    await simulate({ outDir: join(dir, 'sim'), sensors: 2, days: 1, ratePerSensorPerDay: 500, seed: 9 });
    const run = async () => {
      const batches: { id: string; times: number[] }[] = [];
      // 10^6 simulated ms per real ms: a day in 86 ms; 0.06 ms of waiting is 60 s of simulated time.
      await replay({
        dir: join(dir, 'sim'),
        speed: 1_000_000,
        flushMs: 0.06,
        async send(body, id) {
          const times = body
            .trim()
            .split('\n')
            .slice(1)
            .map((l) => (JSON.parse(l) as number[])[0]!);
          batches.push({ id, times });
        },
      });
      return batches;
    };
    const first = await run();
    const end = (t: number) => Math.floor(t / 10_000) * 10_000 + 10_000;
    for (const [i, b] of first.entries()) {
      // A batch holds the windows that end within 60 s of its first window's end ...
      for (const t of b.times) expect(end(t) - end(b.times[0]!)).toBeLessThan(60_000);
      // ... and the next one starts at least that far on.
      const next = first[i + 1];
      if (next) expect(end(next.times[0]!) - end(b.times[0]!)).toBeGreaterThanOrEqual(60_000);
    }
    expect(first.some((b) => b.times.length > 1)).toBe(true);
    expect((await run()).map((b) => b.id)).toEqual(first.map((b) => b.id));
  });
});
