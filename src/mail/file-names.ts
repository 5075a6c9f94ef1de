/**
 * File-name tricks used to make an executable look like a document: a right-to-left override
 * (U+202E, Unicode TR #9) that displays `invoice‮fdp.exe` as `invoiceexe.pdf`, other bidi
 * controls, invisible characters, a decoy extension before the real one (`invoice.pdf.exe`),
 * and a run of spaces that pushes the real extension out of view.
 */
import type { AttachmentFlag } from './types.js';

/** Bidi controls (Unicode TR #9 §2) other than U+202E: embeddings, LRO, isolates and the marks. */
const BIDI_RANGES: readonly (readonly [number, number])[] = [
  [0x061c, 0x061c],
  [0x200e, 0x200f],
  [0x202a, 0x202d],
  [0x2066, 0x2069],
];
const RTLO_RANGE: readonly (readonly [number, number])[] = [[0x202e, 0x202e]];
/** Characters that render as nothing (Unicode Default_Ignorable_Code_Point, the ones seen in lures). */
const INVISIBLE_RANGES: readonly (readonly [number, number])[] = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f], // combining grapheme joiner, seen in a real sample's attachment name
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180e, 0x180e],
  [0x200b, 0x200d],
  [0x2060, 0x2064],
  [0x3164, 0x3164],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
];

// Built from code points: a literal class holding U+034F reads as "a character plus a combining mark".
function charClass(ranges: readonly (readonly [number, number])[]): string {
  const u = (c: number) => `\\u{${c.toString(16)}}`;
  return ranges.map(([a, b]) => (a === b ? u(a) : `${u(a)}-${u(b)}`)).join('');
}

const RTLO = /\u202e/;
const BIDI = new RegExp(`[${charClass(BIDI_RANGES)}]`, 'u');
const INVISIBLE = new RegExp(`[${charClass(INVISIBLE_RANGES)}]`, 'u');
const HIDDEN = charClass([...RTLO_RANGE, ...BIDI_RANGES, ...INVISIBLE_RANGES]);
const INVISIBLE_ALL = new RegExp(`[${HIDDEN}]`, 'gu');
const DISPLAY_UNSAFE = new RegExp(`[\\u{0}-\\u{1f}\\u{7f}-\\u{9f}${HIDDEN}]`, 'gu');
const PADDING = /[\s\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]{5,}\.[^.]*$/;

const EXECUTABLE = new Set(
  (
    'exe scr com pif cpl msi msp mst dll ocx sys drv jar lnk hta reg iso img vhd vhdx application ' +
    'appref-ms gadget msix msixbundle appx appxbundle xll chm url scf inf library-ms settingcontent-ms ' +
    'apk dmg pkg one'
  ).split(' '),
);
const SCRIPT = new Set(
  'bat cmd ps1 psm1 psd1 vbs vbe js jse wsf wsh wsc sct sh bash py pyw pl rb php ahk au3 applescript scpt'.split(
    ' ',
  ),
);
const MACRO = new Set('docm dotm xlsm xltm xlam pptm potm ppam ppsm sldm'.split(' '));
/** Extensions a victim trusts, used as the decoy half of a double extension. */
const DECOY = new Set(
  'pdf doc docx xls xlsx ppt pptx txt rtf csv odt ods jpg jpeg png gif bmp tif tiff mp3 mp4 avi mov wav zip html htm'.split(
    ' ',
  ),
);

/** The name without bidi and invisible characters: what the extension really is. */
export function logicalName(name: string): string {
  return name.replace(INVISIBLE_ALL, '');
}

/** Lower-cased final extension of the logical name, or null. */
export function extensionOf(name: string): string | null {
  const base = logicalName(name).split(/[/\\]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  if (dot <= 0 || dot === base.length - 1) return null;
  return base
    .slice(dot + 1)
    .trim()
    .toLowerCase();
}

export function fileNameFlags(name: string): AttachmentFlag[] {
  const flags: AttachmentFlag[] = [];
  if (RTLO.test(name)) flags.push('rtlo');
  if (BIDI.test(name)) flags.push('bidi-control');
  if (INVISIBLE.test(name)) flags.push('invisible-characters');
  if (/[/\\]/.test(name)) flags.push('path-in-name');
  const logical = logicalName(name);
  if (PADDING.test(logical)) flags.push('whitespace-padding');
  const parts = logical
    .split(/[/\\]/)
    .pop()!
    .split('.')
    .map((p) => p.trim().toLowerCase());
  const ext = parts.length > 1 ? parts[parts.length - 1]! : null;
  if (ext !== null) {
    if (EXECUTABLE.has(ext)) flags.push('executable-extension');
    if (SCRIPT.has(ext)) flags.push('script-extension');
    if (MACRO.has(ext)) flags.push('macro-document');
    const decoy = parts.length > 2 ? parts[parts.length - 2]! : null;
    if (decoy !== null && DECOY.has(decoy) && (EXECUTABLE.has(ext) || SCRIPT.has(ext)))
      flags.push('double-extension');
  }
  return flags;
}

/**
 * The name made safe to print: control, bidi and invisible characters shown as `<U+202E>` so a
 * terminal or log viewer cannot be made to display the decoy.
 */
export function escapeForDisplay(s: string): string {
  return s.replace(
    DISPLAY_UNSAFE,
    (c) => `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`,
  );
}
