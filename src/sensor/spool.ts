/**
 * The agent's durable on-disk spool. Each batch becomes one segment file, written atomically
 * (temporary file, fsync, rename) together with the source positions it brings the agent to, so
 * that after a crash the agent resumes reading exactly after what it has spooled: nothing read is
 * lost and nothing is read twice. Segments leave the spool only when the center has
 * acknowledged them. The spool is bounded: when full, the oldest segments are dropped and their
 * events counted, and that count is reported to the center.
 *
 * Segment file: `<seq>.seg` = 4-byte big-endian length of a JSON meta block, the meta
 * (`{ seq, batchId, events, positions }`), then the gzip'd NDJSON body exactly as sent.
 */
import {
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { KobanError } from '../core/index.js';

export interface SegmentMeta {
  readonly seq: number;
  readonly batchId: string;
  readonly events: number;
  /** Source positions after this batch, by source key. */
  readonly positions: Record<string, unknown>;
}

export interface SpoolState {
  /** Next segment number. */
  readonly nextSeq: number;
  /** Positions after the newest spooled batch. */
  readonly positions: Record<string, unknown>;
  /** Events dropped from a full spool since the agent was first started. */
  readonly droppedTotal: number;
  /** A random id chosen once per spool: batch ids are `<agentId>-<seq>`. */
  readonly agentId: string;
}

export interface Segment {
  readonly meta: SegmentMeta;
  readonly body: Buffer;
  readonly sizeBytes: number;
}

const STATE_FILE = 'state.json';

function writeAtomic(path: string, data: Buffer | string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    fsyncSync(fd);
    closeSync(fd);
  } catch {
    // not supported on every platform; rename is still atomic
  }
}

export class Spool {
  private state: SpoolState;
  private inFlight = new Set<number>();
  /** Segments on disk and their sizes, oldest first (insertion order = sequence order). */
  private segments = new Map<number, number>();
  private bytesHeld = 0;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
    agentId: () => string,
  ) {
    let saved: SpoolState | null = null;
    try {
      saved = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as SpoolState;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new KobanError(
          'E_IO',
          `spool state ${join(dir, STATE_FILE)} is unreadable: ${(e as Error).message}`,
        );
      }
    }
    let state: SpoolState = saved ?? { nextSeq: 1, positions: {}, droppedTotal: 0, agentId: agentId() };
    // A segment newer than the state file was spooled just before a crash: its positions count.
    for (const seq of this.seqs()) {
      if (seq >= state.nextSeq) {
        const meta = this.readMeta(seq);
        if (meta) state = { ...state, nextSeq: seq + 1, positions: meta.positions };
      }
    }
    for (const name of readdirSync(dir)) if (name.endsWith('.tmp')) rmSync(join(dir, name), { force: true });
    for (const seq of this.seqs()) {
      const size = statSync(this.path(seq)).size;
      this.segments.set(seq, size);
      this.bytesHeld += size;
    }
    this.state = state;
    this.saveState();
  }

  get positions(): Record<string, unknown> {
    return this.state.positions;
  }

  get droppedTotal(): number {
    return this.state.droppedTotal;
  }

  /** Segment numbers on disk, oldest first (read from the directory). */
  private seqs(): number[] {
    return readdirSync(this.dir)
      .filter((n) => /^\d+\.seg$/.test(n))
      .map((n) => Number(n.slice(0, -4)))
      .sort((a, b) => a - b);
  }

  private path(seq: number): string {
    return join(this.dir, `${seq}.seg`);
  }

  private readMeta(seq: number): SegmentMeta | null {
    try {
      const buf = readFileSync(this.path(seq));
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

  /** Spools a batch body and the positions it brings the sources to; durable on return. */
  append(body: Buffer, events: number, positions: Record<string, unknown>): SegmentMeta {
    const seq = this.state.nextSeq;
    const meta: SegmentMeta = { seq, batchId: `${this.state.agentId}-${seq}`, events, positions };
    const metaBuf = Buffer.from(JSON.stringify(meta));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(metaBuf.length, 0);
    const file = Buffer.concat([len, metaBuf, body]);
    writeAtomic(this.path(seq), file);
    fsyncDir(this.dir);
    this.segments.set(seq, file.length);
    this.bytesHeld += file.length;
    this.state = { ...this.state, nextSeq: seq + 1, positions };
    this.saveState();
    this.enforceLimit();
    return meta;
  }

  private saveState(): void {
    writeAtomic(join(this.dir, STATE_FILE), JSON.stringify(this.state));
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
    rmSync(this.path(seq), { force: true });
    this.bytesHeld -= this.segments.get(seq) ?? 0;
    this.segments.delete(seq);
    this.inFlight.delete(seq);
  }

  /** Drops the oldest segments not being sent until the spool fits; their events are counted. */
  private enforceLimit(): void {
    if (this.bytesHeld <= this.maxBytes) return;
    let dropped = 0;
    for (const seq of [...this.segments.keys()]) {
      if (this.bytesHeld <= this.maxBytes) break;
      if (this.inFlight.has(seq)) continue;
      const meta = this.readMeta(seq);
      this.remove(seq);
      dropped += meta?.events ?? 0;
    }
    if (dropped > 0) {
      this.state = { ...this.state, droppedTotal: this.state.droppedTotal + dropped };
      this.saveState();
    }
  }

  /** The oldest segments not being sent, up to `n`, marked in flight. */
  take(n: number): Segment[] {
    const out: Segment[] = [];
    for (const seq of this.segments.keys()) {
      if (out.length >= n) break;
      if (this.inFlight.has(seq)) continue;
      try {
        const buf = readFileSync(this.path(seq));
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
  }

  /** Sending failed; the segment stays for a retry. */
  release(seq: number): void {
    this.inFlight.delete(seq);
  }

  /** The center refused the segment for good (malformed): drop it and count its events as lost. */
  discard(seq: number, events: number): void {
    this.done(seq);
    this.state = { ...this.state, droppedTotal: this.state.droppedTotal + events };
    this.saveState();
  }
}
