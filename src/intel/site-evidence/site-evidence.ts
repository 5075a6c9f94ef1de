/**
 * Evidence from websites under the `allow-and-record` policy (docs/anonymizer.md#site-evidence): a
 * site posts what it recorded of a request from an address the center lists as an anonymizer —
 * when, which account, the hash of the content posted, the headers it chose to keep — and the
 * center keeps it write-once (`site_evidence`: no UPDATE or DELETE, by trigger), with the center's
 * own anonymizer answer for that time, under the chain of custody the reported files use: the
 * record's canonical JSON is hashed into an `evidence` row, and `received` and every `viewed` are
 * rows of the keyed hash chain `custody` (audit/keyed-chain.ts), each also in the audit log.
 *
 * Only center staff holding `evidence:read` read it (an investigator): the site that posted it
 * does not read it back, other members never. The web context checks the site's policy and the
 * listing (the anon context) before it calls `record`: intel does not depend on anon.
 */
import { createHash } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { KobanError } from '../../core/index.js';
import type { Database, RelationalDb } from '../../db/index.js';
import { appendAudit } from '../audit/audit.js';
import { canonicalJson } from '../audit/chain.js';
import type { Actor } from '../identity/actor.js';
import { requireCenter } from '../labels/access.js';
import { appendCustody } from '../reports/index.js';

export const SITE_EVIDENCE_MEDIA_TYPE = 'application/vnd.koban.site-evidence+json';
const MAX_LIST = 500;

/** What a site posts (already validated at the boundary), with the center's answer then. */
export interface SiteEvidenceInput {
  readonly requestMs: number;
  readonly ip: string;
  readonly port: number | null;
  readonly account: string | null;
  readonly contentSha256: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly note: string | null;
  /** The center's anonymizer answer for `ip` at `requestMs`: the evidence of the listing. */
  readonly listing: Record<string, unknown>;
}

export interface SiteEvidenceView {
  readonly id: number;
  /** SHA-256 of the record's canonical JSON (RFC 8785 rules, audit/chain.ts): its custody key. */
  readonly recordSha256: string;
  readonly siteOrgId: number;
  readonly receivedMs: number;
  readonly requestMs: number;
  readonly ip: string;
  readonly port: number | null;
  readonly account: string | null;
  readonly contentSha256: string;
  readonly headers: Record<string, string>;
  readonly note: string | null;
  readonly listing: Record<string, unknown>;
  readonly postedBy: string;
}

export interface SiteEvidenceFilter {
  readonly ip?: string;
  readonly siteOrgId?: number;
  /** Only records older than this id (keyset paging: the last id of the page before). */
  readonly beforeId?: number;
  readonly limit?: number;
}

type Row = Selectable<Database['site_evidence']>;

/**
 * The hashed record: what the site said, and who it is. The center's answer is left out — it is
 * the center's, and a list imported later could change it; the site's record alone decides
 * whether a post repeats an earlier one.
 */
function recordHash(orgId: number, r: SiteEvidenceInput): { sha256: string; bytes: number } {
  const json = canonicalJson({
    orgId,
    requestMs: r.requestMs,
    ip: r.ip,
    port: r.port,
    account: r.account,
    contentSha256: r.contentSha256,
    headers: r.headers,
    note: r.note,
  });
  return { sha256: createHash('sha256').update(json).digest('hex'), bytes: Buffer.byteLength(json) };
}

function view(r: Row): SiteEvidenceView {
  return {
    id: Number(r.id),
    recordSha256: r.record_sha256,
    siteOrgId: Number(r.org_id),
    receivedMs: Number(r.received_ms),
    requestMs: Number(r.request_ms),
    ip: r.ip,
    port: r.port === null ? null : Number(r.port),
    account: r.account,
    contentSha256: r.content_sha256,
    headers: JSON.parse(r.headers) as Record<string, string>,
    note: r.note,
    listing: JSON.parse(r.listing) as Record<string, unknown>,
    postedBy: r.actor_label,
  };
}

export class SiteEvidenceStore {
  constructor(
    private readonly db: RelationalDb,
    private readonly now: () => number,
  ) {}

