import { createReadStream } from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** How many leading bytes format detection looks at. */
export const HEAD_BYTES = 64 * 1024;

/**
 * A byte stream whose first bytes have been read ahead for sniffing and are replayed to the
 * consumer, so detection never reads the input twice (it may be a pipe).
 */
export interface PeekedInput {
  readonly head: Uint8Array;
  readonly stream: AsyncIterable<Uint8Array>;
}

export async function peek(input: AsyncIterable<Uint8Array>, bytes = HEAD_BYTES): Promise<PeekedInput> {
  const it = input[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let done = false;
  while (size < bytes) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    chunks.push(r.value);
    size += r.value.byteLength;
  }
  const head = Buffer.concat(chunks).subarray(0, bytes);
  async function* replay(): AsyncGenerator<Uint8Array> {
    for (const c of chunks) yield c;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { head, stream: replay() };
}

function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * Opens a file (or `-` for standard input) as a byte stream, transparently decompressing
 * gzip (rotated logs are usually `.gz`). Reading is streamed with 256 KiB chunks.
 */
export async function openInput(path: string): Promise<PeekedInput> {
  const raw: AsyncIterable<Uint8Array> =
    path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 256 * 1024 });
  const first = await peek(raw, 2);
  if (!isGzip(first.head)) return peek(first.stream);
  const gunzip = createGunzip();
  // pipeline() destroys the gunzip stream with the error if reading or inflating fails, so the
  // consumer's iteration throws instead of hanging.
  pipeline(Readable.from(first.stream), gunzip, () => {});
  return peek(gunzip);
}
