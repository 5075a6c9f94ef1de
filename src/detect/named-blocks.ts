/**
 * Address blocks with names, and which of them hold an address: the operator's known-scanner list
 * (research projects and search engines that scan the whole Internet, from a file the operator
 * gives: nothing is downloaded), and the domestic and critical-infrastructure blocks the scan alert
 * policy watches (docs/methods.md#what-deserves-an-alert). IPv4 blocks are sorted ranges searched
 * in O(log n) (plus the blocks that enclose others); IPv6 ones are few and tested one by one.
 */
import {
  addrBytes,
  bytesToUint32,
  type Cidr,
  cidrContains,
  cidrToString,
  parseAddressBlock,
  parseIPv4,
} from '../core/index.js';

export interface NamedBlock {
  readonly name: string;
  /** The block as written (`192.0.2.0/24`, or a bare address). */
  readonly cidr: string;
}

interface Range4 {
  readonly start: number;
  readonly end: number;
  readonly name: string;
}

export class NamedBlocks {
  private readonly v4: Range4[];
  /** `reach[i]`: the largest end among ranges 0…i (how far back an enclosing range may start). */
  private readonly reach: Float64Array;
  private readonly v6: { readonly cidr: Cidr; readonly name: string }[];

  /** Blocks that do not parse are refused by the caller (config, parseKnownScanners); here skipped. */
  constructor(blocks: readonly NamedBlock[]) {
    const v4: Range4[] = [];
    this.v6 = [];
    for (const b of blocks) {
      const c = parseAddressBlock(b.cidr.trim());
      if (!c) continue;
      if (c.family === 6) {
        this.v6.push({ cidr: c, name: b.name });
        continue;
      }
      const start = bytesToUint32(c.bytes, 0);
      v4.push({ start, end: start + 2 ** (32 - c.prefix) - 1, name: b.name });
    }
    this.v4 = v4.sort((a, b) => a.start - b.start || b.end - a.end);
    this.reach = new Float64Array(this.v4.length);
    let max = -1;
    this.v4.forEach((r, i) => {
      max = Math.max(max, r.end);
      this.reach[i] = max;
    });
  }

  get size(): number {
    return this.v4.length + this.v6.length;
  }

  /** The names of the blocks holding `address` (in order of the blocks' starts), none when none. */
  namesOf(address: string): string[] {
    if (this.size === 0) return [];
    if (address.includes(':')) {
      const b = addrBytes(address);
      return b ? this.v6.filter((x) => cidrContains(x.cidr, b)).map((x) => x.name) : [];
    }
    const ip = parseIPv4(address);
    if (ip < 0 || this.v4.length === 0) return [];
    let lo = 0;
    let hi = this.v4.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.v4[mid]!.start <= ip) lo = mid + 1;
      else hi = mid - 1;
    }
    const names: string[] = [];
    // Ranges starting at or before the address, back while one of them may still reach it.
    for (let i = hi; i >= 0 && this.reach[i]! >= ip; i--) {
      const r = this.v4[i]!;
      if (r.end >= ip && !names.includes(r.name)) names.push(r.name);
    }
    return names.reverse();
  }
}

/** A line of a known-scanner file that was not understood: counted and reported, the rest kept. */
export interface ListRejection {
  readonly line: number;
  readonly reason: string;
}

const HEADER_FIELDS = new Set(['cidr', 'network', 'prefix', 'address', 'ip']);

/**
 * A known-scanner list: one block a line, `CIDR` or `CIDR,name` or `CIDR name…` (a bare address is
 * a /32 or /128); `#` starts a comment; a first line naming its columns (`cidr,name`) is a header.
 * Lines without a name take `defaultName` (the file's name, say).
 */
export function parseKnownScanners(
  text: string,
  defaultName = 'known scanner',
): { blocks: NamedBlock[]; rejected: ListRejection[] } {
  const blocks: NamedBlock[] = [];
  const rejected: ListRejection[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line.length === 0) return;
    const m = /^([^\s,;]+)\s*[,;\s]\s*(.*)$/.exec(line) ?? [line, line, ''];
    const field = m[1]!;
    const name = (m[2] ?? '').replace(/^"|"$/g, '').trim();
    const cidr = parseAddressBlock(field);
    if (!cidr) {
      if (i === 0 && HEADER_FIELDS.has(field.toLowerCase())) return;
      rejected.push({ line: i + 1, reason: `not an address or CIDR block: "${field.slice(0, 60)}"` });
      return;
    }
    if (name.length > 200) {
      rejected.push({ line: i + 1, reason: 'name longer than 200 characters' });
      return;
    }
    blocks.push({ cidr: cidrToString(cidr), name: name || defaultName });
  });
  return { blocks, rejected };
}
