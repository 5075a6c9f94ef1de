/**
 * The recorder: polls procfs, turns the differences between two looks into records, and writes
 * them as a hash chain over rotating segment files within a disk budget, sealing the head with
 * the machine key every `sealEvery` records and when it stops (docs/recorder-format.md).
 */
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { KobanError } from '../core/index.js';
import {
  type Countersignature,
  canonicalJson,
  FORMAT_VERSION,
  GENESIS_HASH,
  type RecordBody,
  RecordSchema,
  recordHash,
  sealText,
} from './format.js';
import type { Head } from './head-link.js';
import { loadOrCreateKey, type SigningKey } from './keys.js';
import { ExeHasher, type ProcessInfo, readSnapshot, type SocketInfo } from './proc.js';
import { lastLine, listSegments, segmentName } from './segments.js';
import { readSessions, type Session, sessionKey } from './utmp.js';

export interface RecorderOptions {
  readonly out: string;
  readonly procRoot?: string;
  readonly passwdFile?: string;
  /** utmp(5), for logins and logouts; absent or unreadable means none are recorded. */
  readonly utmpFile?: string;
  /** Disk budget of all segments together; the oldest are dropped beyond it. */
  readonly maxBytes?: number;
  readonly sealEvery?: number;
  readonly now?: () => number;
  readonly host?: string;
  readonly software?: string;
  /**
   * Called with each seal's own position and hash (the chain's head once sealed): the center link
   * sends it for a countersignature. Must not block.
   */
  readonly onSeal?: (head: Head) => void;
}

export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
export const DEFAULT_SEAL_EVERY = 1000;
/** Below this a budget cannot hold two segments of useful size. */
export const MIN_MAX_BYTES = 16 * 1024;

const connKey = (s: SocketInfo) => `${s.proto} ${s.localAddr}:${s.localPort} ${s.remoteAddr}:${s.remotePort}`;

export class Recorder {
  private seq = 0;
  private head = GENESIS_HASH;
  private fd = -1;
  private segment = 0;
  private segmentSize = 0;
  /** Records since the last seal that count towards --seal-every (countersign records do not). */
  private sinceSeal = 0;
  /** Records of any kind since the last seal. */
  private unsealed = 0;
  private muteOnSeal = false;
  private processes = new Map<string, ProcessInfo>();
  private connections = new Set<string>();
  private sessions = new Map<string, Session>();
  private readonly hasher = new ExeHasher();
  private readonly now: () => number;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly sealEvery: number;

  private constructor(
    private readonly o: RecorderOptions,
    readonly key: SigningKey,
  ) {
    this.now = o.now ?? Date.now;
    this.maxBytes = o.maxBytes ?? DEFAULT_MAX_BYTES;
    if (this.maxBytes < MIN_MAX_BYTES)
      throw new KobanError('E_USAGE', `--max-bytes must be at least ${MIN_MAX_BYTES}`);
    // Eight segments per budget: dropping one frees an eighth, not everything.
    this.segmentBytes = Math.floor(this.maxBytes / 8);
    this.sealEvery = o.sealEvery ?? DEFAULT_SEAL_EVERY;
    if (!Number.isSafeInteger(this.sealEvery) || this.sealEvery < 1)
      throw new KobanError('E_USAGE', '--seal-every must be a positive integer');
  }

  /** Opens (or creates) the directory, continues its chain and writes a recorder-start record. */
  static open(o: RecorderOptions): Recorder {
    mkdirSync(o.out, { recursive: true, mode: 0o700 });
    const r = new Recorder(o, loadOrCreateKey(o.out));
    r.resume();
    r.append({
      kind: 'recorder-start',
      host: o.host ?? hostname(),
      keyFingerprint: r.key.fingerprint,
      publicKey: r.key.publicKey,
      software: o.software ?? 'koban',
    });
    return r;
  }

  get lastSeq(): number {
    return this.seq - 1;
  }

  get headHash(): string {
    return this.head;
  }

  private resume(): void {
    const segs = listSegments(this.o.out);
    const last = segs.at(-1);
    if (!last) {
      this.openSegment(1);
      return;
    }
    const file = join(this.o.out, last.name);
    const tail = lastLine(file);
    let cut = 0;
    if (tail.completeBytes < tail.size) {
      // A crash in the middle of a write: keep the complete records, say what was cut.
      cut = tail.size - tail.completeBytes;
      truncateSync(file, tail.completeBytes);
    }
    if (tail.line !== null) {
      const parsed = RecordSchema.safeParse(safeJson(tail.line));
      if (!parsed.success)
        throw new KobanError(
          'E_STORE',
          `${file}: the last record is damaged; run koban recorder verify, move the directory aside and start a new one`,
        );
      this.seq = parsed.data.seq + 1;
      this.head = parsed.data.hash;
    }
    this.openSegment(last.n);
    if (cut > 0)
      this.append({
        kind: 'gap',
        reason: 'truncated-tail',
        detail: `${cut} bytes of an unfinished record cut from ${last.name}`,
        droppedThroughSeq: null,
        droppedThroughHash: null,
        segments: [last.name],
        bytes: cut,
      });
  }

