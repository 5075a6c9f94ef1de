/** The three digests threat-intel platforms index files by (MISP, VirusTotal and STIX 2.1 `hashes`). */
import { createHash } from 'node:crypto';
import type { Hashes } from './types.js';

export function hashes(content: Buffer): Hashes {
  return {
    md5: createHash('md5').update(content).digest('hex'),
    sha1: createHash('sha1').update(content).digest('hex'),
    sha256: createHash('sha256').update(content).digest('hex'),
  };
}

export function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}
