/**
 * A small bounded cache for public pages whose data is settled: the observation release of a
 * month already past the public delay (docs/portal.md#caching). An entry lives `ttlMs` at most
 * (data imported late for an old month shows after that long) and the least recently used entry
 * goes once `maxEntries` are held, so a client varying a parameter (`?port=`) cannot grow it. Two
 * requests for the same key while it is being made share one making; a failed making is not kept.
 */
export interface SettledCacheOptions {
  readonly maxEntries: number;
  readonly ttlMs: number;
  /** The clock (the center's, so tests can move it). */
  readonly now: () => number;
}

interface Entry<T> {
  readonly value: Promise<T>;
  readonly expiresMs: number;
}

export class SettledCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly opts: SettledCacheOptions) {}

  get size(): number {
    return this.entries.size;
  }

  /** The value under `key`, made by `make` when absent or expired. */
  get(key: string, make: () => Promise<T>): Promise<T> {
    const nowMs = this.opts.now();
    const hit = this.entries.get(key);
    // A Map iterates in insertion order: re-inserting a hit makes it the most recently used.
    this.entries.delete(key);
    if (hit && hit.expiresMs > nowMs) {
      this.entries.set(key, hit);
      return hit.value;
    }
    const value = make();
    const entry = { value, expiresMs: nowMs + this.opts.ttlMs };
    this.entries.set(key, entry);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.opts.maxEntries) break;
      this.entries.delete(oldest);
    }
    return value;
  }
}
