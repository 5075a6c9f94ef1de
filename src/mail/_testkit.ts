/**
 * Builders for the hostile inputs the tests need, written from the specifications rather than
 * stored as binary fixtures: ZIP archives (PKWARE APPNOTE 6.3.10 §4.3: local headers, central
 * directory, end record) including encrypted and lying entries, and MIME messages (RFC 2045/2046).
 * Used by tests only.
 */
import { deflateRawSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface ZipEntrySpec {
  readonly name: string;
  readonly data?: Buffer;
  readonly deflate?: boolean;
  /** Sets the encryption bit (APPNOTE §4.4.4 bit 0) and stores 12 header bytes plus scrambled data. */
  readonly encrypted?: boolean;
  /** Declared uncompressed size, when the archive should lie about it. */
  readonly declaredSize?: number;
}

export function buildZip(entries: readonly ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const plain = e.data ?? Buffer.alloc(0);
    const method = e.deflate ? 8 : 0;
    let stored = e.deflate ? deflateRawSync(plain) : plain;
    if (e.encrypted)
      stored = Buffer.concat([Buffer.alloc(12, 0xa5), Buffer.from(stored.map((b) => b ^ 0x5a))]);
    const flags = (e.encrypted ? 0x1 : 0) | 0x800;
    const crc = crc32(plain);
    const size = e.declaredSize ?? plain.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(stored.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(stored.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, stored);
    centrals.push(central, name);
    offset += local.length + name.length + stored.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

export interface PartSpec {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

/** A message with the given top-level headers and body (CRLF line ends, RFC 5322 §2.1). */
export function message(headers: Readonly<Record<string, string>>, body: string | Buffer): Buffer {
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return Buffer.concat([
    Buffer.from(`${head}\r\n`, 'latin1'),
    typeof body === 'string' ? Buffer.from(body, 'latin1') : body,
  ]);
}

/** A multipart body (RFC 2046 §5.1.1) with the given boundary. */
export function multipart(boundary: string, parts: readonly PartSpec[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`, 'latin1'), message(p.headers, p.body), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return Buffer.concat(chunks);
}

/** A base64 attachment part (RFC 2045 §6.8, 76-character lines). */
export function attachmentPart(
  fileName: string,
  content: Buffer,
  type = 'application/octet-stream',
): PartSpec {
  return {
    headers: {
      'Content-Type': type,
      'Content-Disposition': `attachment; filename="${fileName}"`,
      'Content-Transfer-Encoding': 'base64',
    },
    body: base64Lines(content),
  };
}

/** Base64 in 76-character lines joined by CRLF, built as bytes (the 50 MB attachment's is 66 MB). */
function base64Lines(content: Buffer): Buffer {
  const b64 = Buffer.from(content.toString('base64'), 'latin1');
  const lines = Math.ceil(b64.length / 76);
  const out = Buffer.alloc(b64.length + Math.max(0, lines - 1) * 2);
  let at = 0;
  for (let i = 0; i < b64.length; i += 76) {
    if (i > 0) at += out.write('\r\n', at, 'latin1');
    at += b64.copy(out, at, i, Math.min(i + 76, b64.length));
  }
  return out;
}

export const BASIC_HEADERS: Readonly<Record<string, string>> = {
  From: '"Attacker" <sender@attacker.example>',
  To: 'victim@example.co.jp',
  Subject: 'test',
  Date: 'Mon, 13 Jan 2025 10:00:00 +0900',
  'Message-ID': '<t-1@attacker.example>',
  'MIME-Version': '1.0',
};

/** A message whose only content is the given attachment. */
export function withAttachment(fileName: string, content: Buffer, type?: string): Buffer {
  return message(
    { ...BASIC_HEADERS, 'Content-Type': 'multipart/mixed; boundary="b1"' },
    multipart('b1', [
      { headers: { 'Content-Type': 'text/plain' }, body: 'see attachment' },
      attachmentPart(fileName, content, type),
    ]),
  );
}
