/**
 * File modes of what Koban keeps on disk. The data directory holds members' reports, raw
 * evidence, webhook secrets and every observation: on a shared host nobody but the account that
 * runs Koban may read it. Directories are created 0700, stores and keys 0600, evidence (written
 * once) 0400; an existing installation with looser modes is tightened when it is opened, and each
 * change is reported through a `Notice` so the operator learns about it.
 */
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** Files written once and never changed (evidence). */
export const SEALED_FILE_MODE = 0o400;
/** Group and other permission bits: none of them may be set on what Koban keeps. */
const SHARED_BITS = 0o077;

/** Where warnings about the data directory go (stderr for the CLI, the log for the server). */
export type Notice = (message: string) => void;

export const stderrNotice: Notice = (message) => {
  process.stderr.write(`koban: ${message}\n`);
};

export const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`;

/**
 * Removes the group and other bits of `path` if any is set (0644 → 0600, 0444 → 0400, 0755 →
 * 0700) and says so. Returns true when the mode changed; a missing path is left alone.
 */
export function tightenMode(path: string, notice: Notice = stderrNotice): boolean {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return false;
  }
  if ((mode & SHARED_BITS) === 0) return false;
  const tight = mode & 0o777 & ~SHARED_BITS;
  chmodSync(path, tight);
  notice(`${path} was readable by other users (mode ${octal(mode)}): changed to ${octal(tight)}`);
  return true;
}

/**
 * Makes sure `dir` exists and only its owner can enter it: created 0700 (with any missing
 * parents, which `mkdir -p` semantics give the same mode), or tightened if it exists.
 */
export function ensurePrivateDir(dir: string, notice: Notice = stderrNotice): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tightenMode(dir, notice);
}

/**
 * Tightens a whole tree (directories and files alike lose their group and other bits) and returns
 * how many paths changed; one notice sums them up. For trees written by a version that created
 * them world-readable; it reads every entry, so callers run it once, not at every open.
 */
export function tightenTree(root: string, notice: Notice = stderrNotice): number {
  let changed = 0;
  const quiet: Notice = () => {
    changed++;
  };
  const walk = (dir: string) => {
    tightenMode(dir, quiet);
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) tightenMode(p, quiet);
    }
  };
  try {
    walk(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (changed > 0)
    notice(`${root}: ${changed} files and directories were readable by other users: tightened`);
  return changed;
}

/** True when `path` exists and grants its group or others any permission (read, write or search). */
export function sharedBits(path: string): boolean {
  try {
    return (statSync(path).mode & SHARED_BITS) !== 0;
  } catch {
    return false;
  }
}

/**
 * The mode of `path` when group or others may read or write it (its owner should `chmod 600` it);
 * null when they may not, or when there is no such file.
 */
export function sharedMode(path: string): number | null {
  try {
    const mode = statSync(path).mode;
    return (mode & 0o066) !== 0 ? mode & 0o777 : null;
  } catch {
    return null;
  }
}
