/**
 * The agent's durable on-disk spool. Each batch becomes one segment file, written atomically
 * (temporary file, fsync, rename) together with the source positions it brings the agent to, so
 * that after a crash the agent resumes reading exactly after what it has spooled: nothing read is
 * lost and nothing is read twice. Segments leave the spool only when the center has
 * acknowledged them. The spool is bounded: when full, the oldest segments are dropped and their
 * events counted, and that count is reported to the center. A full file system (ENOSPC, EDQUOT)
 * is treated the same way: the oldest segments are dropped until the write fits; only when none
 * is left to drop does the write fail, and the agent then pauses its sources and retries.
 *
 * Segment file: `<seq>.seg` = 4-byte big-endian length of a JSON meta block, the meta
 * (`{ seq, batchId, events, positions, droppedTotal }`), then the gzip'd NDJSON body exactly as
 * sent. The directory also holds `state.json`, the agent's `lock` (spool-lock.ts) and its
 * `status.json` (status.ts).
 */
import { join } from 'node:path';
import { KobanError } from '../core/index.js';
import { isNoSpace, nodeSpoolFs, type SpoolFs } from './spool-fs.js';
import { acquireSpoolLock, type SpoolLock } from './spool-lock.js';

export interface SegmentMeta {
  readonly seq: number;
  readonly batchId: string;
  readonly events: number;
  /** Source positions after this batch, by source key. */
  readonly positions: Record<string, unknown>;
  /** The spool's drop count when the segment was written (restores it if state.json lags). */
  readonly droppedTotal?: number;
}

export interface SpoolState {
  /** Next segment number. */
  readonly nextSeq: number;
  /** Positions after the newest spooled batch. */
  readonly positions: Record<string, unknown>;
  /** Events dropped from a full spool (or file system) since the agent was first started. */
  readonly droppedTotal: number;
  /** A random id chosen once per spool: batch ids are `<agentId>-<seq>`. */
  readonly agentId: string;
}

export interface Segment {
  readonly meta: SegmentMeta;
  readonly body: Buffer;
  readonly sizeBytes: number;
}

export interface SpoolOptions {
  readonly fs?: SpoolFs | undefined;
  /** Where the spool tells the operator about drops to make room and state it could not save. */
  readonly log?: ((msg: string) => void) | undefined;
  /** Whether the pid holding a lock is running (default: signal 0). */
  readonly processAlive?: ((pid: number) => boolean) | undefined;
}

const STATE_FILE = 'state.json';

