/**
 * Runs mailparser over the (pre-scanned) raw message and collects its output: the top-level
 * header lines, the merged text and HTML bodies and every attachment as a buffer. We drive the
 * streaming `MailParser` rather than `simpleParser` so that a timeout can destroy the parser
 * instead of leaving it running, and so that `cid:` images are not inlined into the HTML.
 */
import { type AttachmentStream, type HeaderLines, MailParser, type MessageText } from 'mailparser';
import { KobanError } from '../core/index.js';
import { type BodyDecoding, bodyDecoder } from './body-charset.js';
import { type Deadline, type EmailLimits, withDeadline } from './limits.js';

export interface MimeAttachment {
  readonly content: Buffer;
  /** Content-Type as declared by the part (mailparser guesses one for octet-stream; we do not). */
  readonly declaredType: string;
  readonly fileName: string | null;
  readonly disposition: string | null;
  readonly contentId: string | null;
  /** Content-Transfer-Encoding as declared (lower-cased); mailparser passes unknown ones (x-uuencode) through undecoded. */
  readonly transferEncoding: string | null;
}

export interface MimeResult {
  readonly headerLines: HeaderLines;
  readonly text: string | null;
  readonly html: string | null;
  readonly attachments: readonly MimeAttachment[];
  /** How each text part not in ASCII or UTF-8 was decoded (body-charset.ts). */
  readonly decodings: readonly BodyDecoding[];
}

export function runMailParser(raw: Buffer, limits: EmailLimits, deadline: Deadline): Promise<MimeResult> {
  const decodings: BodyDecoding[] = [];
  const parser = new MailParser({
    Iconv: bodyDecoder((d) => decodings.push(d)),
    // Text is only what the sender wrote as text/plain; HTML-only mail keeps its HTML alone.
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipTextLinks: true,
    skipImageLinks: true,
    // Attached messages stay attachments; eml.ts parses them itself, with its own depth limit.
    ignoreEmbedded: true,
    checksumAlgo: false,
    maxHeadSize: limits.maxHeaderBlockBytes + limits.maxHeaderLineBytes,
    // The pre-scan already cut the message at maxParts; this is the backstop if the two disagree.
    maxChildNodes: limits.maxParts + 50,
  });
  const work = new Promise<MimeResult>((resolve, reject) => {
    let headerLines: HeaderLines = [];
    let text: MessageText | null = null;
    const attachments: MimeAttachment[] = [];
    parser.on('headerLines', (lines: HeaderLines) => {
      headerLines = lines;
    });
    parser.on('data', (data: AttachmentStream | MessageText) => {
      if (data.type === 'text') {
        text = data;
        return;
      }
      collectAttachment(data, attachments);
    });
    parser.on('error', (e: unknown) => reject(asKobanError(e)));
    parser.on('end', () => {
      const t = text as MessageText | null;
      resolve({
        headerLines,
        text: t?.text ?? null,
        html: typeof t?.html === 'string' ? t.html : null,
        attachments,
        decodings,
      });
    });
    parser.end(raw);
  });
  return withDeadline(work, deadline, 'MIME parsing', () => parser.destroy());
}

function collectAttachment(a: AttachmentStream, into: MimeAttachment[]): void {
  const chunks: Buffer[] = [];
  a.content.on('data', (c: Buffer) => chunks.push(c));
  a.content.on('end', () => {
    const ct = a.headers.get('content-type');
    const declared =
      ct && typeof ct === 'object' && 'value' in ct && typeof ct.value === 'string' ? ct.value : '';
    const cte = a.headers.get('content-transfer-encoding');
    into.push({
      content: Buffer.concat(chunks),
      declaredType: declared.toLowerCase(),
      fileName: a.filename ?? null,
      disposition: a.contentDisposition ?? null,
      contentId: a.cid ?? null,
      transferEncoding: typeof cte === 'string' ? cte.trim().toLowerCase() : null,
    });
    a.release?.();
  });
}

function asKobanError(e: unknown): KobanError {
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as Error & { code?: unknown }).code;
  if (code === 'EMAXLEN')
    return new KobanError('E_LIMIT', `MIME structure over a limit: ${err.message}`, { cause: e });
  return new KobanError('E_FORMAT', `the message could not be parsed as MIME: ${err.message}`, { cause: e });
}
