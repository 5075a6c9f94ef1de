/**
 * The contract every `EventStore` adapter passes: behaviour of the port (ports/) through its public
 * methods only, with exact values on small hand-built event sets. An adapter's test runs it once:
 *
 *   describeEventStoreContract('DuckDB', () => ({ open: …, dispose: … }));
 *
 * (duckdb/duckdb-store.contract.test.ts). What an engine does beyond the port — file damage, file
 * modes, how rollups are compacted — is tested beside its adapter. Not part of the build: the
 * suite runs under vitest only.
 */
import { afterEach, beforeEach, describe, it } from 'vitest';
import { ADDRESS_CASES } from './contract/addresses.contract.js';
import { AGGREGATE_CASES } from './contract/aggregates.contract.js';
import { APPEND_CASES } from './contract/appends.contract.js';
import { DEDUP_CASES } from './contract/dedup.contract.js';
import { DETECTION_CASES } from './contract/detection.contract.js';
import { INBOUND_CASES } from './contract/inbound.contract.js';
import { MAINTENANCE_CASES } from './contract/maintenance.contract.js';
import { SOURCE_CASES } from './contract/sources.contract.js';
import type { EventStore } from './ports/event-store.js';

/** One test's store, as the adapter provides it. */
export interface EventStoreFixture {
  /**
   * Opens the test's store: a new, empty one on the first call; the same one again (everything
   * stored so far) on later calls, after the previous handle was closed.
   */
  open(): Promise<EventStore>;
  /** Removes what the test's store left (files, a database), once its handles are closed. */
  dispose(): Promise<void>;
}

/** What each part of the contract works on. */
export interface ContractContext {
  /** The test's open store (a new one for each test). */
  readonly store: EventStore;
  /** Closes the test's store and opens it again: what was stored must still be there. */
  reopen(): Promise<EventStore>;
}

/** One behaviour of the port: a test every adapter runs. */
export interface ContractCase {
  /** What the store does, as a sentence. */
  readonly name: string;
  run(ctx: ContractContext): Promise<void>;
}

/** The contract, part by part. */
const PARTS: readonly [string, readonly ContractCase[]][] = [
  ['appends and the ledger', APPEND_CASES],
  ['recognising records another source stored', DEDUP_CASES],
  ['aggregates, activity and summary', AGGREGATE_CASES],
  ['distinct sources', SOURCE_CASES],
  ['detection rows', DETECTION_CASES],
  ['inbound rows per monitored address', INBOUND_CASES],
  ['addresses hit and destinations seen', ADDRESS_CASES],
  ['maintenance, health and persistence', MAINTENANCE_CASES],
];

export interface ContractOptions {
  /** Why the adapter's engine is not available here (the suite is then skipped, and says so). */
  readonly skip?: string | undefined;
  /**
   * Cases the adapter does not meet yet, by name, each with what is missing: reported as skipped
   * with that reason (never passed), so the gap stays visible in every run until it is closed.
   */
  readonly notYet?: Readonly<Record<string, string>> | undefined;
}

export function describeEventStoreContract(
  name: string,
  fixture: () => EventStoreFixture,
  options: ContractOptions = {},
): void {
  const title = `EventStore contract: ${name}${options.skip ? ` (skipped: ${options.skip})` : ''}`;
  const known = new Set(PARTS.flatMap(([, cases]) => cases.map((c) => c.name)));
  for (const n of Object.keys(options.notYet ?? {}))
    if (!known.has(n)) throw new Error(`notYet names no contract case: ${n}`);
  describe.skipIf(options.skip !== undefined)(title, () => {
    let current: EventStoreFixture | null = null;
    let store: EventStore | null = null;
    const handles: EventStore[] = [];
    const ctx: ContractContext = {
      get store(): EventStore {
        if (!store) throw new Error('no store is open');
        return store;
      },
      async reopen() {
        await ctx.store.close();
        store = await current!.open();
        handles.push(store);
        return store;
      },
    };
    beforeEach(async () => {
      current = fixture();
      store = await current.open();
      handles.push(store);
    });
    afterEach(async () => {
      for (const h of handles.splice(0)) await h.close().catch(() => undefined);
      await current?.dispose();
      store = null;
      current = null;
    });
    for (const [part, cases] of PARTS) {
      describe(part, () => {
        for (const c of cases) {
          const missing = options.notYet?.[c.name];
          if (missing === undefined) it(c.name, () => c.run(ctx));
          else it.skip(`${c.name} (not yet on this adapter: ${missing})`, () => c.run(ctx));
        }
      });
    }
  });
}
