/**
 * Where the real-world samples live: `../shared/samples/` beside the project root (see its
 * README for each file's source and licence). They are never copied into the repository; a
 * checkout without them reports the tests that need them as skipped.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SAMPLES_DIR = resolve(
  process.env.KOBAN_SAMPLES ?? join(PROJECT_ROOT, '..', 'shared', 'samples'),
);
export const HAVE_SAMPLES = existsSync(join(SAMPLES_DIR, 'README.md'));

/** Absolute path of a sample, e.g. `sample('pcap/synscan.pcapng')`. */
export function sample(rel: string): string {
  return join(SAMPLES_DIR, rel);
}

/** A fixture written by the project itself, under `test/fixtures/`. */
export function fixture(rel: string): string {
  return join(PROJECT_ROOT, 'test', 'fixtures', rel);
}
