/**
 * Health of one store file (the DuckDB event store, the SQLite relational store). Each adapter
 * classifies its engine's errors; a failure of the file itself (damaged, not a database, the disk
 * full or unreadable) becomes one `E_STORE` error naming the file and what to do, and is remembered
 * so `/healthz` reports it. Damage is remembered until the process restarts (a restart checks the
 * file again); a transient failure (no space, an I/O error) until the next successful write.
 */
import { basename } from 'node:path';
import { KobanError } from './errors.js';

export type StoreFault = 'damaged' | 'not-a-store' | 'io';

export interface StoreStatus {
  /** `events` or `relational`. */
  readonly store: string;
  readonly ok: boolean;
  /** The file's name (not its path: health answers may be public) and the problem. */
  readonly error?: string;
}

const ADVICE: Record<StoreFault, string> = {
  damaged:
    'the file is damaged: stop Koban, move the file aside and restore it from the last backup (README, "Damaged stores")',
  'not-a-store':
    'the file is not a store Koban can read (overwritten, or another program’s file): restore it from the last backup (README, "Damaged stores")',
  io: 'check the disk (free space, permissions, errors in the system log), then retry',
};

/** The one-line error for a failed store file: the path, what went wrong, what to do. */
export function storeError(path: string, fault: StoreFault, problem: string, cause?: unknown): KobanError {
  const detail = problem.replace(/\s+/g, ' ').trim();
  return new KobanError('E_STORE', `${path}: ${detail}; ${ADVICE[fault]}`, cause ? { cause } : undefined);
}

export class StoreHealth {
  private fault: { kind: StoreFault; problem: string } | null = null;

  constructor(
    readonly store: string,
    /** The file's path; null for an in-memory store. */
    readonly path: string | null,
  ) {}

  /** Records the failure and returns the error to throw in place of the engine's. */
  fail(fault: StoreFault, problem: string, cause?: unknown): KobanError {
    // Damage outranks a later transient error: the file stays damaged.
    if (this.fault?.kind !== 'damaged' || fault === 'damaged') this.fault = { kind: fault, problem };
    return storeError(this.path ?? `the in-memory ${this.store} store`, fault, problem, cause);
  }

  /** A write went through: a transient fault is over. */
  wrote(): void {
    if (this.fault?.kind === 'io') this.fault = null;
  }

  status(): StoreStatus {
    if (!this.fault) return { store: this.store, ok: true };
    const name = this.path ? basename(this.path) : this.store;
    return { store: this.store, ok: false, error: `${name}: ${this.fault.problem}` };
  }
}
