/** `--source FORMAT:PATH`: what the agent reads and how to parse it. */
import { KobanError } from '../core/index.js';
import { FORMAT_NAMES, type FormatName } from '../parse/index.js';

export interface SourceSpec {
  readonly format: FormatName;
  /** A file path, or `-` for standard input (pcap from `tcpdump -w -`). */
  readonly path: string;
}

export function parseSourceSpec(s: string): SourceSpec {
  const i = s.indexOf(':');
  const format = i === -1 ? '' : s.slice(0, i);
  const path = i === -1 ? '' : s.slice(i + 1);
  if (!(FORMAT_NAMES as readonly string[]).includes(format) || path === '') {
    throw new KobanError(
      'E_USAGE',
      `--source must be FORMAT:PATH with FORMAT one of ${FORMAT_NAMES.join(', ')}, not "${s}"`,
    );
  }
  return { format: format as FormatName, path };
}
