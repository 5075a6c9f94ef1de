/**
 * One attachment → its record: decoded name and name tricks, size, MD5/SHA-1/SHA-256, declared
 * versus sniffed type, ZIP listing, Office macro hints, an attached message parsed recursively,
 * and the links inside content that carries them (HTML, scripts, text, PDF link annotations).
 */
import { decodeGuessing } from './charset.js';
import { escapeForDisplay, extensionOf, fileNameFlags } from './file-names.js';
import { hashes } from './hashing.js';
import { extractFromHtml } from './html-links.js';
import type { DecodedAttachment } from './legacy-parts.js';
import type { Deadline, EmailLimits } from './limits.js';
import { extractFromText, type Found, hostFound, normaliseUrl } from './observables.js';
import { extensionMismatch, isExecutableType, sniffType, typeMismatch } from './sniff.js';
import type {
  ArchiveListing,
  Attachment,
  AttachmentFlag,
  EmailExtraction,
  EmailWarning,
  ObservableSource,
  SniffedType,
} from './types.js';
import { type ArchiveBudget, inspectZip, refineZipType } from './zip.js';

export interface AttachmentContext {
  readonly limits: EmailLimits;
  readonly deadline: Deadline;
  readonly budget: ArchiveBudget;
  readonly warnings: EmailWarning[];
  /** Message depth of the message holding the attachment (0 for the reported one). */
  readonly depth: number;
  /** Parses an attached message one level deeper. */
  readonly parseNested: (raw: Buffer) => Promise<EmailExtraction>;
  /** Receives every observable found in attachment content. */
  readonly found: (f: Found, source: ObservableSource) => void;
}

const MAX_NAME_CHARS = 1024;

export async function describeAttachment(
  a: DecodedAttachment,
  index: number,
  ctx: AttachmentContext,
): Promise<Attachment> {
  let fileName = a.fileName;
  if (fileName !== null && fileName.length > MAX_NAME_CHARS) {
    ctx.warnings.push({
      kind: 'limit',
      message: `attachment ${index + 1}: file name cut to ${MAX_NAME_CHARS} characters`,
    });
    fileName = fileName.slice(0, MAX_NAME_CHARS);
  }
  const label = fileName !== null ? `attachment "${escapeForDisplay(fileName)}"` : `attachment ${index + 1}`;
  const flags = new Set<AttachmentFlag>(fileName !== null ? fileNameFlags(fileName) : []);
  if (a.legacy) flags.add(a.legacy.decoded ? 'legacy-encoding' : 'undecoded');
  let sniffed = await sniffType(a.content);
  if (isExecutableType(sniffed)) flags.add('executable-content');
  let archive: ArchiveListing | undefined;
  if (sniffed === 'zip') {
    archive = await inspectZip(a.content, label, 1, {
      limits: ctx.limits,
      deadline: ctx.deadline,
      budget: ctx.budget,
      warnings: ctx.warnings,
      onContent: (path, content, type) => scanContent(content, type, path, ctx),
    });
    sniffed = refineZipType(archive);
    archiveFlags(archive, flags);
  }
  if (sniffed === 'ole2' && hasVbaStorage(a.content)) flags.add('office-macros');
  // A type naming the encoding (application/mac-binhex40) says nothing about the decoded file.
  const typeOfEncoding = a.legacy?.decoded === true && /binhex|uuencode|uue|yenc/.test(a.declaredType);
  if (!typeOfEncoding && typeMismatch(a.declaredType, sniffed)) flags.add('type-mismatch');
  if (extensionMismatch(fileName !== null ? extensionOf(fileName) : null, sniffed))
    flags.add('extension-mismatch');
  const source = fileName ?? label;
  scanContent(a.content, sniffed, source, ctx);
  const message = await nestedMessage(a, sniffed, label, ctx);
  const out: Attachment = {
    fileName,
    flags: [...flags],
    sizeBytes: a.content.length,
    hashes: hashes(a.content),
    declaredType: a.declaredType,
    sniffedType: sniffed,
    disposition: a.disposition,
    contentId: a.contentId,
    privacy: 'shared',
  };
  return { ...out, ...(archive ? { archive } : {}), ...(message ? { message } : {}) };
}

