/**
 * Follows a log file the way `tail -F` does, but resumable and loss-free: it hands out complete
 * lines with the byte position after each, survives rotation by rename (it finishes the old file
 * through its still-open descriptor, or finds it again by inode after a restart) and by
 * copytruncate (it finds the rotated copy by its first bytes and reads the rest from there),
 * and never advances past a partial last line.
 */
import { createHash } from 'node:crypto';
import { type FileHandle, open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Where a follower stands, saved by the agent after the lines up to it are spooled. */
export interface TailPosition {
  readonly dev: number;
  readonly ino: number;
  /** Byte offset after the last complete line handed out. */
  readonly offset: number;
  /** SHA-256 of the file's first {@link HEAD_BYTES} bytes (or fewer, if it was shorter), hex. */
  readonly head: string;
  readonly headLength: number;
}

export const HEAD_BYTES = 1024;
const READ_BYTES = 1024 * 1024;

export interface TailLines {
  readonly lines: string[];
  /** Position after the last of `lines`. */
  readonly position: TailPosition;
  /** Notes for the operator (rotation handled, data that could not be found…). */
  readonly notes: string[];
  /** No file is open and there is none at the path (not created yet, or between rotations). */
  readonly missing: boolean;
}

/** What the agent reads a text source through: a {@link FileFollower}, or a stand-in in tests. */
export interface LineSource {
  poll(): Promise<TailLines>;
  close(): Promise<void>;
}

interface OpenFile {
  fh: FileHandle;
  dev: number;
  ino: number;
  offset: number;
  head: string;
  headLength: number;
}

async function headOf(fh: FileHandle, size: number): Promise<{ head: string; headLength: number }> {
  const n = Math.min(size, HEAD_BYTES);
  const buf = Buffer.alloc(n);
  if (n > 0) await fh.read(buf, 0, n, 0);
  return { head: createHash('sha256').update(buf).digest('hex'), headLength: n };
}

export class FileFollower implements LineSource {
  private current: OpenFile | null = null;
  /** The last attempt to open the path found nothing there. */
  private absent = false;
  /** The pre-rotation file still to be read to its end. */
  private draining: OpenFile | null = null;
  private pendingNotes: string[] = [];

  constructor(
    readonly path: string,
    private saved: TailPosition | null,
    private readonly maxLineBytes = 64 * 1024,
  ) {}

  /** Reads what is new (at most about 1 MiB per call). Empty `lines` when nothing is. */
  async poll(): Promise<TailLines> {
    if (this.current === null && this.draining === null) await this.openInitial();
    if (this.draining) {
      const r = await this.readFrom(this.draining);
      if (r.lines.length > 0 || r.more) return this.result(r.lines, this.draining);
      await this.draining.fh.close();
      this.draining = null;
    }
    if (this.current === null) {
      await this.openInitial();
      if (this.current === null) return this.result([], null);
    }
    await this.checkRotation();
    const cur = this.current as OpenFile | null;
    if (cur === null) return this.result([], null);
    const r = await this.readFrom(cur);
    return this.result(r.lines, cur);
  }

  private result(lines: string[], f: OpenFile | null): TailLines {
    const notes = this.pendingNotes;
    this.pendingNotes = [];
    const position: TailPosition = f
      ? { dev: f.dev, ino: f.ino, offset: f.offset, head: f.head, headLength: f.headLength }
      : (this.saved ?? { dev: 0, ino: 0, offset: 0, head: '', headLength: 0 });
    return { lines, position, notes, missing: f === null && this.absent };
  }

  /** Opens the file, continuing from the saved position — in a rotated copy if need be. */
  private async openInitial(): Promise<void> {
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(this.path);
    } catch (e) {
      // Not there yet (or between rotation and re-creation): the caller keeps polling. Any other
      // failure (EACCES, EIO) is the caller's to report and retry.
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
      this.absent = true;
      return;
    }
    this.absent = false;
    const saved = this.saved;
    this.saved = null;
    const fh = await open(this.path, 'r');
    const h = await headOf(fh, st.size);
    const file: OpenFile = { fh, dev: st.dev, ino: st.ino, offset: 0, ...h };
    if (saved && saved.ino === st.ino && saved.dev === st.dev) {
      if (st.size >= saved.offset) file.offset = saved.offset;
      else await this.recoverTruncated(saved); // copytruncate while we were down
    } else if (saved && saved.offset > 0) {
      // Rotated by rename while we were down: finish the old file first, found by its inode.
      const old = await this.findSibling((s) => s.ino === saved.ino && s.dev === saved.dev);
      if (old) {
        this.draining = { ...old, offset: Math.min(saved.offset, old.size) };
        this.pendingNotes.push(`${this.path}: rotated while stopped; reading the rest of ${old.name}`);
      } else {
        const byHead = await this.recoverTruncated(saved);
        if (!byHead) {
          this.pendingNotes.push(
            `${this.path}: the file read before (inode ${saved.ino}) is gone; lines after offset ${saved.offset} of it may be lost`,
          );
        }
      }
    }
    this.current = file;
  }

  /** After copytruncate the unread tail is in the copy whose first bytes match ours. */
  private async recoverTruncated(saved: TailPosition): Promise<boolean> {
    const copy = await this.findSibling(
      (s) => s.size >= saved.offset && s.headLength === saved.headLength && s.head === saved.head,
    );
    if (!copy) return false;
    this.draining = { ...copy, offset: saved.offset };
    this.pendingNotes.push(`${this.path}: truncated (copytruncate); reading the rest from ${copy.name}`);
    return true;
  }

  private async findSibling(
    match: (s: { ino: number; dev: number; size: number; head: string; headLength: number }) => boolean,
  ): Promise<(OpenFile & { name: string; size: number }) | null> {
    const dir = dirname(this.path);
    const base = basename(this.path);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return null;
    }
    for (const name of names) {
      if (name === base || !name.startsWith(base) || name.endsWith('.gz')) continue;
      const p = join(dir, name);
      try {
        const st = await stat(p);
        if (!st.isFile()) continue;
        const fh = await open(p, 'r');
        const h = await headOf(fh, st.size);
        if (match({ ino: st.ino, dev: st.dev, size: st.size, ...h })) {
          return { fh, dev: st.dev, ino: st.ino, offset: 0, ...h, name, size: st.size };
        }
        await fh.close();
      } catch {
        // a file vanishing under us is not an error
      }
    }
    return null;
  }

  /** Notices rotation by rename (new inode at the path) and copytruncate (size below offset). */
  private async checkRotation(): Promise<void> {
    const cur = this.current!;
    let st: Awaited<ReturnType<typeof stat>> | null = null;
    try {
      st = await stat(this.path);
    } catch {
      st = null;
    }
    if (st && (st.ino !== cur.ino || st.dev !== cur.dev)) {
      // Renamed away: drain the old descriptor, then follow the new file from its start.
      this.draining = cur;
      const fh = await open(this.path, 'r');
      this.current = { fh, dev: st.dev, ino: st.ino, offset: 0, ...(await headOf(fh, st.size)) };
      this.pendingNotes.push(`${this.path}: rotated; finishing the old file, then following the new one`);
      return;
    }
    const size = (await cur.fh.stat()).size;
    if (size < cur.offset) {
      const saved = {
        dev: cur.dev,
        ino: cur.ino,
        offset: cur.offset,
        head: cur.head,
        headLength: cur.headLength,
      };
      await this.recoverTruncated(saved);
      cur.offset = 0;
      Object.assign(cur, await headOf(cur.fh, size));
      if (!this.draining)
        this.pendingNotes.push(`${this.path}: truncated; lines after offset ${saved.offset} may be lost`);
    } else if (cur.headLength < HEAD_BYTES && size > cur.headLength) {
      Object.assign(cur, await headOf(cur.fh, size)); // the head grows with a young file
    }
  }

  /** Reads complete lines from the file's offset; a partial last line waits for its newline. */
  private async readFrom(f: OpenFile): Promise<{ lines: string[]; more: boolean }> {
    const size = (await f.fh.stat()).size;
    if (size <= f.offset) return { lines: [], more: false };
    const want = Math.min(size - f.offset, READ_BYTES);
    const buf = Buffer.alloc(want);
    const { bytesRead } = await f.fh.read(buf, 0, want, f.offset);
    const chunk = buf.subarray(0, bytesRead);
    const lastNl = chunk.lastIndexOf(0x0a);
    if (lastNl === -1) {
      if (bytesRead >= this.maxLineBytes && bytesRead === want) {
        // A "line" longer than any record: skip to its end rather than stall forever.
        f.offset += bytesRead;
        this.pendingNotes.push(`${this.path}: skipped ${bytesRead} bytes without a line break`);
      }
      return { lines: [], more: false };
    }
    const text = chunk.subarray(0, lastNl).toString('utf8');
    f.offset += lastNl + 1;
    const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    return { lines, more: f.offset < size };
  }

  async close(): Promise<void> {
    await this.current?.fh.close();
    await this.draining?.fh.close();
    this.current = null;
    this.draining = null;
  }
}
