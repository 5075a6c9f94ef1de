/**
 * ZIP inspection with yauzl (PKWARE APPNOTE): entry names, sizes and the encryption bit (§4.4.4
 * bit 0; password-protected archives are how malware slips past gateway scanners, the password
 * sits in the mail body), hashes of what can be extracted, and nested archives down to a depth.
 * Decompression bombs are stopped three ways: a declared ratio above the limit is not extracted,
 * every extracted byte counts against a per-message budget, and yauzl's size validation fails a
 * stream that inflates past its declared size (the overlapping-entry bombs of Fifield 2019).
 */
import type { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { fileNameFlags } from './file-names.js';
import { hashes } from './hashing.js';
import type { Deadline, EmailLimits } from './limits.js';
import { isExecutableType, sniffType } from './sniff.js';
import type { ArchiveEntry, ArchiveListing, AttachmentFlag, EmailWarning, SniffedType } from './types.js';
import { scanLocalHeaders, type ZipItem } from './zip-scan.js';

/** Shared by every archive of one message, so nesting cannot multiply the limits. */
export interface ArchiveBudget {
  entries: number;
  bytes: number;
  totalExceeded: boolean;
}

export interface ZipContext {
  readonly limits: EmailLimits;
  readonly deadline: Deadline;
  readonly budget: ArchiveBudget;
  readonly warnings: EmailWarning[];
  /** Called with each extracted entry that might hold links (HTML, scripts, text). */
  readonly onContent?: (path: string, content: Buffer, type: SniffedType) => void;
}

const MiB = 1024 * 1024;

/**
 * Lists (and where allowed extracts) one ZIP; `depth` is 1 for an attachment itself. When the
 * central directory cannot be read, the entries are recovered from their local headers
 * (zip-scan.ts) and the listing is marked truncated, as nothing says it is complete.
 */
export async function inspectZip(
  buf: Buffer,
  label: string,
  depth: number,
  ctx: ZipContext,
): Promise<ArchiveListing> {
  const listing: Listing = { entries: [], bomb: false, truncated: false, seen: new Set() };
  let zip: ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(buf, {
      lazyEntries: true,
      decodeStrings: false,
      validateEntrySizes: true,
    });
  } catch (e) {
    await recover(buf, `not a readable ZIP archive (${errorText(e)})`, label, depth, ctx, listing);
    return done(listing);
  }
  let corrupt: string | null = null;
  try {
    for await (const entry of zip.eachEntry()) {
      if (!(await inspectNext(centralItem(zip, entry), label, depth, ctx, listing))) break;
    }
  } catch (e) {
    corrupt = `archive is corrupt (${errorText(e)})`;
  } finally {
    zip.close();
  }
  if (corrupt !== null) await recover(buf, corrupt, label, depth, ctx, listing);
  return done(listing);
}

interface Listing {
  readonly entries: ArchiveEntry[];
  bomb: boolean;
  truncated: boolean;
  /** Local header offsets already listed from the central directory. */
  readonly seen: Set<number>;
}

function done(l: Listing): ArchiveListing {
  const { entries, bomb, truncated } = l;
  return { format: 'zip', entries, encrypted: entries.some((e) => e.encrypted), bomb, truncated };
}

/** Inspects one entry within the limits; false when the listing must stop. */
async function inspectNext(
  item: ZipItem,
  label: string,
  depth: number,
  ctx: ZipContext,
  listing: Listing,
): Promise<boolean> {
  if (ctx.deadline.expired()) {
    ctx.warnings.push({ kind: 'limit', message: `${label}: time limit reached; listing stopped` });
    listing.truncated = true;
    return false;
  }
  if (ctx.budget.entries >= ctx.limits.maxArchiveEntries) {
    ctx.warnings.push({
      kind: 'limit',
      message: `${label}: more than ${ctx.limits.maxArchiveEntries} archive entries in this message; listing stopped`,
    });
    listing.truncated = true;
    return false;
  }
  ctx.budget.entries++;
  listing.seen.add(item.localOffset);
  const result = await inspectEntry(item, label, depth, ctx);
  listing.bomb ||= result.bomb;
  listing.entries.push(result.entry);
  return true;
}

