/**
 * What the agent tells its operator. Each source has a state (reading, missing, paused after an
 * error, ended); a change of state is logged once, not every retry, and counted. The agent
 * writes the whole picture — counters, center reachability, last error, spool, sources — to
 * `status.json` in its spool directory every few seconds and when it stops; `koban sensor status
 * --spool DIR` reads it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { KobanError } from '../core/index.js';
import type { ShipperStats } from './shipper.js';
import type { Spool } from './spool.js';

export const STATUS_FILE = 'status.json';

export const SOURCE_STATES = ['starting', 'reading', 'missing', 'paused', 'ended', 'stopped'] as const;
export type SourceState = (typeof SOURCE_STATES)[number];

const sourceStatusSchema = z.object({
  source: z.string(),
  state: z.enum(SOURCE_STATES),
  since: z.string(),
  /** Errors (and missing-file retries) since the agent started. */
  errors: z.number().int().nonnegative(),
  last_error: z.string().nullable(),
});

export type SourceStatus = z.infer<typeof sourceStatusSchema>;

export const agentStatusSchema = z.object({
  pid: z.number().int().positive(),
  state: z.enum(['running', 'stopped']),
  started: z.string(),
  updated: z.string(),
  center: z.string(),
  /** null until the agent has had something to send. */
  center_reachable: z.boolean().nullable(),
  read: z.number().int().nonnegative(),
  events: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  spooled: z.number().int().nonnegative(),
  batches_sent: z.number().int().nonnegative(),
  events_sent: z.number().int().nonnegative(),
  retries: z.number().int().nonnegative(),
  discarded: z.number().int().nonnegative(),
  last_error: z.object({ message: z.string(), at: z.string() }).nullable(),
  spool: z.object({
    batches: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
    dropped_events: z.number().int().nonnegative(),
    dropped_disk_full: z.number().int().nonnegative(),
    /** Why the spool refuses batches (the sources wait); null while it takes them. */
    error: z.string().nullable(),
  }),
  sources: z.array(sourceStatusSchema),
});

export type AgentStatus = z.infer<typeof agentStatusSchema>;

/** What the agent's status is made of. */
export interface StatusParts {
  readonly state: 'running' | 'stopped';
  readonly startedMs: number;
  readonly center: string;
  readonly stats: { read: number; events: number; rejected: number; spooled: number; shipper: ShipperStats };
  readonly spool: Pick<Spool, 'pending' | 'sizeBytes' | 'droppedTotal' | 'droppedForFullDisk'>;
  readonly spoolError: string | null;
  readonly sources: readonly SourceHealth[];
}

export function buildAgentStatus(p: StatusParts): AgentStatus {
  const sh = p.stats.shipper;
  return {
    pid: process.pid,
    state: p.state,
    started: new Date(p.startedMs).toISOString(),
    updated: new Date().toISOString(),
    center: p.center,
    center_reachable: sh.centerReachable,
    read: p.stats.read,
    events: p.stats.events,
    rejected: p.stats.rejected,
    spooled: p.stats.spooled,
    batches_sent: sh.sent,
    events_sent: sh.sentEvents,
    retries: sh.retries,
    discarded: sh.discarded,
    last_error: sh.lastFailure && {
      message: sh.lastFailure.message,
      at: new Date(sh.lastFailure.atMs).toISOString(),
    },
    spool: {
      batches: p.spool.pending,
      bytes: p.spool.sizeBytes(),
      dropped_events: p.spool.droppedTotal,
      dropped_disk_full: p.spool.droppedForFullDisk,
      error: p.spoolError,
    },
    sources: p.sources.map((h) => h.status()),
  };
}

/** Reads a spool's status.json; E_NOT_FOUND when the agent has never written one there. */
export function readAgentStatus(spoolDir: string): AgentStatus {
  const path = join(spoolDir, STATUS_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new KobanError(
        'E_NOT_FOUND',
        `no agent status in ${spoolDir} (no ${STATUS_FILE}): is it the --spool of a koban sensor run?`,
      );
    }
    throw new KobanError('E_IO', `cannot read ${path}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new KobanError('E_FORMAT', `${path} is not JSON: ${(e as Error).message}`);
  }
  const r = agentStatusSchema.safeParse(json);
  if (!r.success)
    throw new KobanError('E_FORMAT', `${path} is not an agent status: ${r.error.issues[0]?.message}`);
  return r.data;
}

/** One source's state; logs each change of state (or of error) once. */
export class SourceHealth {
  private current: SourceState = 'starting';
  private sinceMs = Date.now();
  private errors = 0;
  private lastError: string | null = null;
  /** Consecutive failures, for the back-off; reset by reading. */
  attempt = 0;

  constructor(
    readonly key: string,
    private readonly log: (msg: string) => void,
  ) {}

  get state(): SourceState {
    return this.current;
  }

  /** The source reads again: log the recovery if it was missing or paused. */
  reading(): void {
    this.attempt = 0;
    if (this.current === 'reading') return;
    if (this.current === 'missing') this.log(`source ${this.key}: the file is there now; reading it`);
    else if (this.current === 'paused') this.log(`source ${this.key}: resumed`);
    this.enter('reading');
  }

  /** The file is not there (yet): waiting for it, logged once. */
  missing(detail: string): void {
    if (this.current !== 'missing') {
      this.errors++;
      this.lastError = detail;
      this.log(`source ${this.key}: ${detail}; waiting for it to appear`);
      this.enter('missing');
    }
  }

  /** Reading failed or the spool cannot take more: paused, retried after `retryMs`. */
  paused(detail: string, retryMs: number): void {
    this.errors++;
    if (this.current !== 'paused' || detail !== this.lastError) {
      this.log(`source ${this.key} paused: ${detail}; retrying with back-off (next in ${retryMs} ms)`);
    }
    this.lastError = detail;
    this.enter('paused');
  }

  ended(detail: string): void {
    this.log(`source ${this.key} ended: ${detail}`);
    this.enter('ended');
  }

  stopped(): void {
    if (this.current !== 'ended') this.enter('stopped');
  }

  private enter(state: SourceState): void {
    if (state === this.current) return;
    this.current = state;
    this.sinceMs = Date.now();
  }

  status(): SourceStatus {
    return {
      source: this.key,
      state: this.current,
      since: new Date(this.sinceMs).toISOString(),
      errors: this.errors,
      last_error: this.lastError,
    };
  }
}
