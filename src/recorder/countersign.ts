/**
 * The center's side of a countersignature: it signs (machine key fingerprint, seq, head hash,
 * its own time) so a later rewrite of the chain, even re-sealed with the machine key, contradicts
 * a head the center saw. The HTTP route that calls this is not built yet (docs/recorder-format.md).
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
  return {
    ...head,
    centerKeyId: centerKey.fingerprint.slice(0, 16),
    centerTime,
    sig: centerKey.sign(countersignText(head.keyFingerprint, head.headSeq, head.head, centerTime)),
  };
}
