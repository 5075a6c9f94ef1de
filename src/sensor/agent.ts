/**
 * The sensor agent: follows log files and captures, parses locally, batches, compresses and
 * spools durably, and ships to the center. Each batch is spooled together with the positions of
 * its sources, so a restarted agent neither loses nor repeats a record.
 *
 * Nothing that goes wrong on the sensor host ends a source: a file that is not there yet is
 * waited for, a read error (EIO, EACCES) or a spool that cannot take the batch (a full disk with
 * nothing left to drop) pauses the source, which is retried with back-off from where it was.
 * Each change is logged once and shown in the status (status.ts).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  backoffDelayMs,
  isEvent,
  KobanError,
  type ObservationEvent,
  parseUtcOffset,
  type RecordOutcome,
} from '../core/index.js';
import { FORMATS, type FormatName } from '../parse/index.js';
import { Batcher } from './batcher.js';
import type { IngestClient } from './http.js';
import { Shipper, type ShipperStats } from './shipper.js';
import type { SourceSpec } from './source-spec.js';
import { Spool } from './spool.js';
import type { SpoolFs } from './spool-fs.js';
import { type AgentStatus, buildAgentStatus, SourceHealth, STATUS_FILE } from './status.js';
import { FileFollower, type LineSource, type TailPosition } from './tail.js';

export interface AgentOptions {
  readonly center: string;
  readonly token: string;
  readonly spoolDir: string;
  readonly sources: readonly SourceSpec[];
  readonly ca?: Buffer | undefined;
  /** Events per batch (default 5,000). */
  readonly batchEvents?: number | undefined;
  /** Longest a record waits before its batch is spooled, ms (default 500). */
  readonly flushMs?: number | undefined;
  /** Spool bound, bytes (default 1 GiB). */
  readonly maxSpoolBytes?: number | undefined;
  readonly pollMs?: number | undefined;
  readonly parallel?: number | undefined;
  readonly utcOffset?: string | undefined;
  /** How often `status.json` is rewritten in the spool directory, ms (default 5,000). */
  readonly statusMs?: number | undefined;
  /** First and longest wait before a paused source is retried, ms (default 1,000 and 60,000). */
  readonly retryBaseMs?: number | undefined;
  readonly retryMaxMs?: number | undefined;
  readonly log?: ((msg: string) => void) | undefined;
  /** The center transport (default: HTTP(S) to `center`). */
  readonly client?: IngestClient | undefined;
  /** The spool's file system (default: node:fs). */
  readonly spoolFs?: SpoolFs | undefined;
  /** How a text source is followed (default: {@link FileFollower}). */
  readonly follow?: ((path: string, from: TailPosition | null) => LineSource) | undefined;
}

export interface AgentStats {
  read: number;
  events: number;
  rejected: number;
  spooled: number;
  readonly shipper: ShipperStats;
}

type LineParser = (line: string) => RecordOutcome | readonly ObservationEvent[];

export class SensorAgent {
  readonly stats: AgentStats;
  private readonly spool: Spool;
  private readonly shipper: Shipper;
  private readonly batcher: Batcher;
  private readonly positions: Record<string, unknown>;
  private readonly health = new Map<string, SourceHealth>();
  private stopped = false;
  private stopping: Promise<void> | null = null;
  private readers: Promise<void>[] = [];
  private shipping: Promise<void> | null = null;
  private timers: NodeJS.Timeout[] = [];
  private readonly log: (msg: string) => void;
  private wake: (() => void) | null = null;
  /** Waits (poll pauses, back-offs) that stop() cuts short. */
  private readonly resting = new Set<() => void>();
  /** Pipes being read, destroyed by stop() so that a quiet pipe cannot hold the agent. */
  private readonly pipes = new Set<Readable>();
  private statusError: string | null = null;
  private readonly startedMs = Date.now();
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;

  constructor(private readonly o: AgentOptions) {
    mkdirSync(o.spoolDir, { recursive: true });
    this.log = o.log ?? ((m) => process.stderr.write(`${m}\n`));
    this.retryBaseMs = o.retryBaseMs ?? 1000;
    this.retryMaxMs = o.retryMaxMs ?? 60_000;
    this.spool = new Spool(o.spoolDir, o.maxSpoolBytes ?? 1024 ** 3, () => randomBytes(6).toString('hex'), {
      fs: o.spoolFs,
      log: this.log,
    });
    this.positions = { ...this.spool.positions };
    this.shipper = new Shipper(this.spool, {
      center: o.center,
      token: o.token,
      ca: o.ca,
      parallel: o.parallel ?? 2,
      timeoutMs: 30_000,
      baseDelayMs: 250,
      maxDelayMs: 30_000,
      log: this.log,
      client: o.client,
    });
    this.batcher = new Batcher(this.spool, {
      batchEvents: o.batchEvents ?? 5000,
      flushMs: o.flushMs ?? 500,
      retryBaseMs: this.retryBaseMs,
      retryMaxMs: this.retryMaxMs,
      positions: () => this.positions,
      log: this.log,
      spooled: (events) => {
        this.stats.spooled += events;
        this.wake?.();
      },
    });
    this.stats = { read: 0, events: 0, rejected: 0, spooled: 0, shipper: this.shipper.stats };
  }

