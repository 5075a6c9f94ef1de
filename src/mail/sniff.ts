/**
 * File type from content (magic numbers), independent of the name and Content-Type the sender
 * chose. Binary formats come from `file-type` (PE, ELF, ZIP, OLE2/CFB, PDF, RTF, Windows shell
 * link, RAR 4/5, 7z, gzip, CAB, PNG, JPEG, GIF …). What it does not know, or gets wrong for hostile
 * attachments, is sniffed here by hand: a 32-bit big-endian Mach-O and a fat Mach-O (it calls the
 * latter a Java class), a ZIP whose first local header is damaged (it throws; PKWARE APPNOTE
 * §4.3.7 markers are enough to list what can be recovered), ISO 9660 (`CD001` at sector 16), a PDF
 * whose `%PDF-` is anywhere in the first KiB (ISO 32000 §7.5.2, as readers accept) — and the text
 * classes no magic number tells: HTML, HTA, shell/batch/PowerShell/VBScript/JScript, e-mail.
 */
import { fileTypeFromBuffer } from 'file-type';
import type { SniffedType } from './types.js';

/** `file-type`'s extensions, as our types; the ZIP family is listed and refined by zip.ts. */
const FROM_FILE_TYPE: Readonly<Record<string, SniffedType>> = {
  exe: 'pe',
  elf: 'elf',
  macho: 'mach-o',
  zip: 'zip',
  docx: 'zip',
  xlsx: 'zip',
  pptx: 'zip',
  docm: 'zip',
  xlsm: 'zip',
  pptm: 'zip',
  jar: 'zip',
  apk: 'zip',
  epub: 'zip',
  odt: 'zip',
  ods: 'zip',
  odp: 'zip',
  xpi: 'zip',
  cfb: 'ole2',
  msi: 'ole2',
  doc: 'ole2',
  xls: 'ole2',
  ppt: 'ole2',
  pdf: 'pdf',
  rtf: 'rtf',
  lnk: 'lnk',
  iso: 'iso9660',
  rar: 'rar',
  '7z': '7z',
  gz: 'gzip',
  cab: 'cab',
  png: 'png',
  jpg: 'jpeg',
  gif: 'gif',
};
/** Enough for every signature used (ISO 9660's is at 0x9001); a ZIP's listing is zip.ts's job. */
const SNIFF_BYTES = 64 * 1024;

function startsWith(b: Buffer, sig: Buffer | string, at = 0): boolean {
  const s = typeof sig === 'string' ? Buffer.from(sig, 'latin1') : sig;
  return b.length >= at + s.length && b.compare(s, 0, s.length, at, at + s.length) === 0;
}

export async function sniffType(b: Buffer): Promise<SniffedType> {
  if (b.length === 0) return 'empty';
  let ext: string | undefined;
  try {
    ext = (await fileTypeFromBuffer(b.subarray(0, SNIFF_BYTES)))?.ext;
  } catch {
    ext = undefined; // a damaged container: the hand-written signatures below still apply
  }
  return (ext !== undefined ? FROM_FILE_TYPE[ext] : undefined) ?? sniffByHand(b);
}

function sniffByHand(b: Buffer): SniffedType {
  const m = b.length >= 4 ? b.readUInt32BE(0) : 0;
  if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(m)) {
    // 0xCAFEBABE is also a Java class file; a Mach-O fat header has a small architecture count.
    if (m !== 0xcafebabe || (b.length >= 8 && b.readUInt32BE(4) < 20)) return 'mach-o';
  }
  if (startsWith(b, 'PK\x03\x04') || startsWith(b, 'PK\x05\x06') || startsWith(b, 'PK\x07\x08')) return 'zip';
  for (const at of [0x8001, 0x8801, 0x9001]) if (startsWith(b, 'CD001', at)) return 'iso9660';
  const head = b.subarray(0, 1024).toString('latin1');
  if (head.includes('%PDF-')) return 'pdf';
  return sniffText(b);
}