/** Entries the central directory did not yield, from their local headers. */
async function recover(
  buf: Buffer,
  reason: string,
  label: string,
  depth: number,
  ctx: ZipContext,
  listing: Listing,
): Promise<void> {
  listing.truncated = true;
  const room = Math.max(0, ctx.limits.maxArchiveEntries - ctx.budget.entries);
  const found = scanLocalHeaders(buf, room + 1, listing.seen);
  let recovered = 0;
  for (const item of found) {
    if (!(await inspectNext(item, label, depth, ctx, listing))) break;
    recovered++;
  }
  ctx.warnings.push({
    kind: 'malformed',
    message:
      recovered === 0
        ? `${label}: ${reason}; listing stopped`
        : `${label}: ${reason}; ${recovered} entr${recovered === 1 ? 'y' : 'ies'} recovered from local file headers`,
  });
}

function centralItem(zip: ZipFile, entry: Entry): ZipItem {
  return {
    fileNameRaw: entry.fileNameRaw,
    generalPurposeBitFlag: entry.generalPurposeBitFlag,
    extraFields: entry.extraFields,
    compressionMethod: entry.compressionMethod,
    compressedSize: entry.compressedSize,
    uncompressedSize: entry.uncompressedSize,
    localOffset: entry.relativeOffsetOfLocalHeader,
    isEncrypted: () => entry.isEncrypted(),
    canDecodeFileData: () => entry.canDecodeFileData(),
    read: async (maxBytes) => readAll(await zip.openReadStreamPromise(entry), maxBytes),
  };
}

async function inspectEntry(
  entry: ZipItem,
  label: string,
  depth: number,
  ctx: ZipContext,
): Promise<{ entry: ArchiveEntry; bomb: boolean }> {
  const path = entryName(entry);
  const where = `${label} → ${path}`;
  const directory = path.endsWith('/');
  const encrypted = entry.isEncrypted();
  const flags: AttachmentFlag[] = fileNameFlags(path);
  // Archive paths use "/" by definition; only an escaping path (APPNOTE §4.4.17) is a trick.
  const unsafe = yauzl.validateFileName(path) !== null;
  const kept: AttachmentFlag[] = flags.filter((f) => f !== 'path-in-name');
  if (unsafe) kept.push('path-in-name');
  const base = {
    path,
    directory,
    sizeBytes: entry.uncompressedSize,
    compressedBytes: entry.compressedSize,
    encrypted,
  };
  if (directory) return { entry: { ...base, flags: kept }, bomb: false };
  if (encrypted) return { entry: { ...base, flags: [...kept, 'encrypted-zip'] }, bomb: false };
  const allowance = Math.min(
    ctx.limits.maxArchiveEntryBytes,
    ctx.limits.maxArchiveTotalBytes - ctx.budget.bytes,
  );
  const refused = refusal(entry, where, allowance, ctx);
  if (refused)
    return { entry: { ...base, flags: refused.flag ? [...kept, refused.flag] : kept }, bomb: refused.bomb };
  let content: Buffer;
  try {
    content = await entry.read(allowance);
  } catch (e) {
    ctx.warnings.push({ kind: 'malformed', message: `${where}: could not be extracted (${errorText(e)})` });
    return { entry: { ...base, flags: kept }, bomb: false };
  }
  ctx.budget.bytes += content.length;
  let sniffed = await sniffType(content);
  if (isExecutableType(sniffed)) kept.push('executable-content');
  let archive: ArchiveListing | undefined;
  if (sniffed === 'zip') {
    if (depth >= ctx.limits.maxArchiveDepth) {
      ctx.warnings.push({
        kind: 'limit',
        message: `${where}: archive nested deeper than ${ctx.limits.maxArchiveDepth}; not inspected`,
      });
    } else {
      archive = await inspectZip(content, where, depth + 1, ctx);
      sniffed = refineZipType(archive);
    }
    kept.push('nested-archive');
  }
  ctx.onContent?.(where, content, sniffed);
  const out: ArchiveEntry = {
    ...base,
    // A recovered entry whose size the local header deferred is as large as what it inflated to.
    sizeBytes: entry.uncompressedSize === 0 ? content.length : entry.uncompressedSize,
    flags: kept,
    hashes: hashes(content),
    sniffedType: sniffed,
  };
  return { entry: archive ? { ...out, archive } : out, bomb: archive?.bomb ?? false };
}

