/**
 * The sensor agent: follows log files and captures, parses locally, batches, compresses and
 * spools durably, and ships to the center. Each batch is spooled together with the positions of
 * its sources, so a restarted agent neither loses nor repeats a record.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import {
  isEvent,
  KobanError,
  type ObservationEvent,
  parseUtcOffset,
  type RecordOutcome,
} from '../core/index.js';
import { encodeEvent } from '../observe/index.js';
import { FORMAT_NAMES, FORMATS, type FormatName } from '../parse/index.js';
import { Batcher, eventsBatchBody } from './batcher.js';
import { Shipper, type ShipperStats } from './shipper.js';
import { Spool } from './spool.js';
import { FileFollower, type TailPosition } from './tail.js';

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface SourceSpec {
  readonly format: FormatName;
  /** A file path, or `-` for standard input (pcap from `tcpdump -w -`). */
  readonly path: string;
}

export function parseSourceSpec(s: string): SourceSpec {
  const i = s.indexOf(':');
  const format = i === -1 ? '' : s.slice(0, i);
  const path = i === -1 ? '' : s.slice(i + 1);
  if (!(FORMAT_NAMES as readonly string[]).includes(format) || path === '') {
    throw new KobanError(
      'E_USAGE',
      `--source must be FORMAT:PATH with FORMAT one of ${FORMAT_NAMES.join(', ')}, not "${s}"`,
    );
  }
  return { format: format as FormatName, path };
}

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
  readonly log?: ((msg: string) => void) | undefined;
}

export interface AgentStats {
  read: number;
  events: number;
  rejected: number;
  spooled: number;
  readonly shipper: ShipperStats;
}

export class SensorAgent {
  readonly stats: AgentStats;
  private readonly spool: Spool;
  private readonly shipper: Shipper;
  private readonly batcher: Batcher;
  private readonly positions: Record<string, unknown>;
  private stopped = false;
  private readers: Promise<void>[] = [];
  private shipping: Promise<void> | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly log: (msg: string) => void;
  private wake: (() => void) | null = null;

  constructor(private readonly o: AgentOptions) {
    mkdirSync(o.spoolDir, { recursive: true });
    this.log = o.log ?? ((m) => process.stderr.write(`${m}\n`));
    this.spool = new Spool(o.spoolDir, o.maxSpoolBytes ?? 1024 ** 3, () => randomBytes(6).toString('hex'));
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
    });
    this.stats = { read: 0, events: 0, rejected: 0, spooled: 0, shipper: this.shipper.stats };
    this.batcher = new Batcher({ maxEvents: o.batchEvents ?? 5000, maxAgeMs: o.flushMs ?? 500 });
  }

  start(): void {
    for (const s of this.o.sources) {
      const key = `${s.format}:${s.path}`;
      this.readers.push(
        (s.format === 'pcap' ? this.runCapture(s, key) : this.runText(s, key)).catch((e) => {
          this.log(`source ${key} stopped: ${(e as Error).message}`);
        }),
      );
    }
    this.flushTimer = setInterval(() => this.flushIfDue(), Math.max(50, (this.o.flushMs ?? 500) / 2));
    this.shipping = this.shipLoop();
  }

  private lineParser(format: FormatName): (line: string) => RecordOutcome | readonly ObservationEvent[] {
    const f = FORMATS[format];
    if (f.kind !== 'text') throw new KobanError('E_USAGE', `${format} is not a line format`);
    const offset = parseUtcOffset(this.o.utcOffset ?? '+00:00');
    const nowMs = Date.now();
    return f.create({
      sensor: '',
      year: new Date(nowMs + offset * 60_000).getUTCFullYear(),
      utcOffsetMinutes: offset,
      nowMs,
    }) as (line: string) => RecordOutcome | readonly ObservationEvent[];
  }

  private async runText(s: SourceSpec, key: string): Promise<void> {
    const follower = new FileFollower(s.path, (this.positions[key] as TailPosition | undefined) ?? null);
    const parse = this.lineParser(s.format);
    try {
      while (!this.stopped) {
        const r = await follower.poll();
        for (const n of r.notes) this.log(n);
        if (r.lines.length === 0) {
          await pause(this.o.pollMs ?? 200);
          continue;
        }
        const recv = Date.now();
        for (const line of r.lines) {
          if (line.length === 0) continue;
          this.stats.read++;
          const out = parse(line);
          if (Array.isArray(out)) for (const e of out as ObservationEvent[]) this.add(e, recv);
          else if (isEvent(out as RecordOutcome)) this.add(out as ObservationEvent, recv);
          else if ((out as { outcome: string }).outcome === 'rejected') this.stats.rejected++;
        }
        // The position moves only with the batch that holds these lines.
        this.positions[key] = r.position;
        if (this.batcher.events >= (this.o.batchEvents ?? 5000)) this.flush();
      }
    } finally {
      await follower.close();
    }
  }

  private async runCapture(s: SourceSpec, key: string): Promise<void> {
    const isPipe = s.path === '-' || !statSync(s.path).isFile();
    const done = isPipe ? 0 : ((this.positions[key] as { records?: number } | undefined)?.records ?? 0);
    const input = s.path === '-' ? process.stdin : isPipe ? createReadStream(s.path) : this.tailBytes(s.path);
    // The parser counts the records it passes over, so the count starts from zero.
    let records = 0;
    const batches = FORMATS.pcap.kind === 'binary' ? FORMATS.pcap.parse(input, this.captureCtx(done)) : null;
    if (!batches) return;
    for await (const b of batches) {
      const recv = Date.now();
      this.stats.read += b.records;
      this.stats.rejected += b.rejections.length;
      for (const e of b.events) this.add(e, recv);
      records += b.records;
      if (!isPipe) this.positions[key] = { records };
      if (this.batcher.events >= (this.o.batchEvents ?? 5000)) this.flush();
      if (this.stopped) break;
    }
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
          await pause(this.o.pollMs ?? 200);
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
    this.batcher.add(JSON.stringify(encodeEvent(e, recvMs)));
    this.stats.events++;
  }

  private flushIfDue(): void {
    if (this.batcher.isDue()) this.flush();
  }

  /** Spools the current batch with the source positions it brings us to. */
  private flush(): void {
    if (this.batcher.events === 0) {
      return;
    }
    const lines = this.batcher.take();
    const body = gzipSync(eventsBatchBody(this.spool.nextBatchId(), lines), { level: 1 });
    this.spool.append(body, lines.length, { ...this.positions });
    this.stats.spooled += lines.length;
    this.wake?.();
  }

  private async shipLoop(): Promise<void> {
    while (!this.stopped) {
      const delay = await this.shipper.round();
      if (delay === 0) continue;
      await this.sleep(delay < 0 ? 1000 : delay);
    }
  }

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

  /** Stops reading, spools what was read, and ships for up to `graceMs`; the spool keeps the rest. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    this.wake?.();
    if (this.flushTimer) clearInterval(this.flushTimer);
    await Promise.all(this.readers);
    this.flush();
    await this.shipping;
    if (graceMs > 0) await this.drain(graceMs);
    this.shipper.close();
  }
}
