// The ingest service over an in-memory DuckDB store and SQLite registry, with hand-built events
// (test/events.ts) and one UFW log line written for these tests; no real data.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ev } from '../../test/events.js';
import { waitFor } from '../../test/wait.js';
import { ConfigSchema, KobanError } from '../core/index.js';
import { openRelational, type RelationalDb } from '../db/index.js';
import { encodeEvent } from '../wire/index.js';
import { Enricher } from './enrich.js';
import { IngestService } from './ingest.js';
import { BackpressureError, DEFAULT_INGEST_LIMITS, type IngestLimits } from './ingest-limits.js';
import { openEventStore } from './open-event-store.js';
import type { EventStore } from './ports/event-store.js';
import { type SensorRecord, SensorRegistry } from './sensor-registry.js';

const NOW = Date.UTC(2026, 10, 23, 12);
const T0 = Date.UTC(2026, 10, 23, 9);
const UFW =
  '2026-11-23T09:00:00.000000+00:00 fw kernel: [UFW BLOCK] IN=eth0 OUT= SRC=198.51.100.20 ' +
  'DST=203.0.113.9 LEN=44 TTL=50 ID=1 PROTO=TCP SPT=5555 DPT=139 WINDOW=1024 RES=0x00 SYN URGP=0';

const header = (id: string, format = 'events', extra: Record<string, unknown> = {}) =>
  JSON.stringify({ v: 1, batch_id: id, format, ...extra });
const line = (timeMs: number, sensor?: string) => JSON.stringify(encodeEvent(ev({ timeMs }), T0, sensor));
const body = (id: string, lines: readonly string[]) => `${header(id)}\n${lines.join('\n')}\n`;
const events = (n: number, sensor?: string, offset = 0) =>
  Array.from({ length: n }, (_, i) => line(T0 + offset + i, sensor));

