/**
 * The TAXII collections of the center: one per audience of docs/sharing.md — `public` (the
 * anonymous visitor: TLP:CLEAR), `members` (every member organisation: CLEAR and GREEN), the
 * service-provider `council`, and one per sector of the active member organisations. A collection
 * holds what its audience may see of the center's intelligence (read through intel's one access
 * check, as an export for that audience) and what its writers posted. Who may read a collection is
 * who belongs to its audience (and center staff); the others do not learn that it exists.
 * Federation (docs/sharing.md#federation) adds one collection per peer center this center publishes
 * to (`peer:NAME`), read by the users of the peer's partner-center organisation only; those users
 * read no other audience's collection but the public one, since a peer receives what its own
 * collection's rules let cross (no unconsented member report, nothing above its TLP ceiling).
 */
import {
  type Actor,
  COUNCIL_KINDS,
  hasScope,
  type IntelService,
  isCenter,
  type Tlp,
} from '../../intel/index.js';
import type { PeerCollection } from '../federation/config.js';
import { uuidV5 } from '../stix/ids.js';

export interface CollectionDef {
  /** A UUID, stable for the audience (UUIDv5 in the TAXII namespace of Koban). */
  readonly id: string;
  /** The audience of docs/sharing.md whose view it holds. */
  readonly audience: string;
  readonly alias: string;
  readonly title: string;
  readonly description: string;
  /** The most permissive label an object posted here may carry and stay published in it. */
  readonly ceiling: Tlp;
  /** Set on a peer center's collection: who it is for and the most it may receive. */
  readonly peer?: PeerCollection;
}

export interface CollectionAccess {
  readonly canRead: boolean;
  readonly canWrite: boolean;
}

/** The namespace of collection ids (a random UUID fixed once for the project). */
const TAXII_NAMESPACE = '0f6f1b64-3c5e-4f55-9b1c-8d7d3a2f4e10';

export function collectionId(audience: string): string {
  return uuidV5(TAXII_NAMESPACE, `collection:${audience}`);
}

function def(
  audience: string,
  alias: string,
  title: string,
  description: string,
  ceiling: Tlp,
): CollectionDef {
  return { id: collectionId(audience), audience, alias, title, description, ceiling };
}

function peerDef(p: PeerCollection): CollectionDef {
  return {
    ...def(
      `peer:${p.name}`,
      `peer-${p.name}`,
      `Peer center ${p.name}`,
      `What this center publishes to the peer center ${p.name} (TLP:${p.maxTlp} at most; no echo of what came from it).`,
      p.maxTlp,
    ),
    peer: p,
  };
}

/** Every collection of the center, in listing order (the peers' last). */
export async function allCollections(
  intel: IntelService,
  peers: readonly PeerCollection[] = [],
): Promise<CollectionDef[]> {
  const sectors = await intel.db
    .selectFrom('organisations')
    .select('sector')
    .distinct()
    .where('active', '=', 1)
    .where('kind', '<>', 'center')
    .where('sector', 'is not', null)
    .orderBy('sector')
    .execute();
  return [
    def('public', 'public', 'Public', 'What anyone may read: TLP:CLEAR intelligence of the center.', 'CLEAR'),
    def(
      'members',
      'members',
      'All members',
      'What every member organisation may read (TLP:CLEAR and TLP:GREEN).',
      'GREEN',
    ),
    def(
      'council',
      'council',
      'Service-provider council',
      'What every security-service provider and ISP of the council may read: C2 destinations to block.',
      'GREEN',
    ),
    ...sectors.map((s) => {
      const name = String(s.sector);
      return def(
        `sector:${name}`,
        `sector-${name}`,
        `Sector ${name}`,
        `What every member organisation of the ${name} sector may read.`,
        'GREEN',
      );
    }),
    ...peers.map(peerDef),
  ];
}

/** The caller's organisation as the access rules need it (kind and sector). */
export interface CallerOrg {
  readonly name: string;
  readonly kind: string;
  readonly sector: string | null;
}

export async function callerOrg(intel: IntelService, actor: Actor): Promise<CallerOrg | null> {
  if (actor.orgId === null) return null;
  const org = await intel.orgs.get(actor.orgId);
  return org?.active ? { name: org.name, kind: org.kind, sector: org.sector } : null;
}

/** Whether the caller belongs to the collection's audience, and may post to it. */
export function accessTo(actor: Actor, org: CallerOrg | null, c: CollectionDef): CollectionAccess {
  if (!hasScope(actor, 'indicators:read')) return { canRead: false, canWrite: false };
  const center = isCenter(actor);
  let member = center;
  if (!member && actor.kind === 'user' && org !== null) {
    if (c.peer) member = org.kind === 'partner-center' && org.name === c.peer.org;
    // A peer center reads its own collection, not the members' ones (see above).
    else if (org.kind === 'partner-center') member = false;
    else if (c.audience === 'members') member = true;
    else if (c.audience === 'council') member = (COUNCIL_KINDS as readonly string[]).includes(org.kind);
    else if (c.audience.startsWith('sector:')) member = org.sector === c.audience.slice('sector:'.length);
  }
  const canRead = c.audience === 'public' || member;
  // Publishing to everyone is the center's decision; members post to the audiences they are in.
  // A peer's collection is this center's publication to it: nobody posts into it.
  const canWrite =
    actor.kind === 'user' &&
    hasScope(actor, 'reports:write') &&
    !c.peer &&
    (c.audience === 'public' ? center : member);
  return { canRead, canWrite };
}
