/**
 * The center's side of countersigning (docs/recorder-format.md#countersignatures-from-the-center):
 * a member submits a head of its recorder's chain (machine key, sequence number, hash); the center
 * keeps it write-once and returns its countersignature. The same head again gets the same
 * countersignature back; another hash at a position the center already holds is refused and kept
 * as a conflict — exactly what someone rewriting history with the machine key would try.
 *
 * A machine key belongs to the organisation that first submitted a head for it: another
 * organisation can neither add heads to it nor read them. Only types come from the db context, so
 * the recorder on a member's machine loads no database driver.
 */
import type { Kysely } from 'kysely';
import { KobanError } from '../core/index.js';
import type { Database } from '../db/index.js';
import { countersignHead } from './countersign.js';
import type { Countersignature } from './format.js';
import { fingerprintOf, type SigningKey } from './keys.js';

export interface HeadSubmission {
  /** The machine key's fingerprint, or its raw public key (base64url) from which it is derived. */
  readonly keyFingerprint?: string | undefined;
  readonly publicKey?: string | undefined;
  readonly headSeq: number;
  readonly head: string;
}

/** Who submits: the member organisation and the actor's label, for the record. */
export interface HeadSubmitter {
  readonly orgId: number;
  readonly label: string;
}

export interface SubmittedHead {
  readonly countersignature: Countersignature;
  /** False: the center held this head already and returned its first countersignature. */
  readonly created: boolean;
}

/** At most this many heads per listing page. */
export const MAX_HEADS_PAGE = 1000;

const rowToCountersignature = (r: {
  key_fingerprint: string;
  head_seq: number | string;
  head: string;
  center_key_id: string;
  center_time: string;
  sig: string;
}): Countersignature => ({
  keyFingerprint: r.key_fingerprint,
  headSeq: Number(r.head_seq),
  head: r.head,
  centerKeyId: r.center_key_id,
  centerTime: r.center_time,
  sig: r.sig,
});

export class RecorderHeads {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly centerKey: SigningKey,
    private readonly now: () => number = Date.now,
  ) {}

  /** The center's public key (raw Ed25519, base64url) that verifiers check countersignatures with. */
  get publicKey(): string {
    return this.centerKey.publicKey;
  }

  get keyId(): string {
    return this.centerKey.fingerprint.slice(0, 16);
  }

  async submit(by: HeadSubmitter, s: HeadSubmission): Promise<SubmittedHead> {
    const keyFingerprint = machineFingerprint(s);
    await this.bindMachine(by, keyFingerprint, s.publicKey ?? null);
    const atMs = this.now();
    const c = countersignHead(this.centerKey, { keyFingerprint, headSeq: s.headSeq, head: s.head }, atMs);
    // Write-once by the unique index: of two racing submissions one row wins, the other reads it.
    const inserted = await this.db
      .insertInto('recorder_heads')
      .values({
        key_fingerprint: keyFingerprint,
        head_seq: s.headSeq,
        head: s.head,
        center_key_id: c.centerKeyId,
        center_time: c.centerTime,
        sig: c.sig,
        received_ms: atMs,
        submitted_by: by.label,
      })
      .onConflict((oc) => oc.columns(['key_fingerprint', 'head_seq']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return { countersignature: c, created: true };
    const held = await this.db
      .selectFrom('recorder_heads')
      .selectAll()
      .where('key_fingerprint', '=', keyFingerprint)
      .where('head_seq', '=', s.headSeq)
      .executeTakeFirstOrThrow();
    if (held.head === s.head) return { countersignature: rowToCountersignature(held), created: false };
    await this.db
      .insertInto('recorder_head_conflicts')
      .values({
        org_id: by.orgId,
        key_fingerprint: keyFingerprint,
        head_seq: s.headSeq,
        held_head: held.head,
        offered_head: s.head,
        at_ms: atMs,
        submitted_by: by.label,
      })
      .execute();
    throw new KobanError(
      'E_CONFLICT',
      `the center countersigned head ${held.head} at record ${s.headSeq} of machine key ${keyFingerprint} on ${held.center_time}; it does not countersign another (this attempt is recorded)`,
    );
  }

  /** The first organisation to submit for a key owns it; any other is refused. */
  private async bindMachine(by: HeadSubmitter, fingerprint: string, publicKey: string | null) {
    await this.db
      .insertInto('recorder_machines')
      .values({ key_fingerprint: fingerprint, org_id: by.orgId, public_key: publicKey, first_ms: this.now() })
      .onConflict((oc) => oc.column('key_fingerprint').doNothing())
      .execute();
    const owner = await this.ownerOf(fingerprint);
    if (owner !== by.orgId)
      throw new KobanError('E_FORBIDDEN', `machine key ${fingerprint} belongs to another organisation`);
  }

  private async ownerOf(fingerprint: string): Promise<number | null> {
    const row = await this.db
      .selectFrom('recorder_machines')
      .select('org_id')
      .where('key_fingerprint', '=', fingerprint)
      .executeTakeFirst();
    return row === undefined ? null : Number(row.org_id);
  }

  /**
   * The countersignatures of one machine key of the organisation, in sequence order from `fromSeq`;
   * a key of another organisation (or none) is not found, so its existence is not revealed.
   */
  async list(
    orgId: number,
    fingerprint: string,
    page: { fromSeq?: number | undefined; limit?: number | undefined } = {},
  ): Promise<{ countersignatures: Countersignature[]; conflicts: number }> {
    if ((await this.ownerOf(fingerprint)) !== orgId)
      throw new KobanError('E_NOT_FOUND', `no recorder with key ${fingerprint} in your organisation`);
    const rows = await this.db
      .selectFrom('recorder_heads')
      .selectAll()
      .where('key_fingerprint', '=', fingerprint)
      .where('head_seq', '>=', page.fromSeq ?? 0)
      .orderBy('head_seq')
      .limit(Math.min(page.limit ?? MAX_HEADS_PAGE, MAX_HEADS_PAGE))
      .execute();
    const conflicts = await this.db
      .selectFrom('recorder_head_conflicts')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('key_fingerprint', '=', fingerprint)
      .executeTakeFirstOrThrow();
    return { countersignatures: rows.map(rowToCountersignature), conflicts: Number(conflicts.n) };
  }
}

function machineFingerprint(s: HeadSubmission): string {
  if (s.publicKey !== undefined) {
    const fp = fingerprintOf(s.publicKey);
    if (s.keyFingerprint !== undefined && s.keyFingerprint !== fp)
      throw new KobanError('E_USAGE', 'keyFingerprint is not the fingerprint of publicKey');
    return fp;
  }
  if (s.keyFingerprint === undefined)
    throw new KobanError('E_USAGE', 'give the machine key: keyFingerprint or publicKey');
  return s.keyFingerprint;
}