describe('IngestService', () => {
  let store: EventStore;
  let db: RelationalDb;
  let registry: SensorRegistry;
  let enricher: Enricher;
  let fw: SensorRecord;
  const service = (limits: Partial<IngestLimits> = {}) =>
    new IngestService(
      store,
      enricher,
      registry,
      ConfigSchema.parse({}),
      { ...DEFAULT_INGEST_LIMITS, ...limits },
      () => NOW,
    );
  const stored = async () => (await store.summary()).events;

  beforeEach(async () => {
    store = await openEventStore({ dataDir: ':memory:' });
    db = await openRelational(':memory:');
    registry = new SensorRegistry(db);
    enricher ??= await Enricher.open();
    fw = (await registry.add({ name: 'fw' })).sensor;
  });
  afterEach(async () => {
    await db.destroy();
    await store.close();
  });

  it('counts one non-JSON line as one rejection and stores the rest of the batch', async () => {
    const ingest = service();
    const r = await ingest.submit(fw, body('mixed', [line(T0), '{"not": json}', line(T0 + 1), 'x,y']));
    expect(r).toMatchObject({ status: 'stored', records: 4, events: 2, rejected: 2 });
    expect(r.rejections).toEqual([
      { record: 2, reason: 'not JSON (the body must be NDJSON: one JSON value per line)' },
      { record: 4, reason: 'not JSON (the body must be NDJSON: one JSON value per line)' },
    ]);
    expect(await stored()).toBe(2);
  });

  it('refuses a batch whose lines are mostly not JSON instead of parsing it to its end', async () => {
    const ingest = service({ maxNotJsonLines: 2 });
    const ok = await ingest.submit(fw, body('two-bad', [line(T0), '[', '{', line(T0 + 1)]));
    expect(ok).toMatchObject({ status: 'stored', events: 2, rejected: 2 });
    await expect(ingest.submit(fw, body('garbage', [line(T0 + 2), '[', '[', '[']))).rejects.toMatchObject({
      code: 'E_FORMAT',
      message: 'more than 2 lines are not JSON (the body must be NDJSON)',
    });
    expect(await stored()).toBe(2);
  });

  it('rejects, per record, events before the minimum event time and past the allowed clock skew', async () => {
    const ingest = service();
    const r = await ingest.submit(
      fw,
      body('times', [
        line(0),
        line(Date.UTC(2000, 0, 1)),
        line(T0),
        line(NOW + 601_000),
        line(NOW + 599_000),
      ]),
    );
    expect(r).toMatchObject({ records: 5, events: 2, rejected: 3 });
    expect(r.rejections).toEqual([
      { record: 1, reason: 'event time before 2001-01-01T00:00:00.000Z' },
      { record: 2, reason: 'event time before 2001-01-01T00:00:00.000Z' },
      { record: 4, reason: 'event time more than 600 s ahead of the center clock' },
    ]);
  });

  it('rejects a raw line whose receive time is not an integer, and stores the other lines', async () => {
    const ingest = service();
    const text = [header('raw', 'iptables'), JSON.stringify([UFW, 0.5]), JSON.stringify([UFW, T0])].join(
      '\n',
    );
    const r = await ingest.submit(fw, text);
    expect(r).toMatchObject({ status: 'stored', records: 2, events: 1, rejected: 1 });
    expect(r.rejections).toEqual([{ record: 1, reason: 'raw record is not a string or [string, recv_ms]' }]);
    expect(await stored()).toBe(1);
  });

  it('writes a failed group again batch by batch, so only the guilty batch fails', async () => {
    const other = (await registry.add({ name: 'other' })).sensor;
    const ingest = service();
    const append = store.appendUnique.bind(store);
    let open = () => {};
    const gate = new Promise<void>((r) => {
      open = r;
    });
    store.appendUnique = async (ds) => {
      await gate;
      if (ds.some((d) => d.ledger.key.endsWith(':guilty'))) throw new Error('the store refused the group');
      return append(ds);
    };
    const first = ingest.submit(fw, body('first', events(1)));
    await waitFor(() => ingest.stats.queuedEvents === 1, 'the first batch to queue');
    // Both queue behind the first write, so the writer takes them in one transaction.
    const innocent = ingest.submit(other, body('innocent', events(3, undefined, 10)));
    const guilty = ingest.submit(fw, body('guilty', events(2, undefined, 20))).catch((e: unknown) => e);
    await waitFor(() => ingest.stats.queuedEvents === 6, 'both batches to queue behind it');
    open();
    expect((await first).status).toBe('stored');
    expect(await innocent).toMatchObject({ status: 'stored', events: 3 });
    expect(await guilty).toEqual(new Error('the store refused the group'));
    expect(await stored()).toBe(4);
  });

  it('refuses a batch id reused with other content (E_CONFLICT), from memory and from the ledger', async () => {
    const a = body('b-1', events(3));
    const b = body('b-1', events(3, undefined, 100));
    const ingest = service();
    expect((await ingest.submit(fw, a)).status).toBe('stored');
    const conflict = await ingest.submit(fw, b).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(KobanError);
    expect((conflict as KobanError).code).toBe('E_CONFLICT');
    // The header may differ between deliveries (the agent's drop count): the records decide.
    expect((await ingest.submit(fw, a.replace('"b-1"', '"b-1","dropped_total":7'))).status).toBe('duplicate');
    // A restarted center has only the ledger.
    const restarted = service();
    await expect(restarted.submit(fw, b)).rejects.toMatchObject({ code: 'E_CONFLICT' });
    expect((await restarted.submit(fw, a)).status).toBe('duplicate');
    expect(await stored()).toBe(3);
  });

  it('lets a relay write only the names it owns', async () => {
    const relayA = (await registry.add({ name: 'relay-a', relay: true })).sensor;
    const relayB = (await registry.add({ name: 'relay-b', relay: true })).sensor;
    const ingest = service();
    await ingest.submit(relayB, body('rb-1', events(1, 'b-only')));
    await ingest.submit(relayA, body('ra-0', events(1, 'gone')));
    await registry.revoke('gone');
    // A relayed name recorded before owners were kept is adopted by the first relay to write it.
    await db
      .insertInto('sensors')
      .values({
        name: 'legacy',
        site: 'relayed',
        address_blocks: '[]',
        relay: 0,
        token_hash: 'none',
        created_ms: 0,
        events_total: 0,
        batches_total: 0,
        dropped_total: 0,
      })
      .execute();
    const r = await ingest.submit(
      relayA,
      body('ra-1', [
        line(T0, 'a-1'),
        line(T0, 'fw'),
        line(T0, 'b-only'),
        line(T0, 'relay-b'),
        line(T0, 'gone'),
        line(T0, 'bad name!'),
        line(T0, 'legacy'),
        line(T0),
      ]),
    );
    expect(r).toMatchObject({ records: 8, events: 3, rejected: 5 });
    expect(r.rejections).toEqual([
      { record: 2, reason: 'sensor "fw" is not relayed by this token' },
      { record: 3, reason: 'sensor "b-only" is not relayed by this token' },
      { record: 4, reason: 'sensor "relay-b" is not relayed by this token' },
      { record: 5, reason: 'sensor "gone" is revoked' },
      { record: 6, reason: 'invalid sensor name' },
    ]);
    const bySensor = await store.aggregate({ groupBy: ['sensor'] });
    expect(bySensor.sort((x, y) => x.sensor!.localeCompare(y.sensor!))).toEqual([
      { sensor: 'a-1', count: 1 },
      { sensor: 'b-only', count: 1 },
      { sensor: 'gone', count: 1 },
      { sensor: 'legacy', count: 1 },
      { sensor: 'relay-a', count: 1 },
    ]);
    const legacy = await ingest.submit(relayB, body('rb-2', events(1, 'legacy')));
    expect(legacy.rejections).toEqual([
      { record: 1, reason: 'sensor "legacy" is not relayed by this token' },
    ]);
  });

  it('counts relayed events under their own sensors, and the batch under the relay', async () => {
    const relay = (await registry.add({ name: 'replayer', relay: true })).sensor;
    const ingest = service();
    await ingest.submit(relay, body('r-1', [...events(3, 'site-a'), ...events(2, 'site-b', 50)]));
    const [a, b, r] = await Promise.all(['site-a', 'site-b', 'replayer'].map((n) => registry.get(n)));
    expect(a).toMatchObject({ eventsTotal: 3, batchesTotal: 1, lastEventMs: T0 + 2, lastSeenMs: NOW });
    expect(b).toMatchObject({ eventsTotal: 2, batchesTotal: 1, lastEventMs: T0 + 51, lastSeenMs: NOW });
    expect(r).toMatchObject({ eventsTotal: 0, batchesTotal: 1, lastEventMs: null, lastSeenMs: NOW });
    expect(ingest.stats.lagMsBySensor.get('site-a')).toBe(NOW - (T0 + 2));
  });

  it('caps the batches decoded at once per sensor (429) and in all (503)', async () => {
    const s2 = (await registry.add({ name: 's2' })).sensor;
    const s3 = (await registry.add({ name: 's3' })).sensor;
    const ingest = service({ decodesPerSensor: 1, decodesTotal: 2 });
    const first = ingest.submit(fw, body('c-1', events(1)));
    const sameSensor = await ingest.submit(fw, body('c-2', events(1))).catch((e: unknown) => e);
    expect(sameSensor).toBeInstanceOf(BackpressureError);
    expect(sameSensor).toMatchObject({ httpStatus: 429, retryAfterS: 1 });
    const second = ingest.submit(s2, body('c-3', events(1)));
    const third = await ingest.submit(s3, body('c-4', events(1))).catch((e: unknown) => e);
    expect(third).toMatchObject({ httpStatus: 503, retryAfterS: 1 });
    expect((await first).status).toBe('stored');
    expect((await second).status).toBe('stored');
    // The slots are free again once decoded.
    expect((await ingest.submit(s3, body('c-4', events(1)))).status).toBe('stored');
    expect(ingest.stats.refused).toBe(2);
  });

  it('refuses a dropped_total no count can reach exactly', async () => {
    const ingest = service();
    const text = `${header('d-1', 'events', { dropped_total: 1e300 })}\n${line(T0)}\n`;
    await expect(ingest.submit(fw, text)).rejects.toThrow(
      'dropped_total must be an integer from 0 to 9007199254740991',
    );
    const ok = `${header('d-2', 'events', { dropped_total: 2 ** 53 - 1 })}\n${line(T0)}\n`;
    expect((await ingest.submit(fw, ok)).status).toBe('stored');
    expect((await registry.get('fw'))?.droppedTotal).toBe(2 ** 53 - 1);
  });
});
