/** The DuckDB adapter against the contract every event store passes (../event-store.contract.ts). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventStoreContract } from '../event-store.contract.js';
import { DuckDbEventStore } from './index.js';

describeEventStoreContract('DuckDB file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'koban-duck-contract-'));
  return {
    open: () => DuckDbEventStore.open({ dataDir: dir, notice: () => {} }),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
