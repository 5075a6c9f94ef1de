/**
 * History of a list: the intervals [from, to) during which each address was on it, with the relay
 * fingerprint and exit-policy summary then (docs/anonymizer.md#history). Every import is a full
 * list at its publication time P: an address on it keeps (or opens) its interval; one absent from
 * it has its interval closed at P; a changed fingerprint or policy closes the old interval and opens
 * a new one at P. Pure: the store applies the plan this returns.
 */
import type { ListEntry } from './lists/entry.js';
import { policyToSummary } from './lists/policy.js';

export interface OpenInterval {
  readonly id: number;
  readonly address: string;
  /** '' when the list names no relay. */
  readonly fingerprint: string;
  /** JSON of the policy summary, or null. */
  readonly policy: string | null;
  readonly reason: string | null;
}

export interface NewInterval {
  readonly address: string;
  readonly fingerprint: string;
  readonly policy: string | null;
  readonly reason: string | null;
  readonly fromMs: number;
}

export interface HistoryPlan {
  /** Intervals still open, seen again in this list. */
  readonly keep: readonly number[];
  /** Intervals that end at the list's publication time. */
  readonly close: readonly number[];
  readonly open: readonly NewInterval[];
}

function keyOf(address: string, fingerprint: string): string {
  return `${address} ${fingerprint}`;
}

/**
 * What a list published at `publishedMs` does to the open intervals. `previousMs` is the list's
 * previous publication: an address new on this list was not on the previous one, so its interval
 * starts no earlier than that, even when the entry says it was measured before (TorDNSEL's
 * ExitAddress times reach back up to a day).
 */
export function planHistory(
  open: readonly OpenInterval[],
  entries: readonly ListEntry[],
  publishedMs: number,
  previousMs: number | null,
): HistoryPlan {
  const byKey = new Map<string, OpenInterval>();
  for (const o of open) byKey.set(keyOf(o.address, o.fingerprint), o);
  const keep = new Set<number>();
  const opened = new Map<string, NewInterval>();
  for (const e of entries) {
    const fingerprint = e.fingerprint ?? '';
    const key = keyOf(e.address, fingerprint);
    const policy = e.policy === null ? null : JSON.stringify(policyToSummary(e.policy));
    const current = byKey.get(key);
    if (current !== undefined && current.policy === policy && current.reason === e.reason) {
      keep.add(current.id);
      continue;
    }
    const seen = Math.min(e.seenMs ?? publishedMs, publishedMs);
    // A changed policy or reason takes effect at this list; a new address when it was first seen.
    const fromMs = current !== undefined ? publishedMs : Math.max(seen, previousMs ?? seen);
    const prior = opened.get(key);
    if (prior === undefined || fromMs < prior.fromMs) {
      opened.set(key, { address: e.address, fingerprint, policy, reason: e.reason, fromMs });
    }
  }
  const close = open.filter((o) => !keep.has(o.id)).map((o) => o.id);
  return { keep: [...keep], close, open: [...opened.values()] };
}
