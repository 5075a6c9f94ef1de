/** Tables of the recorder's center side (recorder/heads.ts), created by migrations/0016-recorder-heads.ts. */
import type { Generated } from 'kysely';

/** A recorder's machine key, bound to the organisation that first submitted a head for it. */
export interface RecorderMachineTable {
  /** SHA-256 (hex) of the raw Ed25519 public key. */
  key_fingerprint: string;
  org_id: number;
  /** The raw public key (base64url) when the recorder sent it, else null. */
  public_key: string | null;
  first_ms: number;
}

/** A head the center countersigned: written once, never updated. */
export interface RecorderHeadTable {
  id: Generated<number>;
  key_fingerprint: string;
  head_seq: number;
  head: string;
  center_key_id: string;
  /** RFC 3339 with milliseconds, exactly as signed. */
  center_time: string;
  sig: string;
  received_ms: number;
  /** The actor's label (`token:3 (user:12)`). */
  submitted_by: string;
}

/** A refused attempt to have another hash countersigned at a position the center already holds. */
export interface RecorderHeadConflictTable {
  id: Generated<number>;
  org_id: number;
  key_fingerprint: string;
  head_seq: number;
  held_head: string;
  offered_head: string;
  at_ms: number;
  submitted_by: string;
}

export interface RecorderTables {
  recorder_machines: RecorderMachineTable;
  recorder_heads: RecorderHeadTable;
  recorder_head_conflicts: RecorderHeadConflictTable;
}