  private openSegment(n: number): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.segment = n;
    this.fd = openSync(join(this.o.out, segmentName(n)), 'a', 0o600);
    this.segmentSize = fstatSync(this.fd).size;
  }

  append(body: RecordBody): void {
    const rec: Record<string, unknown> = {
      v: FORMAT_VERSION,
      seq: this.seq,
      time: new Date(this.now()).toISOString(),
      prev: this.head,
      ...body,
    };
    rec.hash = recordHash(rec);
    const line = Buffer.from(`${canonicalJson(rec)}\n`);
    writeSync(this.fd, line);
    this.segmentSize += line.length;
    this.seq += 1;
    this.head = rec.hash as string;
    if (body.kind === 'seal') {
      this.sinceSeal = 0;
      this.unsealed = 0;
      if (!this.muteOnSeal) this.o.onSeal?.(this.headOf(rec));
    } else {
      this.unsealed += 1;
      // A countersignature answers a seal: if it counted, --seal-every 1 would seal, submit and
      // countersign forever.
      if (body.kind !== 'countersign' && ++this.sinceSeal >= this.sealEvery) this.seal();
    }
    if (this.segmentSize >= this.segmentBytes) this.rotate();
  }

  private headOf(rec: Record<string, unknown>): Head {
    return {
      keyFingerprint: this.key.fingerprint,
      publicKey: this.key.publicKey,
      headSeq: rec.seq as number,
      head: rec.hash as string,
    };
  }

  /**
   * Appends the center's countersignature of a head as a `countersign` record; false once the
   * recorder is closed (the center keeps its copy all the same).
   */
  appendCountersignature(c: Countersignature): boolean {
    if (this.fd < 0) return false;
    this.append({ kind: 'countersign', ...c });
    return true;
  }

  seal(): void {
    const headSeq = this.seq - 1;
    this.append({
      kind: 'seal',
      keyFingerprint: this.key.fingerprint,
      publicKey: this.key.publicKey,
      sig: this.key.sign(sealText(this.key.fingerprint, headSeq, this.head)),
    });
  }

  private rotate(): void {
    this.openSegment(this.segment + 1);
    const segs = listSegments(this.o.out).map((s) => ({
      ...s,
      size: statSync(join(this.o.out, s.name)).size,
    }));
    let total = segs.reduce((a, s) => a + s.size, 0);
    const dropped: typeof segs = [];
    let through: { seq: number; hash: string } | null = null;
    for (const s of segs) {
      // Room for the segment just opened to fill: the budget holds between rotations too.
      if (total + this.segmentBytes <= this.maxBytes || s.n === this.segment) break;
      const line = lastLine(join(this.o.out, s.name)).line;
      const rec = line === null ? null : RecordSchema.safeParse(safeJson(line));
      if (rec?.success) through = { seq: rec.data.seq, hash: rec.data.hash };
      unlinkSync(join(this.o.out, s.name));
      total -= s.size;
      dropped.push(s);
    }
    if (dropped.length > 0)
      this.append({
        kind: 'gap',
        reason: 'segments-dropped',
        detail: `disk budget of ${this.maxBytes} bytes: dropped the oldest ${dropped.length} segment(s)`,
        droppedThroughSeq: through?.seq ?? null,
        droppedThroughHash: through?.hash ?? null,
        segments: dropped.map((s) => s.name),
        bytes: dropped.reduce((a, s) => a + s.size, 0),
      });
  }

  /** One look at the machine; returns the number of records written. */
  async poll(): Promise<number> {
    const before = this.seq;
    const snap = await readSnapshot(
      { procRoot: this.o.procRoot ?? '/proc', passwdFile: this.o.passwdFile ?? '/etc/passwd' },
      this.hasher,
    );
    for (const [k, p] of snap.processes)
      if (!this.processes.has(k)) this.append({ kind: 'process-start', ...p });
    for (const [k, p] of this.processes)
      if (!snap.processes.has(k))
        this.append({ kind: 'process-end', pid: p.pid, startTicks: p.startTicks, exe: p.exe });
    this.processes = snap.processes;
    const byPid = new Map([...snap.processes.values()].map((p) => [p.pid, p]));
    const seen = new Set<string>();
    for (const s of snap.sockets) {
      const k = connKey(s);
      seen.add(k);
      if (this.connections.has(k)) continue;
      const pid = snap.owners.get(s.inode) ?? null;
      this.append({
        kind: 'connection',
        ...s,
        pid,
        exe: pid === null ? null : (byPid.get(pid)?.exe ?? null),
      });
    }
    this.connections = seen;
    await this.pollSessions();
    return this.seq - before;
  }

  private async pollSessions(): Promise<void> {
    const now = await readSessions(this.o.utmpFile ?? '/var/run/utmp');
    if (now === null) return;
    const next = new Map(now.map((s) => [sessionKey(s), s]));
    for (const [k, s] of next) if (!this.sessions.has(k)) this.append({ kind: 'login', ...s });
    for (const [k, s] of this.sessions) if (!next.has(k)) this.append({ kind: 'logout', ...s });
    this.sessions = next;
  }

  /** recorder-stop and a final seal; the directory can be opened again to continue the chain. */
  stop(reason: string): void {
    this.append({ kind: 'recorder-stop', reason });
    if (this.unsealed > 0) this.seal();
    closeSync(this.fd);
    this.fd = -1;
  }

  /**
   * As `stop`, but waits for `flush` (the center link sending the last seal's head) before closing:
   * countersign records it brings are sealed once more, and that seal is not sent again.
   */
  async finish(reason: string, flush: () => Promise<void>): Promise<void> {
    this.append({ kind: 'recorder-stop', reason });
    if (this.unsealed > 0) this.seal();
    await flush();
    this.muteOnSeal = true;
    if (this.unsealed > 0) this.seal();
    closeSync(this.fd);
    this.fd = -1;
  }
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}
