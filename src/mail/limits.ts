/**
 * Bounds on the work one reported e-mail may cause. Member reports are hostile by nature (the
 * whole point is that someone attacked them), so every loop over attacker-controlled structure
 * has a ceiling, and hitting it yields a warning or an `E_LIMIT` error, never a hang.
 */
import { KobanError } from '../core/index.js';

export interface EmailLimits {
  /** Largest raw message accepted at all (25 MiB, a common MTA ceiling). */
  readonly maxRawBytes: number;
  /** MIME parts parsed; the rest of a message with more is cut off with a warning. */
  readonly maxParts: number;
  /** Multipart nesting depth; a deeper multipart is kept as one opaque part. */
  readonly maxMimeDepth: number;
  /** One physical header line; RFC 5322 §2.1.1 allows 998 octets, real mail stays far below this. */
  readonly maxHeaderLineBytes: number;
  /** One header block (of the message or of a part). */
  readonly maxHeaderBlockBytes: number;
  /** Attached messages (message/rfc822) parsed recursively down to this depth. */
  readonly maxMessageDepth: number;
  /** Archives inside archives inspected down to this depth. */
  readonly maxArchiveDepth: number;
  /** Archive entries listed, over all archives of one message. */
  readonly maxArchiveEntries: number;
  /** Bytes decompressed from archives, over all archives of one message. */
  readonly maxArchiveTotalBytes: number;
  /** Bytes decompressed from one archive entry. */
  readonly maxArchiveEntryBytes: number;
  /** Declared uncompressed/compressed ratio above which an entry is treated as a bomb. */
  readonly maxCompressionRatio: number;
  /** Distinct observables kept per message. */
  readonly maxObservables: number;
  /** Characters of one body or attachment scanned for observables. */
  readonly maxScanChars: number;
  /** Wall-clock budget for one message, attachments and nested messages included. */
  readonly timeoutMs: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_EMAIL_LIMITS: EmailLimits = Object.freeze({
  maxRawBytes: 25 * MiB,
  maxParts: 500,
  maxMimeDepth: 20,
  maxHeaderLineBytes: 64 * 1024,
  maxHeaderBlockBytes: 512 * 1024,
  maxMessageDepth: 3,
  maxArchiveDepth: 3,
  maxArchiveEntries: 1000,
  maxArchiveTotalBytes: 200 * MiB,
  maxArchiveEntryBytes: 50 * MiB,
  maxCompressionRatio: 100,
  maxObservables: 5000,
  maxScanChars: 4 * MiB,
  timeoutMs: 30_000,
});

export function resolveLimits(partial: Partial<EmailLimits> = {}): EmailLimits {
  const out: Record<string, number> = { ...DEFAULT_EMAIL_LIMITS };
  for (const [k, v] of Object.entries(partial)) {
    if (!(k in DEFAULT_EMAIL_LIMITS) || v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new KobanError('E_USAGE', `e-mail limit ${k} must be a non-negative number, not ${String(v)}`);
    }
    out[k] = v;
  }
  return out as unknown as EmailLimits;
}

/** A wall-clock deadline shared by everything one message causes (nested messages, archives). */
export class Deadline {
  readonly atMs: number;
  constructor(timeoutMs: number) {
    this.atMs = Date.now() + timeoutMs;
  }
  remainingMs(): number {
    return Math.max(0, this.atMs - Date.now());
  }
  expired(): boolean {
    return Date.now() >= this.atMs;
  }
}

/**
 * Races a promise against the deadline. `onTimeout` must stop the work (destroy a stream) so a
 * hostile input does not keep burning CPU after we have given up on it.
 */
export function withDeadline<T>(
  work: Promise<T>,
  deadline: Deadline,
  what: string,
  onTimeout: () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(new KobanError('E_LIMIT', `${what} did not finish within the time limit`));
    }, deadline.remainingMs());
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
