/**
 * An export's audience as a reader: "what this audience may see" is answered by the one access
 * check (labels/access.ts) for a reader standing for the audience, never by rules of the export's
 * own. `public` reads as the anonymous visitor (CLEAR only); `members` as a member of no particular
 * organisation and no particular person (CLEAR and GREEN: the community); `org:NAME` as a member of
 * that organisation who is no named person (its own AMBER and AMBER+STRICT, what names it in an
 * audience; never RED, which is for named people only); `sector:NAME` as every active organisation
 * of that sector at once — the export keeps only what each of them may see; `council` likewise
 * every active security-service provider and ISP (the service-provider council that blocks C2
 * destinations for its customers: docs/background.md#sharing-network).
 */
import { z } from 'zod';
import { KobanError } from '../../core/index.js';
import type { RelationalDb } from '../../db/index.js';
import { type Actor, ANONYMOUS, ROLE_SCOPES } from '../identity/actor.js';

export const ExportAudienceSchema = z.union([
  z.literal('public'),
  z.literal('members'),
  z.literal('council'),
  z.string().regex(/^(org|sector):.+$/, 'an audience is public, members, council, org:NAME or sector:NAME'),
]);
export type ExportAudience = z.infer<typeof ExportAudienceSchema>;

/** The organisation kinds that sit on the service-provider council. */
export const COUNCIL_KINDS = ['security-service-provider', 'isp'] as const;

/** A reader that is no user: user id and organisation id that no row carries. */
function memberReader(orgId: number | null, label: string): Actor {
  return {
    kind: 'user',
    userId: -1,
    orgId,
    role: 'org-member',
    scopes: new Set(ROLE_SCOPES['org-member']),
    label,
  };
}

/** The readers an audience stands for: one, or (a sector) one per organisation, all of which must see a thing. */
export async function audienceReaders(db: RelationalDb, audience: string): Promise<Actor[]> {
  const parsed = ExportAudienceSchema.safeParse(audience);
  if (!parsed.success)
    throw new KobanError(
      'E_USAGE',
      `unknown audience "${audience}": use public, members, council, org:NAME or sector:NAME`,
    );
  if (audience === 'public') return [ANONYMOUS];
  if (audience === 'members') return [memberReader(null, 'audience:members')];
  const [kind, ...rest] = audience.split(':');
  const name = rest.join(':');
  let q = db
    .selectFrom('organisations')
    .select(['id', 'name'])
    .where('active', '=', 1)
    .where('kind', '<>', 'center');
  if (audience === 'council') q = q.where('kind', 'in', COUNCIL_KINDS);
  else q = kind === 'org' ? q.where('name', '=', name) : q.where('sector', '=', name);
  const orgs = await q.orderBy('id').execute();
  if (orgs.length === 0)
    throw new KobanError('E_NOT_FOUND', `audience ${audience}: no active member organisation matches`);
  return orgs.map((o) => memberReader(Number(o.id), `audience:org:${o.name}`));
}
