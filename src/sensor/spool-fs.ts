/**
 * The file operations the spool performs, as a facade: node:fs in the agent, a stand-in that
 * fails like a full disk (ENOSPC) or a failing one (EIO) in tests — filling a real disk to test
 * the agent would be slow and would disturb everything else on the host.
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
import type { LockFs } from './spool-lock.js';

/** The file operations the spool performs: node:fs, or a facade injecting failures in tests. */
export interface SpoolFs extends LockFs {
  fsyncSync(fd: number): void;
  renameSync(from: string, to: string): void;
  readdirSync(dir: string): string[];
  statSync(path: string): { size: number };
}

export const nodeSpoolFs: SpoolFs = {
  openSync: (path, flags, mode) => openSync(path, flags, mode),
  writeSync: (fd, data) => writeSync(fd, data),
  closeSync,
  fsyncSync,
  renameSync,
  rmSync,
  readFileSync: (path) => readFileSync(path),
  readdirSync: (dir) => readdirSync(dir),
  statSync: (path) => statSync(path),
};

/** The file system (or the user's quota on it) is full. */
export function isNoSpace(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}
