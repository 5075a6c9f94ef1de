import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestRelational } from '../../../test/relational.js';
import type { RelationalDb } from '../../db/index.js';
import { GroupCommit } from './group-commit.js';

let db: RelationalDb;
let close: () => Promise<void>;

beforeEach(async () => {
  ({ db, close } = await openTestRelational());
});
afterEach(async () => {
  await close();
});

const addOrg = (name: string) => async (tx: RelationalDb) => {
  const r = await tx
    .insertInto('organisations')
    .values({ name, kind: 'isp', sector: null, prefecture: null, domains: '[]', active: 1, created_ms: 0 })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
};

describe('group commit', () => {
  it('commits work that arrives during a transaction together in the next one', async () => {
    const seen: unknown[] = [];
    const gc = new GroupCommit<number>(db);
    const track = (name: string) => async (tx: RelationalDb) => {
      seen.push(tx);
      return addOrg(name)(tx);
    };
    const ids = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((n) => gc.run(track(n))));
    expect(ids).toEqual([1, 2, 3, 4, 5]);
    // The first starts alone; the four queued behind it share one transaction.
    expect(new Set(seen).size).toBe(2);
    expect(seen.slice(1).every((tx) => tx === seen[1])).toBe(true);
  });

  it('fails only the faulty member of a batch and commits the others', async () => {
    const gc = new GroupCommit<number>(db);
    const results = await Promise.allSettled([
      gc.run(addOrg('a')),
      gc.run(addOrg('b')),
      gc.run(addOrg('b')),
      gc.run(addOrg('c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const names = await db.selectFrom('organisations').select('name').orderBy('name').execute();
    expect(names.map((n) => n.name)).toEqual(['a', 'b', 'c']);
  });
});
