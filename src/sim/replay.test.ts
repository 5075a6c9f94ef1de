import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ConfigSchema } from '../core/index.js';
import { openRelational } from '../db/index.js';
import { DuckDbEventStore, Enricher, IngestService, SensorRegistry } from '../observe/index.js';
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
    const store = await DuckDbEventStore.open({ dataDir: ':memory:' });
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
});
