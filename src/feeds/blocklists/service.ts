/**
 * Blocklists for the service-provider council: the C2 destinations a subscriber may see — read
 * through intel's one access check (the sharing snapshot, the same reading path as STIX and MISP)
 * — rendered as text, CSV, Suricata rules or an RPZ zone, whole or as the changes since a time,
 * with a strong ETag over the bytes. Subscribers over HTTP are organisations of a provider kind
 * (`security-service-provider`, `isp`) and the center's staff.
 */
import { createHash } from 'node:crypto';
import { KobanError } from '../../core/index.js';
import { type Actor, type IntelService, isCenter, type OrgKind } from '../../intel/index.js';
import { withdrawnApplied } from '../stix/withdrawals.js';
import { type BlocklistEntry, c2Destinations, expiredBetween, listed, listVersionMs } from './entries.js';
import { type BlocklistFormat, renderBlocklist } from './render.js';

/** A destination no longer listed because the sources of every report that held it withdrew it. */
export type WithdrawnEntry = BlocklistEntry & { readonly withdrawnMs: number };

/** The organisation kinds that subscribe to blocklists and report sightings back. */
export const PROVIDER_KINDS: readonly OrgKind[] = ['security-service-provider', 'isp'];

export interface Blocklist {
  readonly body: string;
  /** RFC 9110 §8.8.3: a strong validator over the body's bytes. */
  readonly etag: string;
  readonly versionMs: number;
  readonly entries: number;
}

export interface BlocklistOptions {
  readonly audience?: string | undefined;
  /** The incremental variant: what changed after this time. */
  readonly sinceMs?: number | undefined;
  readonly rpz?: { readonly contact?: string; readonly nameServer?: string };
}

export class BlocklistService {
  constructor(
    private readonly intel: IntelService,
    private readonly now: () => number = Date.now,
  ) {}

  /** Center staff, or a user or token of an active provider organisation; else E_FORBIDDEN. */
  async requireSubscriber(actor: Actor): Promise<void> {
    if (isCenter(actor)) return;
    const org = actor.orgId === null ? null : await this.intel.orgs.get(actor.orgId);
    if (!org || !PROVIDER_KINDS.includes(org.kind))
      throw new KobanError(
        'E_FORBIDDEN',
        `blocklists are for the service-provider council (organisations of kind ${PROVIDER_KINDS.join(' or ')})`,
      );
  }

  /**
   * Every C2 destination the actor (or the audience) may see, expired or not; and those its
   * sources have withdrawn (stix/withdrawals.ts), each with when the last of its reports that
   * held it withdrew it.
   */
  async destinations(
    actor: Actor,
    audience?: string,
  ): Promise<{ center: string; all: BlocklistEntry[]; withdrawn: WithdrawnEntry[] }> {
    const read = await this.intel.sharing.snapshot(actor, audience, 'blocklist');
    const { snapshot, withdrawals } = await withdrawnApplied(this.intel, read);
    const all = c2Destinations(snapshot);
    const still = new Set(all.map((e) => `${e.type}:${e.value}`));
    const when = new Map<string, number>();
    for (const w of withdrawals) {
      const k = `${w.type}:${w.value}`;
      when.set(k, Math.max(when.get(k) ?? 0, w.withdrawnMs));
    }
    const withdrawn = c2Destinations(read).flatMap((e) => {
      const k = `${e.type}:${e.value}`;
      const at = when.get(k);
      return still.has(k) || at === undefined ? [] : [{ ...e, withdrawnMs: at }];
    });
    return { center: read.center?.name ?? 'Koban center', all, withdrawn };
  }

  async render(actor: Actor, format: BlocklistFormat, opts: BlocklistOptions = {}): Promise<Blocklist> {
    const { center, all, withdrawn } = await this.destinations(actor, opts.audience);
    const nowMs = this.now();
    const current = listed(all, nowMs);
    // A withdrawal changes the list as much as an expiry does.
    const versionMs = Math.max(
      listVersionMs(all, nowMs),
      ...withdrawn.filter((e) => e.withdrawnMs <= nowMs).map((e) => e.withdrawnMs),
    );
    // An RPZ zone is always whole: resolvers load or transfer zones, not diffs.
    const since = format === 'rpz' ? undefined : opts.sinceMs;
    const body = renderBlocklist(format, {
      center,
      versionMs,
      listed: since === undefined ? current : current.filter((e) => e.changedMs > since),
      ...(since === undefined
        ? {}
        : {
            since: {
              sinceMs: since,
              removed: [
                ...expiredBetween(all, since, nowMs),
                ...withdrawn.filter((e) => e.withdrawnMs > since && e.withdrawnMs <= nowMs),
              ],
            },
          }),
      ...(opts.rpz ? { rpz: opts.rpz } : {}),
    });
    const etag = `"${createHash('sha256').update(body, 'utf8').digest('base64url')}"`;
    return { body, etag, versionMs, entries: current.length };
  }
}
