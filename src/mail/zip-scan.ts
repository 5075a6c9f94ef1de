/**
 * Recovery for a ZIP whose central directory cannot be read (an offset off by a few bytes, bytes
 * prepended or cut, a damaged record): the entries are found the way Info-ZIP's `zip -FF` and
 * 7-Zip find them, by their local file headers (PKWARE APPNOTE 6.3.10 §4.3.7 `PK\3\4`), each
 * followed by its name, extra field and data. When an entry's sizes are deferred to a data
 * descriptor (§4.4.4 bit 3), the descriptor (§4.3.9, `PK\7\8`) that matches the data's length is
 * looked for; failing that the data runs to the next header. Extraction is bounded like yauzl's.
 */
import { promisify } from 'node:util';
import { inflateRaw } from 'node:zlib';

const inflateRawAsync = promisify(inflateRaw);

/** What zip.ts needs of an entry, from yauzl's central directory or from a local header. */
export interface ZipItem {
  readonly fileNameRaw: Buffer;
  readonly generalPurposeBitFlag: number;
  readonly extraFields: { id: number; data: Buffer }[];
  readonly compressionMethod: number;
  readonly compressedSize: number;
  /** As declared; 0 when a local header deferred it and no data descriptor gave it. */
  readonly uncompressedSize: number;
  /** Offset of the entry's local file header in the archive. */
  readonly localOffset: number;
  isEncrypted(): boolean;
  canDecodeFileData(): boolean;
  /** The entry's data, uncompressed; rejects past `maxBytes` or when it does not match its declared size. */
  read(maxBytes: number): Promise<Buffer>;
}

const LOCAL = Buffer.from('PK\x03\x04', 'latin1');
const DESCRIPTOR = Buffer.from('PK\x07\x08', 'latin1');
const CENTRAL = Buffer.from('PK\x01\x02', 'latin1');
const LOCAL_HEADER_BYTES = 30;
/** Data descriptors tried per entry before giving up on matching one. */
const MAX_DESCRIPTOR_TRIES = 64;

/** Entries found by their local headers, in file order, at most `max`, skipping offsets in `skip`. */
export function scanLocalHeaders(buf: Buffer, max: number, skip: ReadonlySet<number> = new Set()): ZipItem[] {
  const out: ZipItem[] = [];
  for (let at = buf.indexOf(LOCAL); at !== -1 && out.length < max; ) {
    if (at + LOCAL_HEADER_BYTES > buf.length) break;
    const flags = buf.readUInt16LE(at + 6);
    const method = buf.readUInt16LE(at + 8);
    const nameLength = buf.readUInt16LE(at + 26);
    const extraLength = buf.readUInt16LE(at + 28);
    const nameStart = at + LOCAL_HEADER_BYTES;
    const dataStart = nameStart + nameLength + extraLength;
    if (dataStart > buf.length) break;
    let compressed = buf.readUInt32LE(at + 18);
    let uncompressed = buf.readUInt32LE(at + 22);
    if ((flags & 0x08) !== 0) {
      const d = deferredSizes(buf, dataStart);
      compressed = d.compressed;
      uncompressed = d.uncompressed;
    }
    const dataEnd = Math.min(buf.length, dataStart + compressed);
    if (!skip.has(at)) {
      out.push(
        item(at, flags, method, {
          name: buf.subarray(nameStart, nameStart + nameLength),
          extra: parseExtra(buf.subarray(nameStart + nameLength, dataStart)),
          data: buf.subarray(dataStart, dataEnd),
          uncompressed,
        }),
      );
    }
    at = buf.indexOf(LOCAL, Math.max(dataEnd, at + 4));
  }
  return out;
}

function deferredSizes(buf: Buffer, dataStart: number): { compressed: number; uncompressed: number } {
  let tries = 0;
  for (let d = buf.indexOf(DESCRIPTOR, dataStart); d !== -1 && tries < MAX_DESCRIPTOR_TRIES; tries++) {
    if (d + 16 <= buf.length && buf.readUInt32LE(d + 8) === d - dataStart)
      return { compressed: d - dataStart, uncompressed: buf.readUInt32LE(d + 12) };
    d = buf.indexOf(DESCRIPTOR, d + 4);
  }
  const next = [buf.indexOf(LOCAL, dataStart), buf.indexOf(CENTRAL, dataStart)].filter((n) => n !== -1);
  return { compressed: (next.length > 0 ? Math.min(...next) : buf.length) - dataStart, uncompressed: 0 };
}

/** APPNOTE §4.5.1: header ID and data size, little-endian, then the data. */
function parseExtra(b: Buffer): { id: number; data: Buffer }[] {
  const out: { id: number; data: Buffer }[] = [];
  for (let i = 0; i + 4 <= b.length; ) {
    const size = b.readUInt16LE(i + 2);
    if (i + 4 + size > b.length) break;
    out.push({ id: b.readUInt16LE(i), data: b.subarray(i + 4, i + 4 + size) });
    i += 4 + size;
  }
  return out;
}

function item(
  at: number,
  flags: number,
  method: number,
  p: { name: Buffer; extra: { id: number; data: Buffer }[]; data: Buffer; uncompressed: number },
): ZipItem {
  return {
    fileNameRaw: p.name,
    generalPurposeBitFlag: flags,
    extraFields: p.extra,
    compressionMethod: method,
    compressedSize: p.data.length,
    uncompressedSize: p.uncompressed,
    localOffset: at,
    isEncrypted: () => (flags & 0x01) !== 0,
    canDecodeFileData: () => method === 0 || method === 8,
    read: async (maxBytes) => {
      const content =
        method === 0
          ? Buffer.from(p.data.subarray(0, maxBytes + 1))
          : await inflateRawAsync(p.data, { maxOutputLength: maxBytes + 1 });
      if (content.length > maxBytes) throw new Error(`inflates past ${maxBytes} bytes`);
      if (p.uncompressed !== 0 && content.length !== p.uncompressed)
        throw new Error(`${content.length} bytes where ${p.uncompressed} were declared`);
      return content;
    },
  };
}
