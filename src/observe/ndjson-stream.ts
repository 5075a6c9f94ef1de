/**
 * A batch body as a stream of NDJSON lines, never held whole: the gzip'd body is inflated chunk by
 * chunk (zlib works in the thread pool and respects backpressure; each chunk is handed over in its
 * own event-loop turn, so other requests are served between them), cut into lines with a cap on
 * each line, and refused once it inflates too far. A gzip "bomb" (127 MiB of blanks in 130 KB)
 * is thus refused after a few MiB and a bounded amount of work per turn, instead of being
 * inflated, converted and parsed whole on the event loop.
 */
import type { Hash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { KobanError } from '../core/index.js';

/** Output chunk of the inflater: the unit of work per event-loop turn. */
const CHUNK_BYTES = 64 * 1024;

export interface InflateLimits {
  readonly maxInflatedBytes: number;
  readonly maxInflateRatio: number;
  readonly inflateRatioFloorBytes: number;
}

/** Inflates a gzip body chunk by chunk; E_LIMIT when it inflates too far, E_FORMAT when not gzip. */
export async function* inflateChunks(gz: Uint8Array, limits: InflateLimits): AsyncGenerator<Buffer> {
  const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
  gunzip.end(gz);
  let inflated = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      inflated += chunk.length;
      if (inflated > limits.maxInflatedBytes)
        throw new KobanError('E_LIMIT', `body inflates past ${limits.maxInflatedBytes} bytes`);
      if (inflated > limits.inflateRatioFloorBytes && inflated > limits.maxInflateRatio * gz.length) {
        throw new KobanError(
          'E_LIMIT',
          `body inflates more than ${limits.maxInflateRatio} times its size (a compression bomb?)`,
        );
      }
      yield chunk;
    }
  } catch (e) {
    if (e instanceof KobanError) throw e;
    throw new KobanError('E_FORMAT', 'body is not valid gzip');
  } finally {
    gunzip.destroy();
  }
}

/** Slices of an in-memory body, one per event-loop turn as inflated chunks come. */
export async function* bufferChunks(body: Buffer): AsyncGenerator<Buffer> {
  for (let i = 0; i < body.length; i += CHUNK_BYTES) {
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    yield body.subarray(i, i + CHUNK_BYTES);
  }
}

/** JSON's white space (RFC 8259 §2), newlines included. */
const BLANKS = /[ \t\r\n]*/y;

function isBlankByte(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a;
}

/** A line longer than the cap: dropped unread, counted by the caller as one rejected record. */
export const OVERLONG = null;
export type NdjsonLine = string | typeof OVERLONG;

/**
 * The non-blank lines of an NDJSON byte stream (leading blanks removed), one array per chunk. A line
 * longer than `maxLineChars` is skipped to its end and stands as {@link OVERLONG}. When `recordsHash` is given, every byte after
 * the first line (the batch header) is fed to it: the batch's content, whatever its header says.
 */
export async function* ndjsonLines(
  chunks: AsyncIterable<Buffer>,
  maxLineChars: number,
  recordsHash?: Hash,
): AsyncGenerator<NdjsonLine[]> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let skipping = false;
  let inHeader = true;
  let headerStarted = false;
  for await (const chunk of chunks) {
    if (recordsHash) {
      if (inHeader) {
        // The header is the first line that is not blank (as the lines below are cut).
        let i = 0;
        if (!headerStarted) {
          while (i < chunk.length && isBlankByte(chunk[i]!)) i++;
          headerStarted = i < chunk.length;
        }
        const nl = headerStarted ? chunk.indexOf(0x0a, i) : -1;
        if (nl !== -1) {
          inHeader = false;
          recordsHash.update(chunk.subarray(nl + 1));
        }
      } else recordsHash.update(chunk);
    }
    const text = carry + decoder.write(chunk);
    carry = '';
    const lines: NdjsonLine[] = [];
    let start = 0;
    for (;;) {
      if (!skipping) {
        // Blank lines are no records, and blanks before a value mean nothing to JSON: runs of them
        // are passed over in one native step (a bomb of blanks costs next to nothing per chunk).
        BLANKS.lastIndex = start;
        BLANKS.test(text);
        start = BLANKS.lastIndex;
      }
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      if (skipping) {
        skipping = false;
        lines.push(OVERLONG);
      } else lines.push(nl - start > maxLineChars ? OVERLONG : text.slice(start, nl));
      start = nl + 1;
    }
    if (!skipping) {
      if (text.length - start > maxLineChars) skipping = true;
      else carry = text.slice(start);
    }
    if (lines.length > 0) yield lines;
  }
  const rest = carry + decoder.end();
  if (skipping || rest.length > maxLineChars) yield [OVERLONG];
  else if (rest.length > 0) yield [rest];
}
