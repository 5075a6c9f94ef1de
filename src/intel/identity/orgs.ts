/**
 * Organisations of the network: the center, its members (companies, local governments,
 * critical-infrastructure operators) and partners (security-service providers, antivirus vendors,
 * ISPs, banks, partner centers), each with a sector and a prefecture (docs/background.md#sharing-network).
 * An organisation's own mail domains are private in its reports. Membership itself is not public:
 * members see their own organisation, the center sees all.
 */
import { domainToASCII } from 'node:url';
import { z } from 'zod';
import { KobanError } from '../../core/index.js';
import type { RelationalDb } from '../../db/index.js';
import { appendAudit } from '../audit/audit.js';
import { parseInput } from '../input.js';
import { requireCenter } from '../labels/access.js';
import type { Actor } from './actor.js';
import { endSessionsWhere } from './credentials.js';
import { canonicalPrefecture } from './prefectures.js';

export const ORG_KINDS = [
  'center',
  'member-company',
  'local-government',
  'critical-infrastructure',
  'security-service-provider',
  'antivirus-vendor',
  'isp',
  'bank',
  'partner-center',
  // A site that asks the anonymizer database about its visitors and sets a policy for them
  // (docs/anonymizer.md#site-policies).
  'website-operator',
] as const;
export const OrgKindSchema = z.enum(ORG_KINDS);
export type OrgKind = z.infer<typeof OrgKindSchema>;

export const NewOrgSchema = z.object({
  name: z.string().trim().min(1).max(200),
  kind: OrgKindSchema,
  /** Free-form lower-case key (`manufacturing`, `gas`, `railway`, `local-government` …). */
  sector: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and hyphens (at most 40)')
    .optional(),
  prefecture: z
    .string()
    .transform((s, ctx) => {
      const p = canonicalPrefecture(s);
      if (p === null) {
        ctx.addIssue({
          code: 'custom',
          message: `"${s}" is not a prefecture (JIS code, English or Japanese name)`,
        });
        return z.NEVER;
      }
      return p;
    })
    .optional(),
  domains: z
    .array(z.string())
    .default([])
    .transform((list, ctx) =>
      list.map((d) => {
        const a = domainToASCII(d.trim().replace(/\.$/, '')).toLowerCase();
        if (a === '' || !a.includes('.'))
          ctx.addIssue({ code: 'custom', message: `"${d}" is not a domain name` });
        return a;
      }),
    ),
});
export type NewOrg = z.input<typeof NewOrgSchema>;

export interface Organisation {
  readonly id: number;
  readonly name: string;
  readonly kind: OrgKind;
  readonly sector: string | null;
  readonly prefecture: string | null;
  readonly domains: readonly string[];
  readonly active: boolean;
  readonly createdMs: number;
}

type Row = {
  id: number;
  name: string;
  kind: string;
  sector: string | null;
  prefecture: string | null;
  domains: string;
  active: number;
  created_ms: number;
};

function toOrg(r: Row): Organisation {
  return {
    id: Number(r.id),
    name: r.name,
    kind: OrgKindSchema.parse(r.kind),
    sector: r.sector,
    prefecture: r.prefecture,
    domains: JSON.parse(r.domains) as string[],
    active: Number(r.active) === 1,
    createdMs: Number(r.created_ms),
  };
}

export class OrgService {
  constructor(
    private readonly db: RelationalDb,
    private readonly now: () => number = Date.now,
  ) {}

  async add(actor: Actor, input: NewOrg): Promise<Organisation> {
    requireCenter(actor, 'orgs:admin');
    const o = parseInput(NewOrgSchema, input, 'organisation');
    const nowMs = this.now();
    const id = await this.db.transaction().execute(async (tx) => {
      const dup = await tx
        .selectFrom('organisations')
        .select('id')
        .where('name', '=', o.name)
        .executeTakeFirst();
      if (dup) throw new KobanError('E_CONFLICT', `an organisation named "${o.name}" already exists`);
      const inserted = await tx
        .insertInto('organisations')
        .values({
          name: o.name,
          kind: o.kind,
          sector: o.sector ?? null,
          prefecture: o.prefecture ?? null,
          domains: JSON.stringify(o.domains),
          active: 1,
          created_ms: nowMs,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await appendAudit(
        tx,
        actor,
        {
          action: 'org.create',
          targetType: 'org',
          targetId: inserted.id,
          details: { name: o.name, kind: o.kind, sector: o.sector ?? null, prefecture: o.prefecture ?? null },
        },
        nowMs,
      );
      return Number(inserted.id);
    });
    return (await this.get(id))!;
  }

  /** One organisation by id (internal: no access check; callers decide what to reveal). */
  async get(id: number): Promise<Organisation | null> {
    const r = await this.db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toOrg(r as Row) : null;
  }

  async byName(name: string): Promise<Organisation | null> {
    const r = await this.db
      .selectFrom('organisations')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return r ? toOrg(r as Row) : null;
  }

  async requireByName(name: string): Promise<Organisation> {
    const o = await this.byName(name);
    if (!o) throw new KobanError('E_NOT_FOUND', `no organisation named "${name}"`);
    return o;
  }

  /** The center sees every organisation; a member sees its own; the public none. */
  async list(actor: Actor): Promise<Organisation[]> {
    let q = this.db.selectFrom('organisations').selectAll().orderBy('name');
    if (actor.kind === 'anonymous') return [];
    if (actor.kind === 'user' && actor.role !== 'center-admin' && actor.role !== 'analyst') {
      q = q.where('id', '=', actor.orgId ?? -1);
    }
    return (await q.execute()).map((r) => toOrg(r as Row));
  }

  /**
   * Disables an organisation (center admins): every credential of its users stops at once (checked
   * on each request), its open sessions are ended, and nobody of it can log in until it is enabled.
   * The center itself cannot be disabled — that would lock out everyone who could enable it.
   */
  async disable(actor: Actor, id: number): Promise<Organisation> {
    return this.setActive(actor, id, false);
  }

  async enable(actor: Actor, id: number): Promise<Organisation> {
    return this.setActive(actor, id, true);
  }

  private async setActive(actor: Actor, id: number, active: boolean): Promise<Organisation> {
    requireCenter(actor, 'orgs:admin');
    if (actor.kind === 'user' && actor.role !== 'center-admin')
      throw new KobanError(
        'E_FORBIDDEN',
        `${actor.label}: only center admins disable or enable organisations`,
      );
    const org = await this.get(id);
    if (!org) throw new KobanError('E_NOT_FOUND', `no organisation with id ${id}`);
    if (!active && org.kind === 'center')
      throw new KobanError('E_USAGE', `"${org.name}" is the center: it cannot be disabled`);
    if (org.active === active) return org;
    const nowMs = this.now();
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('organisations')
        .set({ active: active ? 1 : 0 })
        .where('id', '=', id)
        .execute();
      const details = active ? {} : { sessionsEnded: await endSessionsWhere(tx, { orgId: id }, nowMs) };
      await appendAudit(
        tx,
        actor,
        { action: active ? 'org.enable' : 'org.disable', targetType: 'org', targetId: id, details },
        nowMs,
      );
    });
    return (await this.get(id))!;
  }

  /** The center organisation that owns campaigns and analyses (the first registered), if any. */
  async centerOrgId(): Promise<number | null> {
    const r = await this.db
      .selectFrom('organisations')
      .select('id')
      .where('kind', '=', 'center')
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    return r ? Number(r.id) : null;
  }
}
