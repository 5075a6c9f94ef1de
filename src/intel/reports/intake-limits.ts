/**
 * Per-organisation limits on what members submit, so that one organisation (or one stolen token)
 * cannot take the center's parsing time or disk from the others:
 *
 * - a submission rate: a token bucket per organisation (core/token-buckets.ts), `burst` at once
 *   and then `perHour`; past it E_LIMIT with the wait (HTTP 429 + Retry-After). The state is per
 *   process, as for the login throttle.
 * - an evidence quota: the bytes of the raw files an organisation's reports keep (each distinct
 *   file counted once); a submission that would pass it is refused with E_LIMIT (HTTP 413).
 *
 * Both are checked before a message is parsed; `admit` checks them without taking anything, before
 * an upload is even read.
 */
import { KobanError, TokenBuckets } from '../../core/index.js';
import type { RelationalDb } from '../../db/index.js';

export interface IntakeLimitOptions {
  /** Submissions one organisation may make at once (with `orgSubmissionsPerHour`; both or neither). */
  readonly orgSubmissionBurst?: number;
  /** Sustained submissions per organisation and hour. */
  readonly orgSubmissionsPerHour?: number;
  /** Evidence bytes one organisation may keep; 0 or absent: no quota. */
  readonly orgEvidenceQuotaBytes?: number;
}

const MIB = 1024 * 1024;

function size(bytes: number): string {
  return bytes >= MIB ? `${(bytes / MIB).toFixed(1)} MiB` : `${bytes} bytes`;
}

/** Bytes of the distinct evidence files an organisation's reports keep. */
export async function orgEvidenceBytes(db: RelationalDb, orgId: number): Promise<number> {
  const r = await db
    .selectFrom('evidence')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('size_bytes'), eb.lit(0)).as('n'))
    .where('sha256', 'in', (eb) =>
      eb
        .selectFrom('reports')
        .select('evidence_sha256')
        .where('org_id', '=', orgId)
        .where('evidence_sha256', 'is not', null),
    )
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export class IntakeLimits {
  private readonly buckets: TokenBuckets | null;
  private readonly quotaBytes: number;

  constructor(
    private readonly db: RelationalDb,
    private readonly opts: IntakeLimitOptions,
    now: () => number,
  ) {
    const burst = opts.orgSubmissionBurst;
    const perHour = opts.orgSubmissionsPerHour;
    this.buckets =
      burst !== undefined && perHour !== undefined
        ? new TokenBuckets({ capacity: burst, refillIntervalMs: 3_600_000 / perHour }, now)
        : null;
    this.quotaBytes = opts.orgEvidenceQuotaBytes ?? 0;
  }

  /**
   * Refuses when the organisation may not submit now — its bucket is empty, or `sizeBytes` more
   * evidence would pass its quota — without taking anything.
   */
  async admit(orgId: number, sizeBytes: number): Promise<void> {
    const wait = this.buckets?.waitMs(String(orgId)) ?? 0;
    if (wait > 0) throw this.rateError(orgId, wait);
    await this.checkQuota(orgId, sizeBytes);
  }

  /**
   * Takes one submission from the organisation's bucket, then checks the quota for `sizeBytes`
   * more evidence (null: the submission keeps no raw file).
   */
  async charge(orgId: number, sizeBytes: number | null): Promise<void> {
    const wait = this.buckets?.take(String(orgId)) ?? 0;
    if (wait > 0) throw this.rateError(orgId, wait);
    if (sizeBytes !== null) await this.checkQuota(orgId, sizeBytes);
  }

  private async checkQuota(orgId: number, sizeBytes: number): Promise<void> {
    if (this.quotaBytes <= 0) return;
    const used = await orgEvidenceBytes(this.db, orgId);
    if (used + sizeBytes <= this.quotaBytes && used < this.quotaBytes) return;
    throw new KobanError(
      'E_LIMIT',
      `organisation ${orgId} keeps ${size(used)} of reported files; ${sizeBytes > 0 ? `${size(sizeBytes)} more` : 'more'} would pass its quota of ${size(this.quotaBytes)} (ask the center to raise it)`,
    );
  }

  private rateError(orgId: number, waitMs: number): KobanError {
    const s = Math.max(1, Math.ceil(waitMs / 1000));
    return new KobanError(
      'E_LIMIT',
      `organisation ${orgId} submitted more than ${this.opts.orgSubmissionBurst} reports at once ` +
        `(then ${this.opts.orgSubmissionsPerHour} an hour); try again in ${s} s`,
      { retryAfterS: s },
    );
  }
}
