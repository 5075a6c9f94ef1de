/**
 * The center's side of a countersignature: it signs (machine key fingerprint, seq, head hash,
 * its own time) so a later rewrite of the chain, even re-sealed with the machine key, contradicts
 * a head the center saw. `POST /api/v1/recorder/heads` (heads.ts) calls it.
 */
import type { Countersignature } from './format.js';
import { countersignText } from './format.js';
import type { SigningKey } from './keys.js';

export function countersignHead(
  centerKey: SigningKey,
  head: { keyFingerprint: string; headSeq: number; head: string },
  atMs: number,
): Countersignature {
  const centerTime = new Date(atMs).toISOString();
  // Only the three signed members: a caller's extra fields must not ride along into the answer.
  const { keyFingerprint, headSeq, head: hash } = head;
  return {
    keyFingerprint,
    headSeq,
    head: hash,
    centerKeyId: centerKey.fingerprint.slice(0, 16),
    centerTime,
    sig: centerKey.sign(countersignText(keyFingerprint, headSeq, hash, centerTime)),
  };
}
