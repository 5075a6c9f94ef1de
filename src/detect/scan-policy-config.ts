/**
 * The scan alert policy of a data directory (koban.json `scans`): the registered domestic and
 * critical-infrastructure blocks, and the known-scanner file read once when detection starts (no
 * download, ever). Lines of the file that are not understood are counted and told; the others are
 * kept.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { type KobanConfig, KobanError } from '../core/index.js';
import { parseKnownScanners } from './named-blocks.js';
import type { ScanPolicyOptions } from './scan-policy.js';

/** A known-scanner file larger than this is refused (a list of CIDR blocks is far smaller). */
const MAX_LIST_BYTES = 64 * 1024 * 1024;

export function readScanPolicy(
  scans: KobanConfig['scans'],
  dataDir: string,
  notice: (message: string) => void = () => {},
): Partial<ScanPolicyOptions> {
  const policy: Partial<ScanPolicyOptions> = {
    domesticBlocks: scans.domesticBlocks.map((b) => b.trim()),
    criticalBlocks: scans.criticalBlocks.map((b) => ({ name: b.name, cidr: b.cidr.trim() })),
  };
  if (scans.knownScanners === undefined) return policy;
  const path = resolve(dataDir, scans.knownScanners);
  let text: string;
  try {
    if (statSync(path).size > MAX_LIST_BYTES)
      throw new KobanError('E_CONFIG', `scans.knownScanners: ${path} is larger than 64 MiB`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof KobanError) throw e;
    throw new KobanError('E_CONFIG', `scans.knownScanners: cannot read ${path}: ${(e as Error).message}`);
  }
  const { blocks, rejected } = parseKnownScanners(text, basename(path).replace(/\.[a-z]+$/i, ''));
  if (rejected.length > 0) {
    const first = rejected
      .slice(0, 3)
      .map((r) => `line ${r.line}: ${r.reason}`)
      .join('; ');
    notice(
      `scans.knownScanners: ${path}: ${rejected.length} line(s) skipped (${first}); ${blocks.length} blocks kept`,
    );
  }
  return { ...policy, knownScanners: blocks };
}
