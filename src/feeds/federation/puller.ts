/**
 * The subscriptions `koban serve` runs for its peer centers (docs/sharing.md#federation): each
 * peer with a `pull` entry is polled every `intervalSeconds` through the TAXII client (its cursor,
 * the last date added seen, kept in `taxii_subscriptions`, so a restart resumes), bounded per pull
 * (pages and bytes), with exponential back-off after a failure. What comes in is imported through
 * the STIX import under the peer's source and owned by the peer's partner-center organisation —
 * so the values join this center's aggregates and campaign correlation like any report's, and are
 * never published back to that peer (publish.ts). Objects this center published itself, come back
 * through a third center, are recognised by id and not imported again. Time comes from the given
 * clock; `tick` is what the center's schedule calls, `pullNow` what an operator (`koban feeds pull`,
 * possibly in another process than `koban serve`) calls. Both take the same path: the state each
 * pull leaves (peer-state.ts: when, how much, the last error, the back-off) is in the store, not in
 * one process's memory, and a peer is pulled under its lease, so two processes never walk its
 * cursor at once.
 */
import { backoffDelayMs, isKobanError, KobanError } from '../../core/index.js';
import { type IntelService, systemActor } from '../../intel/index.js';
import { idMaker, installationNamespace } from '../stix/ids.js';
import { StixService } from '../stix/service.js';
import { type FetchLike, type PollResult, TaxiiSubscriptions } from '../taxii/client.js';
import { allCollections } from '../taxii/collections.js';
import type { FederationConfig, PeerConfig, PeerPull } from './config.js';
import { peerCollections, readPeerToken } from './config.js';
import { PeerStates } from './peer-state.js';
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
  /** Set when another process (or another center instance) was pulling this peer: nothing was done. */
  readonly busy?: { readonly holder: string };
  /** When the next scheduled pull of this peer is due. */
  readonly nextDueMs: number;
}

/** A peer as `koban feeds peers` shows it. */
export interface PeerStatus {
  readonly name: string;
  /** Null for a peer no longer in koban.json (its pull state is still held). */
  readonly org: string | null;
  /** False: removed from koban.json — neither pulled nor published to; what it sent stays. */
  readonly configured: boolean;
  /** Null: this center does not pull from the peer (it only publishes to it). */
  readonly pull: {
    readonly apiRoot: string;
    readonly collection: string;
    readonly intervalSeconds: number;
  } | null;
  readonly publishes: boolean;
  readonly lastPullMs: number | null;
  readonly lastOkMs: number | null;
  readonly lastObjects: number;
  readonly objectsTotal: number;
  readonly failures: number;
  readonly lastError: string | null;
  /** Null when the peer is not pulled from. */
  readonly nextDueMs: number | null;
  /** Who is pulling it right now, if anyone. */
  readonly pulling: { readonly holder: string; readonly sinceMs: number } | null;
}

export interface FederationDeps {
  readonly fetch?: FetchLike | undefined;
  readonly now?: (() => number) | undefined;
  readonly env?: NodeJS.ProcessEnv | undefined;
  readonly log?: { info(o: object, m: string): void; warn(o: object, m: string): void } | undefined;
}

type Pulling = PeerConfig & { readonly pull: PeerPull };

export class Federation {
  private readonly stix: StixService;
  private readonly now: () => number;
  private readonly states: PeerStates;
  private running: Promise<PeerPullOutcome[]> | null = null;
  private readonly inFlight = new Map<string, Promise<PeerPullOutcome>>();

  constructor(
    private readonly intel: IntelService,
    readonly config: FederationConfig,
    private readonly deps: FederationDeps = {},
  ) {
    this.now = deps.now ?? Date.now;
    this.stix = new StixService(intel, {}, this.now);
    this.states = new PeerStates(intel.db, this.now);
  }

  /** Whether any peer is pulled from (else the center schedules nothing). */
  get pulls(): boolean {
    return this.pulling().length > 0;
  }

  /** The peers this center pulls from. */
  private pulling(): Pulling[] {
    return this.config.peers.filter((p): p is Pulling => p.pull !== undefined);
  }

  /**
   * Every configured peer with its pull state (read from the store: any process's pulls count),
   * then the peers removed from koban.json that were pulled before.
   */
  async peers(): Promise<PeerStatus[]> {
    const states = await this.states.all();
    const out: PeerStatus[] = [];
    for (const p of this.config.peers) {
      const s = states.get(p.name);
      out.push({
        name: p.name,
        org: p.org,
        configured: true,
        pull: p.pull
          ? {
              apiRoot: p.pull.apiRoot,
              collection: p.pull.collection,
              intervalSeconds: p.pull.intervalSeconds,
            }
          : null,
        publishes: p.publish !== undefined,
        lastPullMs: s?.lastPullMs ?? null,
        lastOkMs: s?.lastOkMs ?? null,
        lastObjects: s?.lastObjects ?? 0,
        objectsTotal: s?.objectsTotal ?? 0,
        failures: s?.failures ?? 0,
        lastError: s?.lastError ?? null,
        // Never pulled: due at the center's next look.
        nextDueMs: p.pull ? (s?.nextDueMs ?? 0) : null,
        pulling: p.pull ? await this.states.pulling(p.name) : null,
      });
    }
    const named = new Set(this.config.peers.map((p) => p.name));
    for (const s of [...states.values()]
      .filter((x) => !named.has(x.peer))
      .sort((x, y) => (x.peer < y.peer ? -1 : 1)))
      out.push({
        name: s.peer,
        org: null,
        configured: false,
        pull: null,
        publishes: false,
        lastPullMs: s.lastPullMs,
        lastOkMs: s.lastOkMs,
        lastObjects: s.lastObjects,
        objectsTotal: s.objectsTotal,
        failures: s.failures,
        lastError: s.lastError,
        nextDueMs: null,
        pulling: null,
      });
    return out;
  }

