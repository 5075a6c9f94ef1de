/**
 * Heads the center had not countersigned when a recorder stopped (docs/recorder-format.md#countersignatures-from-the-center):
 * kept beside the chain in `pending-heads.json` and sent first by the next `koban recorder run
 * --center` on the same directory, so a center that was down at the stop still countersigns them
 * (the countersignature then lands in the chain of that run, naming the old head's position).
 * Not part of the chain: the file is only a queue, rewritten whole (written aside, then renamed)
 * at each stop and removed once read. A damaged file is reported and set aside, never fatal.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Head } from './head-link.js';

export const PENDING_HEADS_FILE = 'pending-heads.json';

const Hex = z.string().regex(/^[0-9a-f]+$/);
const HeadSchema = z.object({
  keyFingerprint: Hex.max(128),
  publicKey: z.string().min(1).max(512),
  headSeq: z.number().int().min(0),
  head: Hex.length(64),
});
/** At most this many heads are kept (the queue's own bound is smaller; a later head covers the rest). */
const MAX_KEPT = 10_000;
const PendingSchema = z.object({ version: z.literal(1), heads: z.array(HeadSchema).max(MAX_KEPT) });

/** Writes the heads still unsent (none: removes the file). */
export function savePendingHeads(dir: string, heads: readonly Head[]): void {
  const file = join(dir, PENDING_HEADS_FILE);
  if (heads.length === 0) {
    rmSync(file, { force: true });
    return;
  }
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ version: 1, heads: heads.slice(-MAX_KEPT) }, null, 1)}\n`, {
    mode: 0o600,
  });
  renameSync(tmp, file);
}

/**
 * The heads an earlier run left unsent, oldest first, and the file removed; a file that cannot be
 * read is renamed `pending-heads.json.bad` and named in `problem`.
 */
export function takePendingHeads(dir: string): { heads: Head[]; problem: string | null } {
  const file = join(dir, PENDING_HEADS_FILE);
  if (!existsSync(file)) return { heads: [], problem: null };
  let parsed: z.infer<typeof PendingSchema>;
  try {
    parsed = PendingSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (e) {
    renameSync(file, `${file}.bad`);
    const why = e instanceof z.ZodError ? (e.issues[0]?.message ?? 'invalid') : (e as Error).message;
    return {
      heads: [],
      problem: `${file} could not be read (${why}): set aside as ${PENDING_HEADS_FILE}.bad`,
    };
  }
  rmSync(file, { force: true });
  return { heads: [...parsed.heads].sort((a, b) => a.headSeq - b.headSeq), problem: null };
}
