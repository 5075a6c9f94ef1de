/**
 * The subscriptions `koban serve` runs for its peer centers (docs/sharing.md#federation): each
 * peer with a `pull` entry is polled every `intervalSeconds` through the TAXII client (its cursor,
 * the last date added seen, kept in `taxii_subscriptions`, so a restart resumes), bounded per pull
 * (pages and bytes), with exponential back-off after a failure. What comes in is imported through
 * the STIX import under the peer's source and owned by the peer's partner-center organisation —
 * so the values join this center's aggregates and campaign correlation like any report's, and are
 * never published back to that peer (publish.ts). Objects this center published itself, come back
 * through a third center, are recognised by id and not imported again. Time comes from the given
 * clock; `tick` is what the center's schedule calls, `pullNow` what an operator (or a test) calls.
 */
import { backoffDelayMs, isKobanError, KobanError } from '../../core/index.js';
import { type IntelService, systemActor } from '../../intel/index.js';
import { idMaker, installationNamespace } from '../stix/ids.js';
import { StixService } from '../stix/service.js';
import { type FetchLike, type PollResult, TaxiiSubscriptions } from '../taxii/client.js';
import { allCollections } from '../taxii/collections.js';
import type { FederationConfig, PeerConfig, PeerPull } from './config.js';
import { peerCollections, readPeerToken } from './config.js';
import { peerSource } from './publish.js';

/** After a failed pull: 1 min, doubling, at most 1 h (or the interval, if longer). */
const RETRY_BASE_MS = 60_000;
const RETRY_MAX_MS = 3_600_000;
const IN_CHUNK = 500;

export interface PeerPullOutcome {
  readonly peer: string;
  readonly ok: boolean;
  /** Set when the pull ran to its end. */
  readonly poll?: Omit<PollResult, 'subscription'> & { readonly lastAdded: string | null };
  /** Why it failed (never a token). */
  readonly error?: string;
  /** When the next scheduled pull of this peer is due. */
  readonly nextDueMs: number;
}

export interface FederationDeps {
  readonly fetch?: FetchLike | undefined;
  readonly now?: (() => number) | undefined;
  readonly env?: NodeJS.ProcessEnv | undefined;
  readonly log?: { info(o: object, m: string): void; warn(o: object, m: string): void } | undefined;
}

interface PeerState {
  failures: number;
  nextDueMs: number;
}

type Pulling = PeerConfig & { readonly pull: PeerPull };

export class Federation {
  private readonly state = new Map<string, PeerState>();
  private readonly stix: StixService;
  private readonly now: () => number;
  private running: Promise<PeerPullOutcome[]> | null = null;
  private readonly inFlight = new Map<string, Promise<PeerPullOutcome>>();

  constructor(
    private readonly intel: IntelService,
    readonly config: FederationConfig,
    private readonly deps: FederationDeps = {},
  ) {
    this.now = deps.now ?? Date.now;
    this.stix = new StixService(intel, {}, this.now);
  }

  /** Whether any peer is pulled from (else the center schedules nothing). */
  get pulls(): boolean {
    return this.pulling().length > 0;
  }

  /** The peers this center pulls from. */
  private pulling(): Pulling[] {
    return this.config.peers.filter((p): p is Pulling => p.pull !== undefined);
  }