  /**
   * Keeps a site's record write-once. The same record posted again (same site, same fields) is
   * the row kept the first time (`created: false`), with no new custody entry: a retry after a
   * lost answer must not look like a second request.
   */
  async record(
    actor: Actor,
    input: SiteEvidenceInput,
  ): Promise<{ view: SiteEvidenceView; created: boolean }> {
    if (actor.kind !== 'user' || actor.orgId === null)
      throw new KobanError('E_FORBIDDEN', `${actor.label}: only a site's own token posts its evidence`);
    const orgId = actor.orgId;
    const { sha256, bytes } = recordHash(orgId, input);
    const held = await this.byHash(sha256);
    if (held) return { view: held, created: false };
    const atMs = this.now();
    try {
      const id = await this.db
        .transaction()
        .execute((tx) => this.insert(tx, actor, orgId, input, sha256, bytes, atMs));
      const kept = await this.byHash(sha256);
      if (!kept || kept.id !== id) throw new KobanError('E_STORE', `site evidence ${sha256} was not kept`);
      return { view: kept, created: true };
    } catch (e) {
      // Two posts of one record at once: the second loses on the unique hash and answers the first.
      const raced = await this.byHash(sha256);
      if (raced) return { view: raced, created: false };
      throw e;
    }
  }

  private async insert(
    tx: Kysely<Database>,
    actor: Actor,
    orgId: number,
    r: SiteEvidenceInput,
    sha256: string,
    bytes: number,
    atMs: number,
  ): Promise<number> {
    await tx
      .insertInto('evidence')
      .values({ sha256, size_bytes: bytes, media_type: SITE_EVIDENCE_MEDIA_TYPE, first_received_ms: atMs })
      .execute();
    const row = await tx
      .insertInto('site_evidence')
      .values({
        record_sha256: sha256,
        org_id: orgId,
        received_ms: atMs,
        request_ms: r.requestMs,
        ip: r.ip,
        port: r.port,
        account: r.account,
        content_sha256: r.contentSha256,
        headers: JSON.stringify(r.headers),
        note: r.note,
        listing: JSON.stringify(r.listing),
        actor_label: actor.label,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = Number(row.id);
    const details = { siteEvidenceId: id, siteOrgId: orgId };
    await appendCustody(tx, actor, { sha256, reportId: null, action: 'received', details }, atMs);
    await appendAudit(
      tx,
      actor,
      { action: 'site-evidence.record', targetType: 'site-evidence', targetId: id, details: { sha256 } },
      atMs,
    );
    return id;
  }

  /** Investigators only; each record returned is a `viewed` custody entry, the list one audit row. */
  async list(actor: Actor, filter: SiteEvidenceFilter = {}): Promise<SiteEvidenceView[]> {
    requireCenter(actor, 'evidence:read');
    let q = this.db.selectFrom('site_evidence').selectAll().orderBy('id', 'desc');
    if (filter.ip !== undefined) q = q.where('ip', '=', filter.ip);
    if (filter.siteOrgId !== undefined) q = q.where('org_id', '=', filter.siteOrgId);
    if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
    const rows = await q.limit(Math.min(Math.max(filter.limit ?? 100, 1), MAX_LIST)).execute();
    const views = rows.map(view);
    await this.viewed(actor, views, { action: 'site-evidence.list', targetId: null, filter });
    return views;
  }

  /** One record for an investigator; E_NOT_FOUND for an id that does not exist. */
  async get(actor: Actor, id: number): Promise<SiteEvidenceView> {
    requireCenter(actor, 'evidence:read');
    const row = await this.db.selectFrom('site_evidence').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new KobanError('E_NOT_FOUND', `no site evidence ${id}`);
    const v = view(row);
    await this.viewed(actor, [v], { action: 'site-evidence.read', targetId: id, filter: {} });
    return v;
  }

  private async viewed(
    actor: Actor,
    views: readonly SiteEvidenceView[],
    a: { action: string; targetId: number | null; filter: SiteEvidenceFilter },
  ): Promise<void> {
    const atMs = this.now();
    await this.db.transaction().execute(async (tx) => {
      for (const v of views) {
        const details = { siteEvidenceId: v.id, siteOrgId: v.siteOrgId };
        await appendCustody(
          tx,
          actor,
          { sha256: v.recordSha256, reportId: null, action: 'viewed', details },
          atMs,
        );
      }
      await appendAudit(
        tx,
        actor,
        {
          action: a.action,
          targetType: 'site-evidence',
          targetId: a.targetId,
          details: { ids: views.map((v) => v.id), ...a.filter },
        },
        atMs,
      );
    });
  }

  private async byHash(sha256: string): Promise<SiteEvidenceView | null> {
    const row = await this.db
      .selectFrom('site_evidence')
      .selectAll()
      .where('record_sha256', '=', sha256)
      .executeTakeFirst();
    return row ? view(row) : null;
  }
}
