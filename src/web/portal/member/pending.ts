/**
 * Submissions between their preview and the member's "send": a page without script cannot keep an
 * uploaded file in the browser, so the upload waits here, bound to the user who previewed it and
 * named by a random id the preview page's form carries. Bounded: one per user (a new preview
 * replaces the last), a lifetime, and a total size past which the oldest are dropped. Nothing is
 * written to disk: a preview that is never sent leaves no trace.
 */
import { mintSecret, secretHash, secretHashMatches } from '../../../core/index.js';
import type { OtherReport } from './submit-form.js';

export type PendingItem =
  | { readonly kind: 'email'; readonly raw: Buffer; readonly tlp: string }
  | { readonly kind: 'report'; readonly input: OtherReport; readonly tlp: string };

interface Entry {
  readonly id: string;
  readonly item: PendingItem;
  readonly bytes: number;
  readonly expiresMs: number;
}

export interface PendingLimits {
  /** How long a preview may wait for its "send" (default 30 minutes). */
  readonly ttlMs: number;
  /** Bytes kept for all users together (default 128 MiB). */
  readonly maxTotalBytes: number;
}

export const DEFAULT_PENDING_LIMITS: PendingLimits = { ttlMs: 30 * 60_000, maxTotalBytes: 128 * 1024 * 1024 };

export class PendingSubmissions {
  /** By user id; Map order is insertion order, so the first entries are the oldest. */
  private readonly byUser = new Map<number, Entry>();
  private totalBytes = 0;

  constructor(
    private readonly now: () => number,
    private readonly limits: PendingLimits = DEFAULT_PENDING_LIMITS,
  ) {}

  /** Keeps the item for the user; returns the id its "send" form carries. */
  put(userId: number, item: PendingItem): string {
    this.drop(userId);
    this.sweep();
    const bytes = item.kind === 'email' ? item.raw.length : JSON.stringify(item.input).length;
    for (const user of this.byUser.keys()) {
      if (this.totalBytes + bytes <= this.limits.maxTotalBytes) break;
      this.drop(user);
    }
    const id = mintSecret();
    this.byUser.set(userId, { id, item, bytes, expiresMs: this.now() + this.limits.ttlMs });
    this.totalBytes += bytes;
    return id;
  }

  /** The user's item if `id` names it and it has not expired; it is removed either way once matched. */
  take(userId: number, id: string): PendingItem | null {
    const e = this.byUser.get(userId);
    if (!e || !secretHashMatches(secretHash(e.id), secretHash(id))) return null;
    this.drop(userId);
    return e.expiresMs > this.now() ? e.item : null;
  }

  get size(): number {
    return this.byUser.size;
  }

  private drop(userId: number): void {
    const e = this.byUser.get(userId);
    if (!e) return;
    this.byUser.delete(userId);
    this.totalBytes -= e.bytes;
  }

  private sweep(): void {
    const now = this.now();
    for (const [user, e] of this.byUser) if (e.expiresMs <= now) this.drop(user);
  }
}
