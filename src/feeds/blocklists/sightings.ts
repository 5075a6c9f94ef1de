/**
 * Sightings back from the service-provider council: a provider reports that one of its customers
 * connected to a C2 destination on its list, at a time. The customer is named only by the
 * provider's own hash of it; the center re-hashes that with a per-provider secret salt
 * (HMAC-SHA256; the salt is random, sealed at rest under the center's secret key) and keeps only
 * the result, so its rows neither hold the provider's hash as given nor let one provider's
 * customers be joined with another's — a leaked database does not link back to the provider's
 * hash list without the key. The center sees per destination and per campaign how many distinct
 * customers of how many providers were seen; a provider sees its own, and learns in the answer to
 * its report which of the customers it just named are newly infected (first seen by the center),
 * with the pseudonym the center files them under (`customer_key`) so it can follow them later in
 * `GET /api/v1/feeds/sightings/mine`. docs/sharing.md#sightings.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { KobanError } from '../../core/index.js';
import { type Actor, canonicalIndicator, type IntelService, isCenter } from '../../intel/index.js';
import { BLOCKABLE_TYPES, type BlocklistEntry } from './entries.js';
import { type BlocklistService, PROVIDER_KINDS } from './service.js';

/** A provider's hash: hex (MD5 … SHA-512) or base64/base64url of at least 128 bits. */
const HASH_RE = /^(?:[0-9a-fA-F]{32,128}|[A-Za-z0-9+/_-]{22,88}={0,2})$/;
/** How far in the future a sighting may be dated (clock skew). */
const SKEW_MS = 5 * 60_000;
const YEAR_MS = 366 * 86_400_000;
export const MAX_SIGHTINGS = 10_000;

export const SightingInputSchema = z.object({
  value: z.string().trim().min(1).max(2048),
  customer_hash: z
    .string()
    .trim()
    .regex(
      HASH_RE,
      'customer_hash must be the provider’s hash of its customer (hex or base64, ≥128 bits), never the customer itself',
    ),
  seen: z.union([
    z
      .number()
      .int()
      .nonnegative()
      .transform((s) => s * 1000),
    z
      .string()
      .datetime({ offset: true })
      .transform((s) => Date.parse(s)),
  ]),
});
export type SightingInput = z.input<typeof SightingInputSchema>;

export interface SightingRejection {
  /** Position in the body (1-based; CSV: the data row). */
  readonly index: number;
  readonly reason: string;
}

export interface NewInfected {
  readonly customer_hash: string;
  readonly customer_key: string;
  readonly value: string;
  readonly campaigns: readonly string[];
}

export interface SightingReceipt {
  readonly accepted: number;
  readonly rejected: readonly SightingRejection[];
  readonly newInfected: readonly NewInfected[];
}

export interface DestinationSightings {
  readonly type: string;
  readonly value: string;
  readonly customers: number;
  readonly providers: number;
  readonly campaigns: readonly string[];
}

export interface CampaignSightings {
  readonly campaign: string;
  readonly destinations: number;
  readonly customers: number;
  readonly providers: number;
}

/** CSV with a header naming value, customer_hash, seen (RFC 4180 fields without embedded commas). */
export function sightingsFromCsv(text: string): unknown[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const head = (lines.shift() ?? '').split(',').map((h) => h.trim().toLowerCase());
  const at = (k: string) => head.indexOf(k);
  if (at('value') < 0 || at('customer_hash') < 0 || at('seen') < 0)
    throw new KobanError('E_FORMAT', 'the CSV needs a header row naming value, customer_hash and seen');
  return lines.map((l) => {
    const f = l.split(',').map((x) => x.trim().replace(/^"(.*)"$/, '$1'));
    const seen = f[at('seen')] ?? '';
    return {
      value: f[at('value')],
      customer_hash: f[at('customer_hash')],
      seen: /^\d+$/.test(seen) ? Number(seen) : seen,
    };
  });
}

export class SightingService {
  private readonly salts = new Map<number, Buffer>();

  constructor(
    private readonly intel: IntelService,
    private readonly blocklists: BlocklistService,
    private readonly now: () => number = Date.now,
  ) {}

  private get db() {
    return this.intel.db;
  }

