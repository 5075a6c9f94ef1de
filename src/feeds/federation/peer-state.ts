/**
 * Each peer's pull state, in the relational store (`federation_peers`) rather than in the memory of
 * one process: `koban serve` schedules from it, and `koban feeds peers` / `koban feeds pull`, run
 * beside a serving center, read and update the same rows. One pull of a peer at a time across
 * processes: a lease per peer (`leases`, db/lease.ts), renewed after each page, so a CLI pull and
 * the center's timed pull never walk the same cursor at once; a holder that dies loses it after the
 * lease's time.
 */
import { hostname } from 'node:os';
import { Lease, type RelationalDb } from '../../db/index.js';

/** A pull that stops renewing (crashed) gives the peer up after this long. */
export const PULL_LEASE_MS = 5 * 60_000;

export interface PeerState {
  readonly peer: string;
  readonly lastPullMs: number | null;
  readonly lastOkMs: number | null;
  readonly lastObjects: number;
  readonly objectsTotal: number;
  readonly failures: number;
  readonly lastError: string | null;
  readonly nextDueMs: number;
}

const EMPTY = {
  lastPullMs: null,
  lastOkMs: null,
  lastObjects: 0,
  objectsTotal: 0,
  failures: 0,
  lastError: null,
  nextDueMs: 0,
} as const;

export class PeerStates {
  /** This process, as a lease holder (distinct per Federation instance). */
  readonly holder = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;

  constructor(
    private readonly db: RelationalDb,
    private readonly now: () => number,
  ) {}

  async all(): Promise<Map<string, PeerState>> {
    const rows = await this.db.selectFrom('federation_peers').selectAll().execute();
    return new Map(
      rows.map((r) => [
        r.peer,
        {
          peer: r.peer,
          lastPullMs: r.last_pull_ms === null ? null : Number(r.last_pull_ms),
          lastOkMs: r.last_ok_ms === null ? null : Number(r.last_ok_ms),
          lastObjects: Number(r.last_objects),
          objectsTotal: Number(r.objects_total),
          failures: Number(r.failures),
          lastError: r.last_error,
          nextDueMs: Number(r.next_due_ms),
        },
      ]),
    );
  }

  async get(peer: string): Promise<PeerState> {
    return (await this.all()).get(peer) ?? { peer, ...EMPTY };
  }

  /**
   * Records the end of a pull at `t` (the instant its next due time was counted from): `objects`
   * received, or the error (the failures in a row go up).
   */
  async record(
    peer: string,
    outcome: { readonly ok: true; readonly objects: number } | { readonly ok: false; readonly error: string },
    failures: number,
    t: number,
    nextDueMs: number,
  ): Promise<void> {
    const held = await this.get(peer);
    const row = {
      last_pull_ms: t,
      last_ok_ms: outcome.ok ? t : held.lastOkMs,
      last_objects: outcome.ok ? outcome.objects : held.lastObjects,
      objects_total: held.objectsTotal + (outcome.ok ? outcome.objects : 0),
      failures,
      last_error: outcome.ok ? null : outcome.error.slice(0, 2000),
      next_due_ms: nextDueMs,
    };
    await this.db
      .insertInto('federation_peers')
      .values({ peer, ...row })
      .onConflict((oc) => oc.column('peer').doUpdateSet(row))
      .execute();
  }

  lease(peer: string): Lease {
    return new Lease(this.db, `federation-pull:${peer}`, this.holder, PULL_LEASE_MS, this.now);
  }

  /** Who holds the pull of a peer now, if anyone (`koban feeds peers` shows it). */
  async pulling(peer: string): Promise<{ holder: string; sinceMs: number } | null> {
    const s = await this.lease(peer).state();
    return s && s.expiresMs > this.now() ? { holder: s.holder, sinceMs: s.acquiredMs } : null;
  }
}