  /** Pulls every peer whose pull is due (one round at a time: a round still running is joined). */
  tick(): Promise<PeerPullOutcome[]> {
    this.running ??= (async () => {
      const now = this.now();
      const states = await this.states.all();
      const due = this.pulling().filter((p) => (states.get(p.name)?.nextDueMs ?? 0) <= now);
      const out: PeerPullOutcome[] = [];
      for (const p of due) out.push(await this.pullPeer(p));
      return out;
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Pulls now, due or not: one peer by name, or all that pull (`koban feeds pull`). */
  async pullNow(name?: string): Promise<PeerPullOutcome[]> {
    const peers = this.pulling().filter((p) => name === undefined || p.name === name);
    if (name !== undefined && peers.length === 0)
      throw new KobanError('E_NOT_FOUND', `no federation peer "${name}" that this center pulls from`);
    const out: PeerPullOutcome[] = [];
    for (const p of peers) out.push(await this.pullPeer(p));
    return out;
  }

  /** One pull of a peer at a time: a "pull now" during a scheduled pull of this process joins it. */
  private pullPeer(p: Pulling): Promise<PeerPullOutcome> {
    const held = this.inFlight.get(p.name);
    if (held) return held;
    const run = this.leased(p).finally(() => this.inFlight.delete(p.name));
    this.inFlight.set(p.name, run);
    return run;
  }

  /** Across processes: the pull runs only under the peer's lease; a pull held elsewhere is left to it. */
  private async leased(p: Pulling): Promise<PeerPullOutcome> {
    const lease = this.states.lease(p.name);
    if (!(await lease.acquire())) {
      const holder = (await lease.state())?.holder ?? 'another process';
      const { nextDueMs } = await this.states.get(p.name);
      this.deps.log?.info({ peer: p.name, holder }, 'federation pull already running elsewhere');
      return {
        peer: p.name,
        ok: false,
        error: `peer ${p.name} is being pulled by ${holder}; try again when it is done`,
        busy: { holder },
        nextDueMs,
      };
    }
    try {
      return await this.pullOnce(p, async () => {
        if (!(await lease.acquire()))
          throw new KobanError('E_CONFLICT', `lost the pull lease of peer ${p.name} (held too long)`);
      });
    } finally {
      await lease.release();
    }
  }

  private async pullOnce(p: Pulling, renew: () => Promise<void>): Promise<PeerPullOutcome> {
    const held = await this.states.get(p.name);
    const intervalMs = p.pull.intervalSeconds * 1000;
    try {
      const r = await this.pull(p, renew);
      // A pull cut short by its page bound goes on at the next tick.
      const t = this.now();
      const nextDueMs = t + (r.truncated ? 0 : intervalMs);
      await this.states.record(p.name, { ok: true, objects: r.objects }, 0, t, nextDueMs);
      const { subscription, ...poll } = r;
      this.deps.log?.info(
        { peer: p.name, objects: r.objects, own: r.own, rejected: r.rejected, ...r.imported },
        'federation pull',
      );
      return { peer: p.name, ok: true, poll: { ...poll, lastAdded: subscription.lastAdded }, nextDueMs };
    } catch (e) {
      // Any failure (the peer down, a refusal, a store error) waits its back-off: a scheduled
      // round never throws into the schedule.
      const failures = held.failures + 1;
      const delay = backoffDelayMs(failures - 1, {
        baseMs: Math.min(RETRY_BASE_MS, intervalMs),
        maxMs: Math.max(RETRY_MAX_MS, intervalMs),
      });
      const t = this.now();
      const nextDueMs = t + delay;
      const error = e instanceof Error ? e.message : String(e);
      await this.states.record(p.name, { ok: false, error }, failures, t, nextDueMs);
      this.deps.log?.warn(
        { peer: p.name, failures, retryInMs: delay, error, expected: isKobanError(e) },
        'federation pull failed',
      );
      return { peer: p.name, ok: false, error, nextDueMs };
    }
  }

  private async pull(p: Pulling, renew: () => Promise<void>): Promise<PollResult> {
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
        afterPage: renew,
      },
    );
  }

  /**
   * The objects this center published itself: held as its own export in one of its TAXII
   * collections (unless it imported them first), or created by its center identity (ids are UUIDv5 in the installation's
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
    // The TLP marking definitions are everyone's (fixed official ids), not this center's; so are
    // cyber-observables (no `created`: their ids are the specification's deterministic ones, §2.9,
    // the same for the same value at every center).
    const ids = [
      ...new Set(
        objects
          .filter((o) => o.type !== 'marking-definition' && typeof o.created === 'string')
          .map((o) => String(o.id)),
      ),
    ];
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
    // What this center imported (from this peer or anyone) and re-exported is not its own: a
    // newer version of it — a revocation — must reach the importer, which is idempotent by id and
    // version, so it does not echo either.
    const mine = [...own];
    for (let i = 0; i < mine.length; i += IN_CHUNK) {
      const imported = await this.intel.db
        .selectFrom('stix_objects')
        .select('stix_id')
        .where('stix_id', 'in', mine.slice(i, i + IN_CHUNK))
        .execute();
      for (const r of imported) own.delete(r.stix_id);
    }
    return own;
  }
}
