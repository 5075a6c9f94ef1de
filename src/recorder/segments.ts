/**
 * The segment files of a recorder directory: `segment-000001.ndjson`, `segment-000002.ndjson`, …
 * numbered in the order written; the chain runs on from each file into the next.
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { KobanError } from '../core/index.js';

const SEGMENT = /^segment-(\d{6,})\.ndjson$/;

export const segmentName = (n: number): string => `segment-${String(n).padStart(6, '0')}.ndjson`;

export function listSegments(dir: string): { name: string; n: number }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new KobanError('E_NOT_FOUND', `${dir}: no such recorder directory`);
    throw new KobanError('E_IO', `${dir}: ${(e as Error).message}`);
  }
  return names
    .map((name) => ({ name, m: SEGMENT.exec(name) }))
    .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
    .map((x) => ({ name: x.name, n: Number(x.m[1]) }))
    .sort((a, b) => a.n - b.n);
}

/** The last line of a file and where the complete lines end (a crash may leave half a line). */
export function lastLine(file: string): { line: string | null; completeBytes: number; size: number } {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    // A record is far below 1 MiB (cmdline is capped by the kernel at a page or so per argument).
    const window = Math.min(size, 1 << 20);
    const buf = Buffer.alloc(window);
    readSync(fd, buf, 0, window, size - window);
    const text = buf.toString('utf8');
    const end = text.lastIndexOf('\n');
    const completeBytes = end < 0 ? size - window : size - window + Buffer.byteLength(text.slice(0, end + 1));
    const before = text.lastIndexOf('\n', end - 1);
    const line = end < 0 ? null : text.slice(before + 1, end);
    return { line: line === '' ? null : line, completeBytes, size };
  } finally {
    closeSync(fd);
  }
}

export const segmentPath = (dir: string, n: number) => join(dir, segmentName(n));