/** Why an entry is not extracted (with the flag it earns), or null when it may be. */
function refusal(
  entry: ZipItem,
  where: string,
  allowance: number,
  ctx: ZipContext,
): { flag?: AttachmentFlag; bomb: boolean } | null {
  const ratio = entry.compressedSize > 0 ? entry.uncompressedSize / entry.compressedSize : 0;
  if (entry.uncompressedSize > MiB && ratio > ctx.limits.maxCompressionRatio) {
    ctx.warnings.push({
      kind: 'limit',
      message: `${where}: compression ratio ${Math.round(ratio)}:1 looks like a decompression bomb; not extracted`,
    });
    return { flag: 'zip-bomb', bomb: true };
  }
  if (entry.uncompressedSize > allowance) {
    const total = ctx.budget.bytes + entry.uncompressedSize > ctx.limits.maxArchiveTotalBytes;
    if (!total) {
      ctx.warnings.push({
        kind: 'limit',
        message: `${where}: ${entry.uncompressedSize} bytes uncompressed is over the per-entry limit; not extracted`,
      });
    } else if (!ctx.budget.totalExceeded) {
      // Said once: an archive of a thousand such entries should not produce a thousand warnings.
      ctx.budget.totalExceeded = true;
      ctx.warnings.push({
        kind: 'limit',
        message: `${where}: the message's archives inflate past ${ctx.limits.maxArchiveTotalBytes} bytes; this and further entries not extracted`,
      });
    }
    return { flag: total ? 'zip-bomb' : 'truncated', bomb: total };
  }
  if (!entry.canDecodeFileData()) {
    ctx.warnings.push({
      kind: 'skipped',
      message: `${where}: compression method ${entry.compressionMethod} is not supported; not extracted`,
    });
    return { bomb: false };
  }
  return null;
}

/** OOXML documents and JARs are ZIPs; their member names say which. */
export function refineZipType(listing: ArchiveListing): SniffedType {
  const names = new Set(listing.entries.map((e) => e.path));
  if (names.has('[Content_Types].xml')) return 'ooxml';
  if (names.has('META-INF/MANIFEST.MF')) return 'jar';
  return 'zip';
}

/**
 * Entry names: UTF-8 when flagged (APPNOTE §4.4.4 bit 11) or when valid; Japanese archivers
 * write Shift_JIS without the flag, so that is tried before yauzl's CP437 fallback.
 */
function entryName(entry: ZipItem): string {
  const raw = entry.fileNameRaw;
  if ((entry.generalPurposeBitFlag & 0x800) !== 0 || raw.every((b) => b < 0x80)) return raw.toString('utf8');
  for (const label of ['utf-8', 'shift_jis']) {
    try {
      return new TextDecoder(label, { fatal: true }).decode(raw);
    } catch {
      // try the next
    }
  }
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, false);
}

function readAll(stream: Readable, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    stream.on('data', (c: Buffer) => {
      total += c.length;
      if (total > max) {
        stream.destroy(new Error(`inflates past ${max} bytes`));
        return;
      }
      chunks.push(c);
    });
    stream.on('error', reject);
    stream.on('end', () => resolve(Buffer.concat(chunks, total)));
  });
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
