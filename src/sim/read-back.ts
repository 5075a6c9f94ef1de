/**
 * Reads a simulation's output back through Koban's own parsers (format detection included), file by
 * file in manifest order: what `koban import` would see. Used by the tests to count from the files
 * rather than from the generator's state, and handy for checking a generated directory.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ObservationEvent } from '../core/index.js';
import { openInput, parseInput, type RecordRejection } from '../parse/index.js';
import type { Manifest, ManifestFile, ManifestSensor } from './documents.js';

export interface FileReadBack {
  readonly path: string;
  /** Format the parsers detected. */
  readonly detected: string;
  readonly events: number;
  readonly rejections: readonly RecordRejection[];
  readonly skipped: number;
  /** Events whose time is not after the previous event's. */
  readonly outOfOrder: number;
}

export function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
}

/** Parses every file of the simulation in `dir`, calling `visit` for each event. */
export async function readBack(
  dir: string,
  visit?: (e: ObservationEvent, file: ManifestFile, sensor: ManifestSensor) => void,
  utcOffsetMinutes = 540,
): Promise<FileReadBack[]> {
  const manifest = readManifest(dir);
  const out: FileReadBack[] = [];
  for (const sensor of manifest.sensors) {
    for (const file of sensor.files) {
      const input = await openInput(join(dir, file.path));
      const ctx = { sensor: sensor.name, year: 2000, utcOffsetMinutes, nowMs: Date.UTC(2100, 0, 1) };
      const { format, batches } = parseInput(input, 'auto', ctx, { maxLineChars: 1 << 16, name: file.path });
      let events = 0;
      let skipped = 0;
      let outOfOrder = 0;
      let prev = Number.NEGATIVE_INFINITY;
      const rejections: RecordRejection[] = [];
      for await (const b of batches) {
        for (const e of b.events) {
          if (e.timeMs < prev) outOfOrder++;
          prev = e.timeMs;
          visit?.(e, file, sensor);
        }
        events += b.events.length;
        rejections.push(...b.rejections);
        for (const n of b.skipped.values()) skipped += n;
      }
      out.push({ path: file.path, detected: format, events, rejections, skipped, outOfOrder });
    }
  }
  return out;
}