export class Spool {
  private state: SpoolState;
  private inFlight = new Set<number>();
  /** Segments on disk and their sizes, oldest first (insertion order = sequence order). */
  private segments = new Map<number, number>();
  private bytesHeld = 0;
  private readonly fs: SpoolFs;
  private readonly log: (msg: string) => void;
  private readonly lock: SpoolLock;
  /** state.json could not be written (full disk): the next change retries. */
  private stateDirty = false;
  /** Events dropped to make room on a full file system, since this process opened the spool. */
  private droppedForSpace = 0;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
    agentId: () => string,
    options: SpoolOptions = {},
  ) {
    this.fs = options.fs ?? nodeSpoolFs;
    this.log = options.log ?? (() => undefined);
    this.lock = acquireSpoolLock(dir, this.fs, options.processAlive);
    try {
      this.state = this.load(agentId);
    } catch (e) {
      this.lock.release();
      throw e;
    }
  }

  private load(agentId: () => string): SpoolState {
    let saved: SpoolState | null = null;
    try {
      saved = JSON.parse(this.fs.readFileSync(join(this.dir, STATE_FILE)).toString('utf8')) as SpoolState;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new KobanError(
          'E_IO',
          `spool state ${join(this.dir, STATE_FILE)} is unreadable: ${(e as Error).message}`,
        );
      }
    }
    let state: SpoolState = saved ?? { nextSeq: 1, positions: {}, droppedTotal: 0, agentId: agentId() };
    // A segment newer than the state file was spooled just before a crash (or while the state
    // file could not be written): its positions and drop count are the latest.
    for (const seq of this.seqs()) {
      if (seq >= state.nextSeq) {
        const meta = this.readMeta(seq);
        if (meta) {
          state = {
            ...state,
            nextSeq: seq + 1,
            positions: meta.positions,
            droppedTotal: Math.max(state.droppedTotal, meta.droppedTotal ?? 0),
          };
        }
      }
    }
    for (const name of this.fs.readdirSync(this.dir)) {
      if (name.endsWith('.tmp')) this.fs.rmSync(join(this.dir, name), { force: true });
    }
    for (const seq of this.seqs()) {
      const size = this.fs.statSync(this.path(seq)).size;
      this.segments.set(seq, size);
      this.bytesHeld += size;
    }
    this.state = state;
    // A new spool's agent id must be on disk before any batch carries it.
    if (saved === null) this.writeWithRoom(join(this.dir, STATE_FILE), () => this.stateBytes(), null);
    else this.persistState();
    return state;
  }

  get positions(): Record<string, unknown> {
    return this.state.positions;
  }

  get droppedTotal(): number {
    return this.state.droppedTotal;
  }

  /** Events dropped to make room on a full file system since the spool was opened. */
  get droppedForFullDisk(): number {
    return this.droppedForSpace;
  }

  /** Segment numbers on disk, oldest first (read from the directory). */
  private seqs(): number[] {
    return this.fs
      .readdirSync(this.dir)
      .filter((n) => /^\d+\.seg$/.test(n))
      .map((n) => Number(n.slice(0, -4)))
      .sort((a, b) => a - b);
  }

  private path(seq: number): string {
    return join(this.dir, `${seq}.seg`);
  }

  private readMeta(seq: number): SegmentMeta | null {
    try {
      const buf = this.fs.readFileSync(this.path(seq));
      const len = buf.readUInt32BE(0);
      return JSON.parse(buf.subarray(4, 4 + len).toString('utf8')) as SegmentMeta;
    } catch {
      return null;
    }
  }

  /** The batch id the next segment will carry. */
  nextBatchId(): string {
    return `${this.state.agentId}-${this.state.nextSeq}`;
  }

  /**
   * Spools a batch body and the positions it brings the sources to; durable on return. Throws
   * E_IO when it cannot be written — the file system is full and no older segment is left to
   * drop, or it failed otherwise (EIO) — and then nothing changed.
   */
  append(body: Buffer, events: number, positions: Record<string, unknown>): SegmentMeta {
    const seq = this.state.nextSeq;
    const batchId = `${this.state.agentId}-${seq}`;
    let meta: SegmentMeta = { seq, batchId, events, positions };
    const size = this.writeWithRoom(
      this.path(seq),
      () => {
        meta = { ...meta, droppedTotal: this.state.droppedTotal };
        const metaBuf = Buffer.from(JSON.stringify(meta));
        const len = Buffer.alloc(4);
        len.writeUInt32BE(metaBuf.length, 0);
        return Buffer.concat([len, metaBuf, body]);
      },
      null,
    );
    this.segments.set(seq, size);
    this.bytesHeld += size;
    this.state = { ...this.state, nextSeq: seq + 1, positions };
    this.persistState();
    this.enforceLimit();
    return meta;
  }

  private stateBytes(): Buffer {
    return Buffer.from(JSON.stringify(this.state));
  }

  /**
   * Saves state.json, dropping old segments if the disk is full — never the newest, whose meta
   * is the fallback copy of the positions being saved. When it still cannot, the spool goes on:
   * every segment carries the positions and drop count after it, so a restart recovers them;
   * the next change retries.
   */
  private persistState(): void {
    try {
      this.writeWithRoom(
        join(this.dir, STATE_FILE),
        () => this.stateBytes(),
        [...this.segments.keys()].at(-1) ?? null,
      );
      if (this.stateDirty) this.log('spool: state saved again');
      this.stateDirty = false;
    } catch (e) {
      if (!this.stateDirty)
        this.log(`spool: ${(e as Error).message}; the state is saved with the next change`);
      this.stateDirty = true;
    }
  }

  /** Writes a file atomically (temporary file, fsync, rename); returns its size. */
  private writeFile(path: string, data: Buffer): number {
    const tmp = `${path}.tmp`;
    try {
      const fd = this.fs.openSync(tmp, 'w');
      try {
        for (let off = 0; off < data.length; ) off += this.fs.writeSync(fd, data.subarray(off));
        this.fs.fsyncSync(fd);
      } finally {
        this.fs.closeSync(fd);
      }
      this.fs.renameSync(tmp, path);
    } catch (e) {
      try {
        this.fs.rmSync(tmp, { force: true });
      } catch {
        // the write's own error is the one to report
      }
      throw e;
    }
    this.fsyncDir();
    return data.length;
  }

  private fsyncDir(): void {
    try {
      const fd = this.fs.openSync(this.dir, 'r');
      try {
        this.fs.fsyncSync(fd);
      } finally {
        this.fs.closeSync(fd);
      }
    } catch {
      // not supported on every platform; rename is still atomic
    }
  }

  /**
   * Writes a file; while the file system is full, drops the oldest segment (not `keep`, not in
   * flight) and tries again — a full disk is a full spool. `data` is built per attempt so the
   * segment meta carries the drop count including these drops.
   */
  private writeWithRoom(path: string, data: () => Buffer, keep: number | null): number {
    let droppedSegments = 0;
    let droppedEvents = 0;
    try {
      for (;;) {
        try {
          return this.writeFile(path, data());
        } catch (e) {
          if (!isNoSpace(e)) {
            throw new KobanError('E_IO', `spool: cannot write ${path}: ${(e as Error).message}`, {
              cause: e,
            });
          }
          const events = this.dropOldest(keep);
          if (events === null) {
            throw new KobanError(
              'E_IO',
              `the file system holding the spool ${this.dir} is full and no spooled batch is left to drop ` +
                `(${(e as NodeJS.ErrnoException).code})`,
              { cause: e },
            );
          }
          droppedSegments++;
          droppedEvents += events;
          this.droppedForSpace += events;
        }
      }
    } finally {
      if (droppedSegments > 0) {
        this.log(
          `spool: the file system is full; dropped the ${droppedSegments} oldest batches ` +
            `(${droppedEvents} events, counted and reported to the center) to make room`,
        );
      }
    }
  }

  /** Bytes held by segments. */
  sizeBytes(): number {
    return this.bytesHeld;
  }

  /** Segments waiting to be acknowledged. */
  get pending(): number {
    return this.segments.size;
  }

  private remove(seq: number): void {
    try {
      this.fs.rmSync(this.path(seq), { force: true });
    } catch (e) {
      throw new KobanError('E_IO', `spool: cannot remove ${this.path(seq)}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    this.bytesHeld -= this.segments.get(seq) ?? 0;
    this.segments.delete(seq);
    this.inFlight.delete(seq);
  }

  /** Drops the oldest segment not being sent (and not `keep`); its event count, or null if none. */
  private dropOldest(keep: number | null): number | null {
    for (const seq of this.segments.keys()) {
      if (seq === keep || this.inFlight.has(seq)) continue;
      const events = this.readMeta(seq)?.events ?? 0;
      this.remove(seq);
      this.state = { ...this.state, droppedTotal: this.state.droppedTotal + events };
      return events;
    }
    return null;
  }

  /** Drops the oldest segments not being sent until the spool fits; their events are counted. */
  private enforceLimit(): void {
    let dropped = 0;
    while (this.bytesHeld > this.maxBytes && this.dropOldest(null) !== null) dropped++;
    if (dropped > 0) this.persistState();
  }

  /** The oldest segments not being sent, up to `n`, marked in flight. */
  take(n: number): Segment[] {
    const out: Segment[] = [];
    for (const seq of this.segments.keys()) {
      if (out.length >= n) break;
      if (this.inFlight.has(seq)) continue;
      try {
        const buf = this.fs.readFileSync(this.path(seq));
        const len = buf.readUInt32BE(0);
        const meta = JSON.parse(buf.subarray(4, 4 + len).toString('utf8')) as SegmentMeta;
        this.inFlight.add(seq);
        out.push({ meta, body: buf.subarray(4 + len), sizeBytes: buf.length });
      } catch {
        // dropped meanwhile
      }
    }
    return out;
  }

  /** The center acknowledged the segment: remove it. */
  done(seq: number): void {
    this.remove(seq);
    // The space just freed is where a state file the disk refused can go now.
    if (this.stateDirty) this.persistState();
  }

  /** Sending failed; the segment stays for a retry. */
  release(seq: number): void {
    this.inFlight.delete(seq);
  }

  /** The center refused the segment for good (malformed): drop it and count its events as lost. */
  discard(seq: number, events: number): void {
    this.remove(seq);
    this.state = { ...this.state, droppedTotal: this.state.droppedTotal + events };
    this.persistState();
  }

  /**
   * Writes a small side file (the agent's status.json) atomically; never drops data for it.
   * Returns the error when it could not be written.
   */
  writeSideFile(name: string, text: string): Error | null {
    try {
      this.writeFile(join(this.dir, name), Buffer.from(text));
      return null;
    } catch (e) {
      return e as Error;
    }
  }

  /** Saves what is pending and releases the lock; the spool object is unusable afterwards. */
  close(): void {
    if (this.stateDirty) this.persistState();
    this.lock.release();
  }
}
