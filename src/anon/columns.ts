/**
 * The index's intervals as columns (docs/anonymizer.md#index): typed arrays filled row by row, each
 * repeated string stored once. Once filled, the columns move to shared memory: the DNS server's
 * worker threads answer from the same typed arrays as the thread that built them, posted to them
 * without a copy (a `SharedArrayBuffer` is shared, not cloned, by `postMessage`).
 */
import { type PolicySummary, policyAllows, policyFromSummary } from './lists/policy.js';
import type { IntervalRow } from './store.js';

export interface Evidence {
  readonly list: string;
  readonly kind: string;
  /** The entry that matched: the address, or the block holding it. */
  readonly entry: string;
  readonly fingerprint: string | null;
  readonly policy: Record<string, string[]> | null;
  /** For a port query: whether the policy lets the port out; null when the list has no policy. */
  readonly portAllowed: boolean | null;
  readonly reason: string | null;
  readonly from: string;
  /** null: still on the newest list. */
  readonly to: string | null;
  readonly firstList: { readonly source: string; readonly published: string };
  readonly lastList: { readonly source: string; readonly published: string };
}

/** The interval columns (`Columns` below), row `i` at index `i` of each. */
export interface ColumnArrays {
  readonly length: number;
  readonly entry: Int32Array;
  readonly v4: Uint32Array;
  readonly list: Int32Array;
  readonly kind: Int32Array;
  readonly fingerprint: Int32Array;
  readonly policy: Int32Array;
  readonly reason: Int32Array;
  readonly firstSource: Int32Array;
  readonly lastSource: Int32Array;
  readonly fromMs: Float64Array;
  readonly toMs: Float64Array;
  readonly firstPublishedMs: Float64Array;
  readonly lastPublishedMs: Float64Array;
}

type Column = Int32Array | Uint32Array | Float64Array;

/** An empty column of `a`'s type, in shared memory. */
const empty = <T extends Column>(C: new (buffer: SharedArrayBuffer) => T): T =>
  new C(new SharedArrayBuffer(0));

export const iso = (ms: number) => new Date(ms).toISOString();
export const NONE = -1;

/** Strings stored once, referred to by number (lists, kinds, sources, reasons repeat on every row). */
class StringTable {
  private readonly ids = new Map<string, number>();

  constructor(private readonly values: string[] = []) {}

  /** Every string, by id: what a worker thread's copy of the table is built from. */
  all(): readonly string[] {
    return this.values;
  }

  id(s: string | null): number {
    if (s === null) return NONE;
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  get(id: number): string | null {
    return id === NONE ? null : this.values[id]!;
  }

  /** Drops the lookup map once every row is in (a later `id` refills it): `get` needs none. */
  seal(): void {
    this.ids.clear();
  }
}

/**
 * A typed array of twice the length holding `a`'s values (columns grow as pages arrive), in shared
 * memory from the start, so that sharing the index copies nothing.
 */
function grown<T extends Column>(a: T): T {
  const C = a.constructor as new (buffer: SharedArrayBuffer) => T;
  const b = new C(new SharedArrayBuffer(Math.max(1024, a.length * 2) * a.BYTES_PER_ELEMENT));
  b.set(a);
  return b;
}

const dotted = (k: number) => `${k >>> 24}.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}`;

/**
 * The intervals as columns, filled row by row (a page at a time from the store, so that the rows
 * themselves never all sit in memory at once). An IPv4 single address is kept as its number only;
 * other entries (IPv6 addresses, blocks) as interned text.
 */
export class Columns {
  text = new StringTable();
  length = 0;
  /** Entry text id; NONE for an IPv4 single address, whose number is in `v4`. */
  entry = empty(Int32Array);
  v4 = empty(Uint32Array);
  list = empty(Int32Array);
  kind = empty(Int32Array);
  fingerprint = empty(Int32Array);
  policy = empty(Int32Array);
  reason = empty(Int32Array);
  firstSource = empty(Int32Array);
  lastSource = empty(Int32Array);
  fromMs = empty(Float64Array);
  /** NaN: the interval is open (still on the newest list). */
  toMs = empty(Float64Array);
  firstPublishedMs = empty(Float64Array);
  lastPublishedMs = empty(Float64Array);
  /** Parsed policy summaries by the policy text's id, parsed once. */
  policies = new Map<number, PolicySummary | null>();

  /** The columns as shared memory (their length may exceed the rows: `length` tells). */
  arrays(): ColumnArrays {
    const { length, entry, v4, list, kind, fingerprint, policy, reason } = this;
    const { firstSource, lastSource, fromMs, toMs, firstPublishedMs, lastPublishedMs } = this;
    return {
      ...{ length, entry, v4, list, kind, fingerprint, policy, reason },
      ...{ firstSource, lastSource, fromMs, toMs, firstPublishedMs, lastPublishedMs },
    };
  }