  /** The provider organisation the actor reports for; E_FORBIDDEN for anyone else. */
  async requireProvider(actor: Actor): Promise<number> {
    const org = actor.orgId === null ? null : await this.intel.orgs.get(actor.orgId);
    if (!org || !PROVIDER_KINDS.includes(org.kind))
      throw new KobanError(
        'E_FORBIDDEN',
        `sightings come from organisations of kind ${PROVIDER_KINDS.join(' or ')}`,
      );
    return org.id;
  }

  /** The provider's salt, made (random, sealed) at its first sighting. */
  private async salt(orgId: number): Promise<Buffer> {
    const cached = this.salts.get(orgId);
    if (cached) return cached;
    const purpose = `provider-salt:${orgId}`;
    let row = await this.db
      .selectFrom('provider_salts')
      .select('salt_sealed')
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    if (!row) {
      const sealed = this.intel.secrets.seal(randomBytes(32).toString('hex'), purpose);
      await this.db
        .insertInto('provider_salts')
        .values({ org_id: orgId, salt_sealed: sealed, created_ms: this.now() })
        .onConflict((oc) => oc.column('org_id').doNothing())
        .execute();
      row = await this.db
        .selectFrom('provider_salts')
        .select('salt_sealed')
        .where('org_id', '=', orgId)
        .executeTakeFirstOrThrow();
    }
    const salt = Buffer.from(this.intel.secrets.open(row.salt_sealed, purpose), 'hex');
    this.salts.set(orgId, salt);
    return salt;
  }

  /** Finds the listed destination a submitted value is, whatever its spelling (canonical forms). */
  private static match(list: ReadonlyMap<string, BlocklistEntry>, value: string): BlocklistEntry | null {
    for (const t of BLOCKABLE_TYPES) {
      const c = canonicalIndicator(t, value);
      const hit = c ? list.get(`${c.type}:${c.value}`) : undefined;
      if (hit) return hit;
    }
    return null;
  }

  /** Records a provider's sightings, row by row; a bad row is one rejection, the rest is kept. */
  async report(actor: Actor, rows: readonly unknown[]): Promise<SightingReceipt> {
    const orgId = await this.requireProvider(actor);
    if (rows.length > MAX_SIGHTINGS)
      throw new KobanError('E_LIMIT', `${rows.length} sightings; at most ${MAX_SIGHTINGS} in one request`);
    const { all } = await this.blocklists.destinations(actor);
    const list = new Map(all.map((e) => [`${e.type}:${e.value}`, e]));
    const salt = await this.salt(orgId);
    const nowMs = this.now();
    const rejected: SightingRejection[] = [];
    const newInfected: NewInfected[] = [];
    const known = new Set<string>();
    let accepted = 0;
    await this.db.transaction().execute(async (tx) => {
      for (const [i, raw] of rows.entries()) {
        const p = SightingInputSchema.safeParse(raw);
        if (!p.success) {
          const x = p.error.issues[0]!;
          rejected.push({ index: i + 1, reason: `${x.path.join('.') || 'row'}: ${x.message}` });
          continue;
        }
        const s = p.data;
        if (s.seen > nowMs + SKEW_MS || s.seen < nowMs - YEAR_MS) {
          rejected.push({ index: i + 1, reason: 'seen must lie within the past year and not in the future' });
          continue;
        }
        const dest = SightingService.match(list, s.value);
        if (!dest) {
          rejected.push({ index: i + 1, reason: `${s.value} is not a C2 destination on your list` });
          continue;
        }
        const hash = /^[0-9a-fA-F]+$/.test(s.customer_hash) ? s.customer_hash.toLowerCase() : s.customer_hash;
        const key = createHmac('sha256', salt).update(hash, 'utf8').digest('hex');
        if (!known.has(key)) {
          const before = await tx
            .selectFrom('provider_sightings')
            .select('customer_key')
            .where('provider_org_id', '=', orgId)
            .where('customer_key', '=', key)
            .executeTakeFirst();
          if (!before)
            newInfected.push({
              customer_hash: s.customer_hash,
              customer_key: key,
              value: dest.value,
              campaigns: dest.campaigns,
            });
          known.add(key);
        }
        const held = await tx
          .selectFrom('provider_sightings')
          .select(['first_seen_ms', 'last_seen_ms', 'count'])
          .where('provider_org_id', '=', orgId)
          .where('type', '=', dest.type)
          .where('value', '=', dest.value)
          .where('customer_key', '=', key)
          .executeTakeFirst();
        if (held)
          await tx
            .updateTable('provider_sightings')
            .set({
              first_seen_ms: Math.min(Number(held.first_seen_ms), s.seen),
              last_seen_ms: Math.max(Number(held.last_seen_ms), s.seen),
              count: Number(held.count) + 1,
            })
            .where('provider_org_id', '=', orgId)
            .where('type', '=', dest.type)
            .where('value', '=', dest.value)
            .where('customer_key', '=', key)
            .execute();
        else
          await tx
            .insertInto('provider_sightings')
            .values({
              provider_org_id: orgId,
              type: dest.type,
              value: dest.value,
              customer_key: key,
              first_seen_ms: s.seen,
              last_seen_ms: s.seen,
              count: 1,
              received_ms: nowMs,
            })
            .execute();
        accepted++;
      }
    });
    return { accepted, rejected, newInfected };
  }

