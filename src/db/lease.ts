/**
 * A lease in the relational store: one holder at a time for a named job, for `ttlMs` after its last
 * renewal (docs/scale.md: one process runs the detectors, a lease picks it). Taking and
 * renewing is one upsert that only overwrites the row when it is this holder's or has expired, so
 * two nodes racing for it cannot both win (SQLite and PostgreSQL both apply `ON CONFLICT … DO
 * UPDATE … WHERE` atomically). A holder that stops renewing (crashed, partitioned) loses the job
 * after `ttlMs`; clocks of the nodes are assumed to agree within a small part of it.
 */
import type { RelationalDb } from './index.js';

export interface LeaseState {
  readonly holder: string;
  readonly expiresMs: number;
  readonly acquiredMs: number;
}

export class Lease {
  constructor(
    private readonly db: RelationalDb,
    readonly name: string,
    readonly holder: string,
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes the lease or renews it; true when this holder has it for the next `ttlMs`. */
  async acquire(): Promise<boolean> {
    const t = this.now();
    await this.db
      .insertInto('leases')
      .values({ name: this.name, holder: this.holder, expires_ms: t + this.ttlMs, acquired_ms: t })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet((eb) => ({
            holder: this.holder,
            expires_ms: t + this.ttlMs,
            // Kept on renewal, reset on takeover.
            acquired_ms: eb
              .case()
              .when('leases.holder', '=', this.holder)
              .then(eb.ref('leases.acquired_ms'))
              .else(t)
              .end(),
          }))
          .where((eb) => eb.or([eb('leases.holder', '=', this.holder), eb('leases.expires_ms', '<=', t)])),
      )
      .execute();
    const s = await this.state();
    return s !== undefined && s.holder === this.holder && s.expiresMs > t;
  }

  /** Gives the lease up now (if held), so another node need not wait for it to expire. */
  async release(): Promise<void> {
    await this.db
      .deleteFrom('leases')
      .where('name', '=', this.name)
      .where('holder', '=', this.holder)
      .execute();
  }

  async state(): Promise<LeaseState | undefined> {
    const r = await this.db
      .selectFrom('leases')
      .select(['holder', 'expires_ms', 'acquired_ms'])
      .where('name', '=', this.name)
      .executeTakeFirst();
    return r && { holder: r.holder, expiresMs: Number(r.expires_ms), acquiredMs: Number(r.acquired_ms) };
  }
}
