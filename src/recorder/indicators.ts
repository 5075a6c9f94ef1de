/**
 * Known-bad addresses for the timeline (docs/recorder-format.md#timeline): C2 destinations from a
 * text list (one address or CIDR block a line, `#` comments) or from the indicators of a STIX bundle
 * the center exported (read by the caller, which knows STIX patterns), as a marker that says which
 * entry matched. Malformed lines are counted and reported, the rest kept.
 */
import { addrBytes, type Cidr, canonicalIp, cidrContains, parseCidr } from '../core/index.js';
import type { AddressMarker, Mark } from './timeline.js';

export interface AddressIndicator {
  /** An address or a CIDR block. */
  readonly value: string;
  /** What it is: `c2` from a C2 list or a STIX indicator labelled `c2` (a Koban export), else `indicator`. */
  readonly kind: string;
  /** Where it comes from and what else is known (name, validity). */
  readonly detail: string;
}

export interface ParsedIndicators {
  readonly indicators: AddressIndicator[];
  readonly rejected: { readonly line: number; readonly reason: string }[];
}

/** One address or block a line; text after `#` is a comment. */
export function parseAddressList(text: string, source: string, kind = 'c2'): ParsedIndicators {
  const indicators: AddressIndicator[] = [];
  const rejected: { line: number; reason: string }[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const ok = line.includes('/') ? parseCidr(line) !== null : canonicalIp(line) !== null;
    if (ok) indicators.push({ value: line, kind, detail: `${source} line ${i + 1}` });
    else rejected.push({ line: i + 1, reason: `"${line.slice(0, 80)}" is not an address or a CIDR block` });
  });
  return { indicators, rejected };
}

/** Marks an address with every indicator that names it or a block holding it. */
export function indicatorMarker(source: string, indicators: readonly AddressIndicator[]): AddressMarker {
  const exact = new Map<string, AddressIndicator[]>();
  const blocks: { cidr: Cidr; i: AddressIndicator }[] = [];
  for (const i of indicators) {
    const cidr = i.value.includes('/') ? parseCidr(i.value) : null;
    if (cidr !== null) blocks.push({ cidr, i });
    else {
      const key = canonicalIp(i.value);
      if (key === null) continue;
      exact.set(key, [...(exact.get(key) ?? []), i]);
    }
  }
  return {
    mark(addr: string): Mark[] {
      const key = canonicalIp(addr);
      const bytes = addrBytes(addr);
      const hits = [
        ...(key === null ? [] : (exact.get(key) ?? [])),
        ...(bytes === null ? [] : blocks.filter((b) => cidrContains(b.cidr, bytes)).map((b) => b.i)),
      ];
      return hits.map((i) => ({ source, kind: i.kind, detail: `${i.value}: ${i.detail}` }));
    },
  };
}
