/**
 * Suricata signature ids that stay the same for a destination across every download, so that a
 * provider's rule management (suppressions, thresholds, alert history) keeps working: the sid is
 * derived from the value itself (SHA-256 of `type:value`), in 1,000,000,000–1,999,999,999, clear
 * of the ranges the public rule sets use (ET Open: 2,000,000–2,999,999; Snort/Talos: below
 * 1,000,000). Two values whose hashes collide (odds about n²/2·10⁻⁹) are resolved in value order by
 * taking the next free sid, so only the later of such a pair can ever move.
 */
import { createHash } from 'node:crypto';

export const SID_BASE = 1_000_000_000;
const SID_SPAN = 1_000_000_000;

export function sidOf(type: string, value: string): number {
  const h = createHash('sha256').update(`${type}:${value}`, 'utf8').digest();
  return SID_BASE + (h.readUInt32BE(0) % SID_SPAN);
}

/** `type:value` → sid, for a set of entries (collisions resolved deterministically). */
export function stableSids(entries: readonly { type: string; value: string }[]): Map<string, number> {
  const keys = [...new Set(entries.map((e) => `${e.type}:${e.value}`))].sort();
  const taken = new Set<number>();
  const out = new Map<string, number>();
  for (const k of keys) {
    const i = k.indexOf(':');
    let sid = sidOf(k.slice(0, i), k.slice(i + 1));
    while (taken.has(sid)) sid = sid + 1 >= SID_BASE + SID_SPAN ? SID_BASE : sid + 1;
    taken.add(sid);
    out.set(k, sid);
  }
  return out;
}
