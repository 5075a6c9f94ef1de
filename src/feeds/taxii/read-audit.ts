/**
 * Who read which TAXII collection, how many objects, when (`taxii_reads`). A partner walking a
 * collection of a million objects makes a thousand page requests: each is counted into one row per
 * reader (the actor's audit label: which token of which user, or the session of a Basic login),
 * collection and UTC hour — one upsert per request, durable at once — and when the hour is over the
 * row is sealed into the hash-chained audit log as one `taxii.read` entry with its totals (under
 * the reader's identity, target the collection). Sealing happens on the read path at most once a
 * minute and is claimed row by row (`sealed` 0 → 1 in the transaction that appends the entry), so
 * two processes serving the same store never seal an hour twice.
 */
import { type Actor, appendAudit, type IntelService } from '../../intel/index.js';

export const HOUR_MS = 3_600_000;
/** How often the read path looks for hours to seal. */
const SEAL_EVERY_MS = 60_000;

export interface TaxiiReadRow {
  readonly collection: string;
  readonly reader: string;
  readonly userId: number | null;
  readonly orgId: number | null;
  readonly hourMs: number;
  readonly requests: number;
  readonly objects: number;
  readonly firstMs: number;
  readonly lastMs: number;
  readonly sealed: boolean;
}

export class TaxiiReadLog {
  private lastSealMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly intel: IntelService,
    private readonly now: () => number,
  ) {}

  /** Counts one read request of `objects` objects (seals the hours that are over, now and then). */
  async record(actor: Actor, collection: string, objects: number): Promise<void> {
    const t = this.now();
    const hourMs = t - (t % HOUR_MS);
    await this.intel.db
      .insertInto('taxii_reads')
      .values({
        collection,
        reader: actor.label,
        hour_ms: hourMs,
        user_id: actor.userId,
        org_id: actor.orgId,
        requests: 1,
        objects,
        first_ms: t,
        last_ms: t,
        sealed: 0,
      })
      .onConflict((oc) =>
        oc.columns(['collection', 'reader', 'hour_ms']).doUpdateSet((eb) => ({
          requests: eb('taxii_reads.requests', '+', 1),
          objects: eb('taxii_reads.objects', '+', objects),
          last_ms: t,
        })),
      )
      .execute();
    if (t - this.lastSealMs >= SEAL_EVERY_MS) {
      this.lastSealMs = t;
      await this.seal();
    }
  }

  /** Seals every hour that is over into the audit log; answers how many rows it sealed. */
  async seal(): Promise<number> {
    const t = this.now();
    const open = await this.intel.db
      .selectFrom('taxii_reads')
      .selectAll()
      .where('sealed', '=', 0)
      .where('hour_ms', '<=', t - (t % HOUR_MS) - HOUR_MS)
      .orderBy('hour_ms')
      .execute();
    let n = 0;
    for (const r of open) {
      const claimed = await this.intel.db.transaction().execute(async (tx) => {
        const u = await tx
          .updateTable('taxii_reads')
          .set({ sealed: 1 })
          .where('collection', '=', r.collection)
          .where('reader', '=', r.reader)
          .where('hour_ms', '=', r.hour_ms)
          .where('sealed', '=', 0)
          .executeTakeFirst();
        if (Number(u.numUpdatedRows) !== 1) return false;
        await appendAudit(
          tx,
          readerActor(r.reader, r.user_id, r.org_id),
          {
            action: 'taxii.read',
            targetType: 'taxii-collection',
            targetId: r.collection,
            details: {
              hour: new Date(Number(r.hour_ms)).toISOString(),
              requests: Number(r.requests),
              objects: Number(r.objects),
              first: new Date(Number(r.first_ms)).toISOString(),
              last: new Date(Number(r.last_ms)).toISOString(),
            },
          },
          t,
        );
        return true;
      });
      if (claimed) n++;
    }
    return n;
  }

  /** The rows from `sinceMs` on (the current hour's too, not yet sealed), newest hour first. */
  async list(sinceMs = 0, collection?: string): Promise<TaxiiReadRow[]> {
    let q = this.intel.db
      .selectFrom('taxii_reads')
      .selectAll()
      .where('hour_ms', '>=', sinceMs - (sinceMs % HOUR_MS));
    if (collection !== undefined) q = q.where('collection', '=', collection);
    const rows = await q.orderBy('hour_ms', 'desc').orderBy('collection').orderBy('reader').execute();
    return rows.map((r) => ({
      collection: r.collection,
      reader: r.reader,
      userId: r.user_id === null ? null : Number(r.user_id),
      orgId: r.org_id === null ? null : Number(r.org_id),
      hourMs: Number(r.hour_ms),
      requests: Number(r.requests),
      objects: Number(r.objects),
      firstMs: Number(r.first_ms),
      lastMs: Number(r.last_ms),
      sealed: Number(r.sealed) === 1,
    }));
  }
}

/** The reader as the audit entry's actor: its label, user and organisation as they read. */
function readerActor(label: string, userId: number | null, orgId: number | null): Actor {
  return {
    kind: userId === null ? 'anonymous' : 'user',
    userId: userId === null ? null : Number(userId),
    orgId: orgId === null ? null : Number(orgId),
    role: null,
    scopes: new Set(),
    label,
  };
}