  /**
   * Per destination and per campaign: distinct customers and providers seen. Center staff see
   * every provider's; a provider sees its own (its customers, providers = 1).
   */
  async summary(
    actor: Actor,
  ): Promise<{ destinations: DestinationSightings[]; campaigns: CampaignSightings[] }> {
    const own = isCenter(actor) ? null : await this.requireProvider(actor);
    let q = this.db
      .selectFrom('provider_sightings')
      .select(['provider_org_id', 'type', 'value', 'customer_key']);
    if (own !== null) q = q.where('provider_org_id', '=', own);
    const rows = await q.execute();
    const { all } = await this.blocklists.destinations(actor);
    const campaignsOf = new Map(all.map((e) => [`${e.type}:${e.value}`, e.campaigns]));
    const dests = new Map<
      string,
      { type: string; value: string; customers: Set<string>; providers: Set<number> }
    >();
    const camps = new Map<string, { dests: Set<string>; customers: Set<string>; providers: Set<number> }>();
    for (const r of rows) {
      const k = `${r.type}:${r.value}`;
      const who = `${r.provider_org_id}:${r.customer_key}`;
      const d = dests.get(k) ?? { type: r.type, value: r.value, customers: new Set(), providers: new Set() };
      d.customers.add(who);
      d.providers.add(Number(r.provider_org_id));
      dests.set(k, d);
      for (const c of campaignsOf.get(k) ?? []) {
        const x = camps.get(c) ?? { dests: new Set(), customers: new Set(), providers: new Set() };
        x.dests.add(k);
        x.customers.add(who);
        x.providers.add(Number(r.provider_org_id));
        camps.set(c, x);
      }
    }
    return {
      destinations: [...dests.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, d]) => ({
          type: d.type,
          value: d.value,
          customers: d.customers.size,
          providers: d.providers.size,
          campaigns: campaignsOf.get(k) ?? [],
        })),
      campaigns: [...camps.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([campaign, x]) => ({
          campaign,
          destinations: x.dests.size,
          customers: x.customers.size,
          providers: x.providers.size,
        })),
    };
  }

  /** A provider's own infected customers first received after `sinceMs` (pseudonyms, destinations). */
  async mine(actor: Actor, sinceMs: number) {
    const orgId = await this.requireProvider(actor);
    const rows = await this.db
      .selectFrom('provider_sightings')
      .select(['customer_key', 'type', 'value', 'first_seen_ms', 'last_seen_ms', 'count', 'received_ms'])
      .where('provider_org_id', '=', orgId)
      .where('received_ms', '>', sinceMs)
      .orderBy('received_ms')
      .orderBy('customer_key')
      .limit(MAX_SIGHTINGS)
      .execute();
    return rows.map((r) => ({
      customer_key: r.customer_key,
      type: r.type,
      value: r.value,
      first_seen: new Date(Number(r.first_seen_ms)).toISOString(),
      last_seen: new Date(Number(r.last_seen_ms)).toISOString(),
      count: Number(r.count),
      received: new Date(Number(r.received_ms)).toISOString(),
    }));
  }
}