  start(): void {
    for (const s of this.o.sources) {
      const health = new SourceHealth(`${s.format}:${s.path}`, this.log);
      this.health.set(health.key, health);
      this.readers.push(this.runSource(s, health));
    }
    const flushMs = this.o.flushMs ?? 500;
    this.timers.push(setInterval(() => this.batcher.flushIfDue(), Math.max(50, flushMs / 2)));
    this.timers.push(setInterval(() => this.writeStatus('running'), this.o.statusMs ?? 5000));
    this.shipping = this.shipLoop();
    this.writeStatus('running');
  }

  /** Reads one source until the agent stops; a failure pauses it for a back-off, never ends it. */
  private async runSource(s: SourceSpec, h: SourceHealth): Promise<void> {
    while (!this.stopped) {
      try {
        const ended =
          FORMATS[s.format].kind === 'binary' ? await this.runCapture(s, h) : await this.runText(s, h);
        if (ended) {
          h.ended('end of input');
          return;
        }
      } catch (e) {
        if (this.stopped) break;
        const code = (e as NodeJS.ErrnoException).code;
        if (s.path === '-') {
          h.ended(`standard input failed: ${(e as Error).message}`); // a pipe cannot be reopened
          return;
        }
        const delayMs = backoffDelayMs(h.attempt++, { baseMs: this.retryBaseMs, maxMs: this.retryMaxMs });
        if (code === 'ENOENT') h.missing(`${s.path} does not exist`);
        else h.paused((e as Error).message, delayMs);
        await this.rest(delayMs);
      }
    }
    h.stopped();
  }

  private lineParser(format: FormatName): LineParser {
    const f = FORMATS[format];
    if (f.kind !== 'text') throw new KobanError('E_USAGE', `${format} is not a line format`);
    const offset = parseUtcOffset(this.o.utcOffset ?? '+00:00');
    const nowMs = Date.now();
    return f.create({
      sensor: '',
      year: new Date(nowMs + offset * 60_000).getUTCFullYear(),
      utcOffsetMinutes: offset,
      nowMs,
    }) as LineParser;
  }

  /** Follows a text file from the saved position until the agent stops (it never ends itself). */
  private async runText(s: SourceSpec, h: SourceHealth): Promise<false> {
    const from = (this.positions[h.key] as TailPosition | undefined) ?? null;
    const source = this.o.follow ? this.o.follow(s.path, from) : new FileFollower(s.path, from);
    const parse = this.lineParser(s.format);
    try {
      while (!this.stopped) {
        await this.ensureRoom(h);
        if (this.stopped) break;
        const r = await source.poll();
        for (const n of r.notes) this.log(n);
        if (r.missing) h.missing(`${s.path} does not exist`);
        else h.reading();
        if (r.lines.length === 0) {
          await this.rest(this.o.pollMs ?? 200);
          continue;
        }
        const recv = Date.now();
        for (const line of r.lines) if (line.length > 0) this.addRecord(parse(line), recv);
        // The position moves only with the batch that holds these lines.
        this.positions[h.key] = r.position;
        if (this.batcher.full) this.batcher.flush();
      }
    } finally {
      await source.close().catch(() => undefined);
    }
    return false;
  }

  private addRecord(out: RecordOutcome | readonly ObservationEvent[], recvMs: number): void {
    this.stats.read++;
    if (Array.isArray(out)) for (const e of out as ObservationEvent[]) this.add(e, recvMs);
    else if (isEvent(out as RecordOutcome)) this.add(out as ObservationEvent, recvMs);
    else if ((out as { outcome: string }).outcome === 'rejected') this.stats.rejected++;
  }

  /** Reads a capture; true when a pipe reached its end. */
  private async runCapture(s: SourceSpec, h: SourceHealth): Promise<boolean> {
    const isPipe = s.path === '-' || !statSync(s.path).isFile();
    const done = isPipe ? 0 : ((this.positions[h.key] as { records?: number } | undefined)?.records ?? 0);
    const pipe = s.path === '-' ? process.stdin : isPipe ? createReadStream(s.path) : null;
    if (pipe) this.pipes.add(pipe);
    // The parser counts the records it passes over, so the count starts from zero.
    let records = 0;
    try {
      const format = FORMATS[s.format];
      if (format.kind !== 'binary') return false;
      h.reading();
      for await (const b of format.parse(pipe ?? this.tailBytes(s.path), this.captureCtx(done))) {
        const recv = Date.now();
        this.stats.read += b.records;
        this.stats.rejected += b.rejections.length;
        for (const e of b.events) this.add(e, recv);
        records += b.records;
        if (!isPipe) this.positions[h.key] = { records };
        if (this.batcher.full) this.batcher.flush();
        // Back-pressure: the capture is not read on while the spool cannot take the batch.
        await this.ensureRoom(h);
        h.reading();
        if (this.stopped) break;
      }
    } finally {
      if (pipe) this.pipes.delete(pipe);
    }
    return isPipe && !this.stopped;
  }