function sniffText(b: Buffer): SniffedType {
  const sample = b.subarray(0, 4096);
  let control = 0;
  for (const c of sample) if (c < 0x09 || (c > 0x0d && c < 0x20 && c !== 0x1b)) control++;
  if (control > sample.length / 50) return 'unknown';
  const t = sample
    .toString('latin1')
    .replace(/^\xef\xbb\xbf/, '')
    .trimStart();
  const lower = t.toLowerCase();
  if (/<hta:application/i.test(t)) return 'hta';
  if (/^<(?:!doctype html|html|head|body|script|iframe|meta|form|div|table|title|!--)/i.test(t))
    return 'html';
  if (/^#!/.test(t)) return 'script-shell';
  if (/^@?echo off/i.test(t) || /^(?:rem |::)/im.test(t.slice(0, 200))) return 'script-batch';
  if (/\b(?:invoke-expression|iex\s*\(|-encodedcommand|new-object\s+net\.webclient|\$env:)/i.test(t)) {
    return 'script-powershell';
  }
  if (/\b(?:createobject\s*\(|wscript\.|on error resume next|dim\s+\w+|end sub\b)/i.test(t))
    return 'script-vbs';
  if (
    /\b(?:activexobject|wscript\.shell|eval\s*\(|function\s*\w*\s*\(|var\s+\w+\s*=|document\.write)/i.test(t)
  ) {
    return 'script-js';
  }
  if (
    /^(?:received|return-path|from|message-id|mime-version|delivered-to|date|subject|x-[\w-]+):/i.test(lower)
  ) {
    const fields = lower.split(/\r?\n/).filter((l) => /^[\w-]+:/.test(l)).length;
    if (fields >= 3) return 'email';
  }
  return 'text';
}

/** Types that run code when opened. */
export function isExecutableType(t: SniffedType): boolean {
  return t === 'pe' || t === 'elf' || t === 'mach-o' || t === 'lnk' || t === 'hta' || t.startsWith('script-');
}

const GENERIC_TYPES = new Set([
  '',
  'application/octet-stream',
  'application/unknown',
  'application/binary',
  'binary/octet-stream',
  'application/force-download',
  'application/x-download',
  'application/download',
]);

/** Declared Content-Types consistent with each sniffed type. */
const CONSISTENT: Partial<Record<SniffedType, readonly string[]>> = {
  pe: ['application/x-msdownload', 'application/x-dosexec', 'application/vnd.microsoft.portable-executable'],
  elf: ['application/x-executable', 'application/x-elf', 'application/x-sharedlib'],
  zip: ['application/zip', 'application/x-zip-compressed', 'application/x-zip', 'multipart/x-zip'],
  ooxml: ['application/vnd.openxmlformats-officedocument.', 'application/vnd.ms-', 'application/zip'],
  jar: ['application/java-archive', 'application/x-java-archive', 'application/zip'],
  ole2: [
    'application/msword',
    'application/vnd.ms-',
    'application/x-msi',
    'application/x-ole-storage',
    'application/cdfv2',
  ],
  pdf: ['application/pdf', 'application/x-pdf'],
  rtf: ['application/rtf', 'text/rtf'],
  lnk: ['application/x-ms-shortcut'],
  iso9660: ['application/x-iso9660-image', 'application/x-cd-image', 'application/iso'],
  rar: ['application/x-rar-compressed', 'application/vnd.rar', 'application/x-rar'],
  '7z': ['application/x-7z-compressed'],
  gzip: ['application/gzip', 'application/x-gzip', 'application/x-tar', 'application/x-compressed-tar'],
  cab: ['application/vnd.ms-cab-compressed'],
  html: ['text/html', 'application/xhtml+xml', 'text/plain'],
  hta: ['application/hta', 'text/html'],
  email: ['message/rfc822', 'text/plain'],
  png: ['image/png'],
  jpeg: ['image/jpeg', 'image/jpg', 'image/pjpeg'],
  gif: ['image/gif'],
};

/** True when a specific declared type contradicts the content (a "PDF" that is a PE, say). */
export function typeMismatch(declared: string, sniffed: SniffedType): boolean {
  if (GENERIC_TYPES.has(declared)) return false;
  if (sniffed === 'unknown' || sniffed === 'empty') return false;
  if (sniffed === 'text' || sniffed.startsWith('script-')) return !declared.startsWith('text/');
  const ok = CONSISTENT[sniffed];
  return ok !== undefined && !ok.some((p) => declared.startsWith(p));
}

/** File extensions and the content types they promise. */
const EXTENSION_TYPES: Readonly<Record<string, readonly SniffedType[]>> = {
  pdf: ['pdf'],
  doc: ['ole2', 'rtf', 'html'],
  xls: ['ole2', 'html'],
  ppt: ['ole2'],
  msg: ['ole2'],
  docx: ['ooxml', 'zip'],
  xlsx: ['ooxml', 'zip'],
  pptx: ['ooxml', 'zip'],
  docm: ['ooxml', 'zip'],
  xlsm: ['ooxml', 'zip'],
  zip: ['zip', 'ooxml', 'jar'],
  jar: ['jar', 'zip'],
  rtf: ['rtf'],
  jpg: ['jpeg'],
  jpeg: ['jpeg'],
  png: ['png'],
  gif: ['gif'],
  exe: ['pe'],
  dll: ['pe'],
  scr: ['pe'],
  lnk: ['lnk'],
  iso: ['iso9660'],
  img: ['iso9660', 'unknown'],
  rar: ['rar'],
  '7z': ['7z'],
  gz: ['gzip'],
  html: ['html', 'text'],
  htm: ['html', 'text'],
  txt: ['text'],
  eml: ['email', 'text'],
};

export function extensionMismatch(extension: string | null, sniffed: SniffedType): boolean {
  if (extension === null || sniffed === 'unknown' || sniffed === 'empty') return false;
  const expected = EXTENSION_TYPES[extension];
  return expected !== undefined && !expected.includes(sniffed);
}
