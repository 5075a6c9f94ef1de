/**
 * Sharing with other systems (the feeds context builds STIX, and later MISP and blocklists, on
 * this): the snapshot of what a reader may see, for the caller itself or — center staff only — for
 * a chosen audience; and the campaign a partner's objects are stated to belong to.
 */
import { KobanError } from '../../core/index.js';
import type { RelationalDb } from '../../db/index.js';
import { appendAudit } from '../audit/audit.js';
import type { Actor } from '../identity/actor.js';
import { isCenter, requireCenter, requireScope } from '../labels/access.js';
import { type Tlp, TlpSchema } from '../labels/tlp.js';
import { audienceReaders } from './audience.js';
import { intersectSnapshots } from './intersect.js';
import { auditExport, readSnapshot, type SharingSnapshot } from './snapshot.js';

export class SharingService {
  constructor(
    private readonly db: RelationalDb,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * What `audience` may see (center staff choose one), else what the actor itself may see. One
   * audit row names the AMBER-or-stricter objects carried, under the actor who asked.
   */
  async snapshot(actor: Actor, audience?: string, what = 'stix'): Promise<SharingSnapshot> {
    requireScope(actor, 'indicators:read');
    let snap: SharingSnapshot;
    if (audience === undefined) snap = await readSnapshot(this.db, actor);
    else {
      requireCenter(actor, 'indicators:read');
      const readers = await audienceReaders(this.db, audience);
      const snaps: SharingSnapshot[] = [];
      for (const r of readers) snaps.push(await readSnapshot(this.db, r));
      snap = intersectSnapshots(snaps);
    }
    await auditExport(this.db, actor, snap, { format: what, audience: audience ?? 'self' }, this.now());
    return snap;
  }

  /** A campaign named by a partner (center staff): created under the center, labelled as given. */
  async createCampaign(actor: Actor, name: string, tlp: Tlp, createdMs: number): Promise<number> {
    requireCenter(actor, 'campaigns:write');
    const label = TlpSchema.parse(tlp);
    const n = name.trim().slice(0, 200);
    if (n === '') throw new KobanError('E_USAGE', 'a campaign needs a name');
    const center = await this.db
      .selectFrom('organisations')
      .select('id')
      .where('kind', '=', 'center')
      .orderBy('id')
      .executeTakeFirst();
    const nowMs = this.now();
    return this.db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto('campaigns')
        .values({
          name: n,
          tlp: label,
          org_id: center ? Number(center.id) : null,
          created_by: actor.userId,
          created_ms: Math.min(createdMs, nowMs),
          updated_ms: nowMs,
          merged_into: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const id = Number(row.id);
      await appendAudit(
        tx,
        actor,
        { action: 'campaign.import', targetType: 'campaign', targetId: id, tlp: label, details: { name: n } },
        nowMs,
      );
      return id;
    });
  }

  /** Whether the actor may state campaigns (imports by members keep only their reports). */
  static mayCreateCampaigns(actor: Actor): boolean {
    return isCenter(actor) && actor.scopes.has('campaigns:write');
  }
}