  private captureCtx(skipRecords: number) {
    return {
      sensor: '',
      year: new Date().getUTCFullYear(),
      utcOffsetMinutes: 0,
      nowMs: Date.now(),
      skipRecords,
    };
  }

  /** A growing capture file (tcpdump -w FILE) read as one stream until the agent stops. */
  private async *tailBytes(path: string): AsyncGenerator<Uint8Array> {
    const fh = await open(path, 'r');
    let offset = 0;
    try {
      while (!this.stopped) {
        const buf = Buffer.alloc(256 * 1024);
        const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
        if (bytesRead === 0) {
          await this.rest(this.o.pollMs ?? 200);
          continue;
        }
        offset += bytesRead;
        yield buf.subarray(0, bytesRead);
      }
    } finally {
      await fh.close();
    }
  }

  private add(e: ObservationEvent, recvMs: number): void {
    this.batcher.add(e, recvMs);
    this.stats.events++;
  }

  /**
   * While the batch is full and the spool cannot take it, the source waits (with back-off) and
   * reads nothing more: memory stays bounded and nothing read is lost.
   */
  private async ensureRoom(h: SourceHealth): Promise<void> {
    while (!this.stopped && this.batcher.full && !this.batcher.flush()) {
      // One back-off for the spool, shared by every source and the flush timer.
      const delayMs = this.batcher.retryInMs;
      h.paused(`the spool cannot take the batch (${this.batcher.spoolError})`, delayMs);
      await this.rest(delayMs);
    }
  }

  private async shipLoop(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      let delay: number;
      try {
        delay = await this.shipper.round();
        attempt = 0;
      } catch (e) {
        this.log(`shipping failed: ${(e as Error).message}`);
        delay = backoffDelayMs(attempt++, { baseMs: this.retryBaseMs, maxMs: this.retryMaxMs });
      }
      if (delay === 0) continue;
      await this.sleep(delay < 0 ? 1000 : delay);
    }
  }

  /** The ship loop's wait: cut short by a new batch or by stop(). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
    });
  }

  /** A reader's wait: cut short by stop(). */
  private rest(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.resting.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.resting.add(done);
    });
  }

  /** Sends what is spooled, waiting at most `timeoutMs`; true when the spool is empty. */
  async drain(timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (this.spool.pending > 0 && Date.now() < until) {
      const d = await this.shipper.round();
      if (d > 0) await new Promise((r) => setTimeout(r, Math.min(d, Math.max(0, until - Date.now()))));
    }
    return this.spool.pending === 0;
  }

  get pendingSegments(): number {
    return this.spool.pending;
  }

  get droppedTotal(): number {
    return this.spool.droppedTotal;
  }

  /** What `status.json` holds. */
  status(state: 'running' | 'stopped' = this.stopped ? 'stopped' : 'running'): AgentStatus {
    return buildAgentStatus({
      state,
      startedMs: this.startedMs,
      center: this.o.center,
      stats: this.stats,
      spool: this.spool,
      spoolError: this.batcher.spoolError,
      sources: [...this.health.values()],
    });
  }

  private writeStatus(state: 'running' | 'stopped'): void {
    const err = this.spool.writeSideFile(STATUS_FILE, `${JSON.stringify(this.status(state), null, 2)}\n`);
    if (err && err.message !== this.statusError) this.log(`cannot write ${STATUS_FILE}: ${err.message}`);
    this.statusError = err ? err.message : null;
  }

  /**
   * Stops reading, spools what was read, and ships for up to `graceMs`; the spool keeps the
   * rest. A request still in flight at the deadline is aborted (its batch stays spooled), so
   * stop() returns within about `graceMs` whatever the center does.
   */
  stop(graceMs = 5000): Promise<void> {
    this.stopping ??= this.shutdown(graceMs);
    return this.stopping;
  }

  private async shutdown(graceMs: number): Promise<void> {
    this.stopped = true;
    this.wake?.();
    for (const done of [...this.resting]) done();
    for (const t of this.timers) clearInterval(t);
    for (const p of this.pipes) p.destroy();
    await Promise.all(this.readers);
    this.batcher.flush(true);
    const until = Date.now() + graceMs;
    const shipped = (async () => {
      await this.shipping;
      if (graceMs > 0) await this.drain(Math.max(0, until - Date.now()));
    })();
    let deadline: NodeJS.Timeout | undefined;
    await Promise.race([
      shipped,
      new Promise((r) => (deadline = setTimeout(r, Math.max(0, until - Date.now())))),
    ]);
    clearTimeout(deadline);
    this.shipper.close();
    await shipped;
    for (const h of this.health.values()) h.stopped();
    this.writeStatus('stopped');
    this.spool.close();
  }
}
