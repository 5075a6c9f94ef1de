/**
 * Applies legacy-encodings.ts to what mailparser produced: a part whose Content-Transfer-Encoding
 * is `x-uuencode` (or yEnc, BinHex, or whose content plainly is one of them) is decoded in place,
 * so the attachment is hashed, sized, sniffed and opened as the file it carries; uuencoded and
 * BinHex blocks written into the text body are cut out of it and become attachments of their
 * own. What is recognised but cannot be decoded stays as sent, flagged and reported.
 */
import { escapeForDisplay } from './file-names.js';
import { decodeLegacy, findLegacyBlocks, type LegacyEncoding, legacyEncodingOf } from './legacy-encodings.js';
import type { MimeAttachment } from './mime.js';
import type { EmailWarning } from './types.js';

/** What a part's legacy encoding came to, for its flags. */
export interface LegacyOutcome {
  readonly encoding: LegacyEncoding;
  readonly decoded: boolean;
}

export type DecodedAttachment = MimeAttachment & { readonly legacy?: LegacyOutcome };

const TRANSFER_ENCODINGS: Readonly<Record<string, LegacyEncoding>> = {
  'x-uuencode': 'uuencode',
  uuencode: 'uuencode',
  'x-uue': 'uuencode',
  uue: 'uuencode',
  'x-yenc': 'yenc',
  yenc: 'yenc',
  'x-binhex40': 'binhex',
  'x-binhex': 'binhex',
};

const MAX_INLINE_FILES = 50;

export function decodeLegacyParts(
  text: string | null,
  attachments: readonly MimeAttachment[],
  warnings: EmailWarning[],
): { text: string | null; attachments: DecodedAttachment[] } {
  const out: DecodedAttachment[] = attachments.map((a, i) => decodePart(a, i, warnings));
  if (text === null) return { text, attachments: out };
  const blocks = findLegacyBlocks(text, MAX_INLINE_FILES);
  if (blocks.length === 0) {
    if (/^=ybegin /m.test(text)) {
      warnings.push({
        kind: 'skipped',
        message:
          'the text body holds a yEnc block; yEnc is 8-bit and cannot be recovered from decoded text, so it was not decoded',
      });
    }
    return { text, attachments: out };
  }
  const parts: string[] = [];
  let at = 0;
  for (const b of blocks) {
    const name = b.file.name ?? 'unnamed';
    parts.push(text.slice(at, b.start), `[${b.file.encoding} file "${name}" extracted as an attachment]\n`);
    at = b.end;
    out.push({
      content: b.file.content,
      declaredType: 'application/octet-stream',
      fileName: b.file.name,
      disposition: 'inline',
      contentId: null,
      transferEncoding: null,
      legacy: { encoding: b.file.encoding, decoded: true },
    });
    report(
      `the ${b.file.encoding} block "${escapeForDisplay(name)}" in the text body`,
      b.file.problems,
      warnings,
    );
  }
  parts.push(text.slice(at));
  warnings.push({
    kind: 'guessed',
    message: `${blocks.length} file(s) written into the text body (uuencode/BinHex) were decoded as attachments`,
  });
  return { text: parts.join(''), attachments: out };
}

function decodePart(a: MimeAttachment, index: number, warnings: EmailWarning[]): DecodedAttachment {
  const declared =
    TRANSFER_ENCODINGS[a.transferEncoding ?? ''] ??
    (a.declaredType === 'application/mac-binhex40' ? ('binhex' as const) : null);
  const encoding = legacyEncodingOf(a.content.subarray(0, 4096).toString('latin1')) ?? declared;
  if (encoding === null) return a;
  const file = decodeLegacy(encoding, a.content.toString('latin1'));
  if (file === null || (file.content.length === 0 && a.content.length > 0)) {
    // Content that merely starts like an encoded file, without saying it is one, is left alone.
    if (declared === null) return a;
    const label =
      a.fileName !== null ? `attachment "${escapeForDisplay(a.fileName)}"` : `attachment ${index + 1}`;
    warnings.push({
      kind: 'malformed',
      message: `${label}: declared as ${a.transferEncoding ?? a.declaredType} but could not be decoded; hashed as sent`,
    });
    return { ...a, legacy: { encoding, decoded: false } };
  }
  const label =
    a.fileName !== null ? `attachment "${escapeForDisplay(a.fileName)}"` : `attachment ${index + 1}`;
  report(label, file.problems, warnings);
  return {
    ...a,
    content: file.content,
    fileName: a.fileName ?? file.name,
    legacy: { encoding, decoded: true },
  };
}

function report(label: string, problems: readonly string[], warnings: EmailWarning[]): void {
  for (const p of problems) warnings.push({ kind: 'malformed', message: `${label}: ${p}` });
}