  /** Pulls every peer whose pull is due (one round at a time: a round still running is joined). */
  tick(): Promise<PeerPullOutcome[]> {
    this.running ??= (async () => {
      const now = this.now();
      const due = this.pulling().filter((p) => (this.state.get(p.name)?.nextDueMs ?? 0) <= now);
      const out: PeerPullOutcome[] = [];
      for (const p of due) out.push(await this.pullPeer(p));
      return out;
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Pulls now, due or not: one peer by name, or all that pull. */
  async pullNow(name?: string): Promise<PeerPullOutcome[]> {
    const peers = this.pulling().filter((p) => name === undefined || p.name === name);
    if (name !== undefined && peers.length === 0)
      throw new KobanError('E_NOT_FOUND', `no federation peer "${name}" that this center pulls from`);
    const out: PeerPullOutcome[] = [];
    for (const p of peers) out.push(await this.pullPeer(p));
    return out;
  }

  /** One pull of a peer at a time: a "pull now" during a scheduled pull joins it. */
  private pullPeer(p: Pulling): Promise<PeerPullOutcome> {
    const held = this.inFlight.get(p.name);
    if (held) return held;
    const run = this.pullOnce(p).finally(() => this.inFlight.delete(p.name));
    this.inFlight.set(p.name, run);
    return run;
  }

  private async pullOnce(p: Pulling): Promise<PeerPullOutcome> {
    const st = this.state.get(p.name) ?? { failures: 0, nextDueMs: 0 };
    this.state.set(p.name, st);
    const intervalMs = p.pull.intervalSeconds * 1000;
    try {
      const r = await this.pull(p);
      st.failures = 0;
      // A pull cut short by its page bound goes on at the next tick.
      st.nextDueMs = this.now() + (r.truncated ? 0 : intervalMs);
      const { subscription, ...poll } = r;
      this.deps.log?.info(
        { peer: p.name, objects: r.objects, own: r.own, rejected: r.rejected, ...r.imported },
        'federation pull',
      );
      return {
        peer: p.name,
        ok: true,
        poll: { ...poll, lastAdded: subscription.lastAdded },
        nextDueMs: st.nextDueMs,
      };
    } catch (e) {
      // Any failure (the peer down, a refusal, a store error) waits its back-off: a scheduled
      // round never throws into the schedule.
      st.failures++;
      const delay = backoffDelayMs(st.failures - 1, {
        baseMs: Math.min(RETRY_BASE_MS, intervalMs),
        maxMs: Math.max(RETRY_MAX_MS, intervalMs),
      });
      st.nextDueMs = this.now() + delay;
      const error = e instanceof Error ? e.message : String(e);
      this.deps.log?.warn(
        { peer: p.name, failures: st.failures, retryInMs: delay, error, expected: isKobanError(e) },
        'federation pull failed',
      );
      return { peer: p.name, ok: false, error, nextDueMs: st.nextDueMs };
    }
  }

  private async pull(p: Pulling): Promise<PollResult> {
    const org = await this.intel.orgs.byName(p.org);
    if (org?.kind !== 'partner-center' || !org.active)
      throw new KobanError(
        'E_CONFIG',
        `federation peer ${p.name}: "${p.org}" is not an active partner-center organisation (koban org add --kind partner-center)`,
      );
    const token = await readPeerToken(p, this.deps.env);
    const subs = new TaxiiSubscriptions(this.intel, this.stix, this.deps.fetch, this.now);
    const sub = await subs.subscribe(p.pull.apiRoot, p.pull.collection, peerSource(p.name), p.org);
    return subs.poll(
      systemActor(`federation:${p.name}`),
      sub,
      { token },
      {
        maxTlp: p.pull.maxTlp,
        maxPages: p.pull.maxPages,
        maxPageBytes: p.pull.maxPageBytes,
        own: (objects) => this.ownIds(objects),
      },
    );
  }

  /**
   * The objects this center published itself: held as its own export in one of its TAXII
   * collections, or created by its center identity (ids are UUIDv5 in the installation's
   * namespace, stix/ids.ts, so a peer's objects never carry them).
   */
  async ownIds(objects: readonly Record<string, unknown>[]): Promise<Set<string>> {
    const center = await this.intel.db
      .selectFrom('organisations')
      .select('name')
      .where('kind', '=', 'center')
      .orderBy('id')
      .executeTakeFirst();
    const centerIdentity = idMaker(installationNamespace(center?.name ?? null))('identity', 'center');
    const own = new Set<string>();
    for (const o of objects)
      if (o.created_by_ref === centerIdentity || o.id === centerIdentity) own.add(String(o.id));
    // The TLP marking definitions are everyone's (fixed official ids), not this center's.
    const ids = [...new Set(objects.filter((o) => o.type !== 'marking-definition').map((o) => String(o.id)))];
    // By collection first, so the lookup is the (collection, stix_id) index's.
    const collections = (await allCollections(this.intel, peerCollections(this.config))).map((c) => c.id);
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const rows = await this.intel.db
        .selectFrom('taxii_objects')
        .select('stix_id')
        .distinct()
        .where('collection', 'in', collections)
        .where('stix_id', 'in', ids.slice(i, i + IN_CHUNK))
        .where('origin', '=', 'export')
        .execute();
      for (const r of rows) own.add(r.stix_id);
    }
    return own;
  }
}
