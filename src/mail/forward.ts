/**
 * Members often report an attack by forwarding it. The wrapper's sender is then the member, and
 * the signature block under their note (RFC 3676 §4.3: the `-- ` line) names them; both must stay
 * private. The attacker's own signature, below the forward marker, stays shared.
 */
import type { PrivateSpan } from './types.js';

const FORWARD_SUBJECT = /^\s*(?:fwd?|fw|転送|tr|wg|rv|enc|doorst)\s*[:：]/i;

/** Separators mail clients insert above forwarded or quoted content (several languages). */
const FORWARD_MARKER =
  /^[ \t>]*(?:-{2,}[ \t]*(?:forwarded message|original message|転送メッセージ|転送されたメッセージ|元のメッセージ|mensagem encaminhada|message transféré|weitergeleitete nachricht|mensaje reenviado)[ \t]*-{2,}|begin forwarded message:|-{3,}[ \t]*original message[ \t]*-{3,})/im;

export function isForwardSubject(subject: string | null): boolean {
  return subject !== null && FORWARD_SUBJECT.test(subject);
}

export function hasForwardMarker(text: string | null): boolean {
  return text !== null && FORWARD_MARKER.test(text);
}

/**
 * The forwarder's signature blocks: from each `-- ` line above the first forward marker or
 * forwarded header block (`blockStart`, inline-forward.ts) — or anywhere, when the attack is
 * attached rather than quoted — to that marker or the end.
 */
export function signatureSpans(text: string, blockStart = text.length): PrivateSpan[] {
  const marker = FORWARD_MARKER.exec(text);
  const limit = Math.min(marker ? marker.index : text.length, blockStart);
  // Everything from the first delimiter to the limit is one block.
  const sig = /^--[ \t]?\r?$/m.exec(text);
  return sig && sig.index < limit ? [{ start: sig.index, end: limit, reason: 'signature' }] : [];
}
