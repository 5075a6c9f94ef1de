/**
 * The contract of appends that recognise records another source stored (`AppendDedup` in
 * ports/event-store.ts): the same packet in `ufw.log` and in `syslog`.
 */
import { expect } from 'vitest';
import { ev } from '../../../test/events.js';
import type { ContractCase } from '../event-store.contract.js';
import type { EventStore } from '../ports/event-store.js';

const T0 = Date.UTC(2026, 2, 20, 14, 0, 0);

const total = async (store: EventStore) => (await store.summary()).events;
const packets = (n: number, over: Parameters<typeof ev>[0] | object = {}) =>
  Array.from({ length: n }, (_, i) => ev({ timeMs: T0 + i * 10, ipId: i, ...over }));

export const DEDUP_CASES: readonly ContractCase[] = [
  {
    name: 'counts the events an earlier source stored instead of storing them again',
    async run(ctx) {
      const { store } = ctx;
      const first = await store.append(packets(5), undefined, { sinceBatch: await store.appendMark() });
      expect(first).toEqual({ stored: 5, duplicates: 0 });
      const mark = await store.appendMark();
      // The second source holds three of the same packets and two others.
      const again = [...packets(3), ...packets(2, { sensor: 's1', timeMs: T0 + 7 })];
      expect(await store.append(again, undefined, { sinceBatch: mark })).toEqual({
        stored: 2,
        duplicates: 3,
      });
      expect(await total(store)).toBe(7);
      expect(await store.aggregate({ groupBy: [] })).toEqual([{ count: 7 }]);
    },
  },
  {
    name: 'compares within one sensor only',
    async run(ctx) {
      const { store } = ctx;
      await store.append(packets(4), undefined, { sinceBatch: 0 });
      const r = await store.append(packets(4, { sensor: 's2' }), undefined, {
        sinceBatch: await store.appendMark(),
      });
      expect(r).toEqual({ stored: 4, duplicates: 0 });
    },
  },
  {
    name: 'never compares a source with its own batches, which come after its mark',
    async run(ctx) {
      const { store } = ctx;
      const mark = await store.appendMark();
      expect(await store.append(packets(3), undefined, { sinceBatch: mark })).toEqual({
        stored: 3,
        duplicates: 0,
      });
      expect(await store.append(packets(3), undefined, { sinceBatch: mark })).toEqual({
        stored: 3,
        duplicates: 0,
      });
      expect(await total(store)).toBe(6);
    },
  },
  {
    name: 'counts a recognised duplicate in the ledger entry of the source that delivered it',
    async run(ctx) {
      const { store } = ctx;
      await store.append(packets(3), undefined, { sinceBatch: 0 });
      const ledger = {
        key: 'file:*:b',
        sensor: '*',
        position: 3,
        complete: true,
        bytes: 9,
        headHash: 'h',
        contentHash: 'b',
      };
      await store.append(packets(3), ledger, { sinceBatch: await store.appendMark() });
      expect(await store.ledger('file:*:b')).toMatchObject({ position: 3, events: 3 });
      expect(await total(store)).toBe(3);
    },
  },
  {
    name: 'compares nothing and writes no identity for appends that do not ask for it',
    async run(ctx) {
      const { store } = ctx;
      await store.append(packets(3));
      expect(await store.append(packets(3), undefined, { sinceBatch: await store.appendMark() })).toEqual({
        stored: 3,
        duplicates: 0,
      });
    },
  },
  {
    name: 'forgets identities with the raw events the retention deletes',
    async run(ctx) {
      const { store } = ctx;
      await store.append(packets(3), undefined, { sinceBatch: 0 });
      expect(await store.deleteRawBefore(T0 + 15)).toBe(2);
      const r = await store.append(packets(3), undefined, { sinceBatch: await store.appendMark() });
      expect(r).toEqual({ stored: 2, duplicates: 1 });
    },
  },
  {
    name: 'recognises records stored before the store was closed and opened again',
    async run(ctx) {
      await ctx.store.append(packets(3), undefined, { sinceBatch: 0 });
      const store = await ctx.reopen();
      const r = await store.append(packets(4), undefined, { sinceBatch: await store.appendMark() });
      expect(r).toEqual({ stored: 1, duplicates: 3 });
      expect(await total(store)).toBe(4);
    },
  },
];
