/**
 * What crosses to a peer center (docs/sharing.md#federation). The collection published for a peer
 * starts from what its partner-center organisation may read — intel's one access check, for the
 * audience `org:NAME` (CLEAR, GREEN, AMBER that names it; never RED) — and federation only takes
 * away from that:
 * - nothing above the peer's configured ceiling, and never AMBER+STRICT or RED (FIRST TLP 2.0:
 *   "the organization only", "individual recipients only");
 * - no member's report without the reporter's consent (a report of the center itself, or of
 *   another peer center, is governed by its label alone);
 * - no echo: nothing that came from this peer (its organisation owns what was imported from it)
 *   and no campaign imported from it.
 */
import type { IntelService, SharingSnapshot, Tlp } from '../../intel/index.js';
import { tlpRank } from '../stix/markings.js';
import type { PeerCollection } from './config.js';

/** The source recorded on what was imported from a peer (`stix_objects.source`, reports' source). */
export function peerSource(name: string): string {
  return `peer:${name}`;
}

/** What the rules need to know of the snapshot's reports and campaigns, beyond the snapshot itself. */
export interface PeerFacts {
  /** The peer's organisation on this center. */
  readonly peerOrgId: number;
  /** Report id → its owner and the reporter's consent. */
  readonly reports: ReadonlyMap<
    number,
    { readonly orgId: number; readonly orgKind: string; readonly consent: boolean }
  >;
  /** Campaigns imported from this peer. */
  readonly campaignsFromPeer: ReadonlySet<number>;
}

/** The organisation kinds whose reports are not a member's: the center's own, another center's. */
const NOT_MEMBERS: readonly string[] = ['center', 'partner-center'];

function crosses(tlp: Tlp, maxTlp: Tlp): boolean {
  return tlp !== 'AMBER+STRICT' && tlp !== 'RED' && tlpRank(tlp) <= tlpRank(maxTlp);
}

/** The snapshot narrowed to what may cross to the peer (pure). */
export function narrowForPeer(snap: SharingSnapshot, facts: PeerFacts, maxTlp: Tlp): SharingSnapshot {
  const reports = snap.reports.filter((r) => {
    const f = facts.reports.get(r.id);
    if (!f || !crosses(r.tlp, maxTlp) || f.orgId === facts.peerOrgId) return false;
    return NOT_MEMBERS.includes(f.orgKind) || f.consent;
  });
  return {
    center: snap.center,
    reports,
    campaigns: snap.campaigns.filter((c) => crosses(c.tlp, maxTlp) && !facts.campaignsFromPeer.has(c.id)),
    advisories: snap.advisories.filter((a) => crosses(a.tlp, maxTlp)),
  };
}

const IN_CHUNK = 500;

/** Reads the facts for a snapshot from the relational store. */
export async function peerFacts(
  intel: IntelService,
  snap: SharingSnapshot,
  peer: PeerCollection,
): Promise<PeerFacts> {
  const org = await intel.orgs.byName(peer.org);
  const reports = new Map<number, { orgId: number; orgKind: string; consent: boolean }>();
  const ids = snap.reports.map((r) => r.id);
  for (let i = 0; i < ids.length; i += IN_CHUNK) {
    const rows = await intel.db
      .selectFrom('reports as r')
      .innerJoin('organisations as o', 'o.id', 'r.org_id')
      .select(['r.id', 'r.org_id', 'r.consent', 'o.kind'])
      .where('r.id', 'in', ids.slice(i, i + IN_CHUNK))
      .execute();
    for (const r of rows)
      reports.set(Number(r.id), {
        orgId: Number(r.org_id),
        orgKind: r.kind,
        consent: Number(r.consent) === 1,
      });
  }
  const campaigns = await intel.db
    .selectFrom('stix_objects')
    .select('koban_id')
    .where('source', '=', peerSource(peer.name))
    .where('koban_type', '=', 'campaign')
    .execute();
  return {
    // No organisation: nothing can be owned by it (the access check already let nothing through).
    peerOrgId: org?.id ?? -1,
    reports,
    campaignsFromPeer: new Set(campaigns.map((c) => Number(c.koban_id))),
  };
}

export async function federationView(
  intel: IntelService,
  snap: SharingSnapshot,
  peer: PeerCollection,
): Promise<SharingSnapshot> {
  return narrowForPeer(snap, await peerFacts(intel, snap, peer), peer.maxTlp);
}