  /** Columns over arrays another thread shared: no row is copied. */
  static over(
    arrays: ColumnArrays,
    texts: readonly string[],
    policies: Map<number, PolicySummary | null>,
  ): Columns {
    const c = Object.assign(new Columns(), arrays);
    c.text = new StringTable([...texts]);
    c.policies = policies;
    return c;
  }

  private grow(): void {
    this.entry = grown(this.entry);
    this.v4 = grown(this.v4);
    this.list = grown(this.list);
    this.kind = grown(this.kind);
    this.fingerprint = grown(this.fingerprint);
    this.policy = grown(this.policy);
    this.reason = grown(this.reason);
    this.firstSource = grown(this.firstSource);
    this.lastSource = grown(this.lastSource);
    this.fromMs = grown(this.fromMs);
    this.toMs = grown(this.toMs);
    this.firstPublishedMs = grown(this.firstPublishedMs);
    this.lastPublishedMs = grown(this.lastPublishedMs);
  }

  /** Appends a row; its index. `v4` is the address's number for an IPv4 single address, else -1. */
  push(r: IntervalRow, v4: number): number {
    if (this.length === this.entry.length) this.grow();
    const i = this.length++;
    const t = this.text;
    this.entry[i] = v4 >= 0 ? NONE : t.id(r.address);
    this.v4[i] = Math.max(v4, 0);
    this.list[i] = t.id(r.list);
    this.kind[i] = t.id(r.kind);
    this.fingerprint[i] = t.id(r.fingerprint === '' ? null : r.fingerprint);
    this.policy[i] = t.id(r.policy);
    this.reason[i] = t.id(r.reason);
    this.firstSource[i] = t.id(r.firstSource);
    this.lastSource[i] = t.id(r.lastSource);
    this.fromMs[i] = r.fromMs;
    this.toMs[i] = r.toMs ?? Number.NaN;
    this.firstPublishedMs[i] = r.firstPublishedMs;
    this.lastPublishedMs[i] = r.lastPublishedMs;
    if (r.policy !== null && !this.policies.has(this.policy[i]!))
      this.policies.set(this.policy[i]!, policyFromSummary(JSON.parse(r.policy)));
    return i;
  }

  /** The entry as listed: the address, or the block. */
  entryText(i: number): string {
    const e = this.entry[i]!;
    return e === NONE ? dotted(this.v4[i]!) : this.text.get(e)!;
  }

  /** Whether interval `i` covers the instant (`from ≤ at < to`). */
  covers(i: number, atMs: number): boolean {
    const to = this.toMs[i]!;
    return this.fromMs[i]! <= atMs && (Number.isNaN(to) || to > atMs);
  }

  /** For a port query: whether interval `i`'s exit lets the port out; null without a policy. */
  portAllowed(i: number, port: number | null): boolean | null {
    if (port === null) return null;
    const p = this.policies.get(this.policy[i]!);
    return p === undefined || p === null ? null : policyAllows(p, port);
  }

  evidence(i: number, port: number | null): Evidence {
    const t = this.text;
    const policy = t.get(this.policy[i]!);
    const to = this.toMs[i]!;
    return {
      list: t.get(this.list[i]!)!,
      kind: t.get(this.kind[i]!)!,
      entry: this.entryText(i),
      fingerprint: t.get(this.fingerprint[i]!),
      policy: policy === null ? null : (JSON.parse(policy) as Record<string, string[]>),
      portAllowed: this.portAllowed(i, port),
      reason: t.get(this.reason[i]!),
      from: iso(this.fromMs[i]!),
      to: Number.isNaN(to) ? null : iso(to),
      firstList: { source: t.get(this.firstSource[i]!)!, published: iso(this.firstPublishedMs[i]!) },
      lastList: { source: t.get(this.lastSource[i]!)!, published: iso(this.lastPublishedMs[i]!) },
    };
  }

  /** The TXT reason for interval `i` listing `ip` (RFC 5782 §2.2: at most 255 characters). */
  reasonText(i: number, ip: string): string {
    const t = this.text;
    const what =
      t.get(this.reason[i]!)?.replace(/\$/g, ip) ?? `${t.get(this.kind[i]!)} on ${t.get(this.list[i]!)}`;
    const fp = t.get(this.fingerprint[i]!);
    const relay = fp === null ? '' : ` relay ${fp}`;
    return `${what}${relay} since ${iso(this.fromMs[i]!)}`.slice(0, 255);
  }
}
