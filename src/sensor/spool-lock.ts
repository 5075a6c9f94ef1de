/**
 * One agent per spool. Two agents on one spool directory would send the same segments twice,
 * drop each other's segments when full and overwrite each other's read positions, so the spool
 * takes an exclusive lock when it opens: a file `lock` created with O_EXCL holding the owner's
 * pid. A lock whose pid is no longer running was left by an agent that died (SIGKILL, a crash,
 * a power cut) and is taken over.
 *
 * Limits: liveness is checked with signal 0, which says nothing about what the pid now runs —
 * a pid reused by an unrelated process keeps the lock held, and the error says how to clear it.
 * A lock holding this process's own pid was left by an earlier process that had the same pid (a
 * container's agent restarted as pid 1) unless this process holds it itself.
 */
import { resolve } from 'node:path';
import { KobanError } from '../core/index.js';

export const LOCK_FILE = 'lock';

/** The file operations the lock needs (a subset of the spool's file-system facade). */
export interface LockFs {
  openSync(path: string, flags: string, mode?: number): number;
  writeSync(fd: number, data: Buffer): number;
  closeSync(fd: number): void;
  readFileSync(path: string): Buffer;
  rmSync(path: string, options: { force: boolean }): void;
}

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Spool directories locked by this process (resolved paths). */
const heldHere = new Set<string>();

function lockPath(dir: string): string {
  return resolve(dir, LOCK_FILE);
}

/** The pid in a spool's lock file; null when there is none, undefined when it is unreadable. */
export function lockHolder(dir: string, fs: Pick<LockFs, 'readFileSync'>): number | null | undefined {
  let text: string;
  try {
    text = fs.readFileSync(lockPath(dir)).toString('utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return undefined;
  }
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

export interface SpoolLock {
  release(): void;
}

export function acquireSpoolLock(
  dir: string,
  fs: LockFs,
  alive: (pid: number) => boolean = processAlive,
): SpoolLock {
  const path = lockPath(dir);
  const pid = process.pid;
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(path, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new KobanError('E_IO', `cannot lock the spool ${dir}: ${(e as Error).message}`, { cause: e });
      }
      const holder = lockHolder(dir, fs);
      // An unreadable or empty lock is taken to be an agent between creating and writing it; a
      // lock that reappears right after a stale one was removed is another agent's, just taken.
      const held =
        attempt > 0 ||
        holder === undefined ||
        (holder !== null && (holder === pid ? heldHere.has(path) : alive(holder)));
      if (held) {
        throw new KobanError(
          'E_LOCKED',
          `the spool ${dir} is in use by another agent${holder === undefined ? '' : ` (pid ${holder})`}: ` +
            'two agents on one spool would send and drop each other’s batches. Stop that agent or give ' +
            `this one its own --spool directory; if no agent is running, delete ${path}`,
        );
      }
      fs.rmSync(path, { force: true }); // left by an agent that is no longer running
      continue;
    }
    try {
      fs.writeSync(fd, Buffer.from(`${pid}\n`));
    } finally {
      fs.closeSync(fd);
    }
    heldHere.add(path);
    return {
      release() {
        if (!heldHere.delete(path)) return;
        if (lockHolder(dir, fs) === pid) fs.rmSync(path, { force: true });
      },
    };
  }
}
