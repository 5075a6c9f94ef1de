/**
 * Retention of what detection keeps as data (docs/methods.md#what-deserves-an-alert): the scanner
 * list and the DDoS victims below the alerting rate are pruned at the cut-off of the raw events'
 * retention (`retentionDays`, observe/retention.ts), so that nothing the detectors derived outlives
 * the events it came from and the tables stay bounded. Operator alerts are not pruned: they are
 * closed by the operator (or when their episode ended) and kept as the record of what was done.
 */
import type { RelationalDb } from '../db/index.js';
import { BackscatterStatistics } from './backscatter-statistics.js';
import { ScannerStore } from './scanners.js';

export interface KeptDataPruned {
  readonly scanners: number;
  readonly backscatter: number;
}

/** Drops the scanners and backscatter statistics last seen before `cutoffMs`. */
export async function pruneKeptData(db: RelationalDb, cutoffMs: number): Promise<KeptDataPruned> {
  const scanners = await new ScannerStore(db).prune(cutoffMs);
  const backscatter = await new BackscatterStatistics(db).prune(cutoffMs);
  return { scanners, backscatter };
}
