import type { Notice } from '../../core/index.js';

/** How `openRelational` opens a store, whichever the dialect. */
export interface OpenRelationalOptions {
  /**
   * Create the data directory and the store when they do not exist (default true). Commands that
   * only read pass false: a mistyped `--data` then says the store does not exist instead of
   * creating an empty one. On PostgreSQL (whose database always exists beforehand) false refuses
   * a database without Koban's tables rather than creating them.
   */
  readonly create?: boolean;
  /** Run `PRAGMA quick_check` at open (default true): a damaged file fails here, not later. SQLite only. */
  readonly check?: boolean;
  /** Where notes about tightened file modes go (default stderr). */
  readonly notice?: Notice;
}