function archiveFlags(listing: ArchiveListing, flags: Set<AttachmentFlag>): void {
  flags.add('archive');
  if (listing.encrypted) flags.add('encrypted-zip');
  if (listing.bomb) flags.add('zip-bomb');
  if (listing.truncated) flags.add('truncated');
  for (const e of listing.entries) {
    if (e.archive) flags.add('nested-archive');
    if (e.flags.includes('executable-content')) flags.add('executable-content');
    if (/(?:^|\/)vbaProject\.bin$/i.test(e.path)) flags.add('office-macros');
    if (e.archive) archiveFlags(e.archive, flags);
  }
}

/** MS-OVBA §2.2: a VBA project lives in a `VBA` storage with a `_VBA_PROJECT` stream (UTF-16LE names). */
function hasVbaStorage(b: Buffer): boolean {
  return b.includes(Buffer.from('_VBA_PROJECT', 'utf16le'));
}

async function nestedMessage(
  a: DecodedAttachment,
  sniffed: SniffedType,
  label: string,
  ctx: AttachmentContext,
): Promise<EmailExtraction | undefined> {
  if (a.declaredType !== 'message/rfc822' && sniffed !== 'email') return undefined;
  if (ctx.depth + 1 > ctx.limits.maxMessageDepth) {
    ctx.warnings.push({
      kind: 'limit',
      message: `${label}: attached message nested deeper than ${ctx.limits.maxMessageDepth}; not parsed`,
    });
    return undefined;
  }
  try {
    return await ctx.parseNested(a.content);
  } catch (e) {
    ctx.warnings.push({
      kind: 'malformed',
      message: `${label}: attached message could not be parsed (${e instanceof Error ? e.message : String(e)})`,
    });
    return undefined;
  }
}

/** Links in content that carries them; detail names the attachment (or archive path). */
function scanContent(content: Buffer, type: SniffedType, detail: string, ctx: AttachmentContext): void {
  // Archives can hold far more text than the message itself; past the deadline we stop looking.
  if (ctx.deadline.expired()) return;
  const source: ObservableSource = { origin: 'attachment-content', detail };
  if (type === 'pdf') {
    for (const f of pdfLinks(content)) ctx.found(f, source);
    return;
  }
  const textual = type === 'html' || type === 'hta' || type === 'text' || type.startsWith('script-');
  if (!textual) return;
  let bytes = content;
  if (bytes.length > ctx.limits.maxScanChars) {
    ctx.warnings.push({
      kind: 'limit',
      message: `${detail}: only the first ${ctx.limits.maxScanChars} bytes were scanned for links`,
    });
    bytes = bytes.subarray(0, ctx.limits.maxScanChars);
  }
  const text = decodeGuessing(bytes).text;
  const found = type === 'html' || type === 'hta' ? extractFromHtml(text) : extractFromText(text);
  for (const f of found) ctx.found(f, source);
}

/** ISO 32000-1 §12.6.4.7 URI actions: `/URI (literal)` or `/URI <hex>`, outside compressed streams. */
export function pdfLinks(pdf: Buffer): Found[] {
  const s = pdf.toString('latin1');
  const out: Found[] = [];
  const add = (uri: string) => {
    const n = normaliseUrl(uri.trim());
    if (!n) return;
    out.push({ kind: 'url', value: n.href, defanged: false }, hostFound(n, false));
  };
  for (const m of s.matchAll(/\/URI\s*\(((?:\\[\s\S]|[^\\)])*)\)/g)) add(unescapePdfString(m[1]!));
  for (const m of s.matchAll(/\/URI\s*<([0-9A-Fa-f\s]*)>/g)) {
    add(Buffer.from(m[1]!.replace(/\s/g, ''), 'hex').toString('latin1'));
  }
  return out;
}

/** ISO 32000-1 §7.3.4.2 literal string escapes. */
function unescapePdfString(s: string): string {
  const map: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };
  return s.replace(/\\(?:([0-7]{1,3})|\r?\n|([\s\S]))/g, (_all, oct?: string, ch?: string) => {
    if (oct !== undefined) return String.fromCharCode(Number.parseInt(oct, 8) & 0xff);
    if (ch === undefined) return '';
    return map[ch] ?? ch;
  });
}
