/**
 * Each store's health for `/healthz`: a failure of its file seen since start (damage, a full
 * disk), or a cheap read through it failing now.
 */
import type { StoreStatus } from '../core/index.js';
import { type RelationalDb, relationalHealth } from '../db/index.js';
import type { EventStore } from '../observe/index.js';

async function probe(status: () => StoreStatus, read: () => Promise<unknown>): Promise<StoreStatus> {
  if (!status().ok) return status();
  try {
    await read();
    return status();
  } catch (e) {
    // A failure of the file is now recorded (named without its path); anything else as it is.
    const after = status();
    return after.ok ? { store: after.store, ok: false, error: (e as Error).message } : after;
  }
}

export async function storeHealth(events: EventStore, db: RelationalDb): Promise<StoreStatus[]> {
  return [
    await probe(
      () => events.health(),
      () => events.probe(),
    ),
    await probe(
      () => relationalHealth(db),
      () => db.selectFrom('sensors').select('name').limit(1).execute(),
    ),
  ];
}
