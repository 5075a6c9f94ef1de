/**
 * Reads the records of a recorder directory in chain order, for readers that trust the chain as
 * far as `koban recorder verify` does (the timeline): lines that are not records of the format are
 * counted, never fatal.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RecorderRecord, RecordSchema } from './format.js';
import { listSegments } from './segments.js';

export interface ReadChain {
  readonly records: RecorderRecord[];
  /** Lines that are not JSON or not a record, as `segment:line`. */
  readonly rejected: string[];
}

export function readChain(dir: string): ReadChain {
  const records: RecorderRecord[] = [];
  const rejected: string[] = [];
  for (const seg of listSegments(dir)) {
    const lines = readFileSync(join(dir, seg.name), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (line === '') return;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        json = undefined;
      }
      const r = RecordSchema.safeParse(json);
      if (r.success) records.push(r.data);
      else rejected.push(`${seg.name}:${i + 1}`);
    });
  }
  return { records, rejected };
}
