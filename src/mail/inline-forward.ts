/**
 * Header blocks that mail clients write into the body when a member forwards an attack inline —
 * the most common way members report. Their `To:`/`Cc:` lines name the member's own staff, who
 * must stay private like the recipients of the message itself. Formats, as the clients write them
 * (see test/fixtures/email/README.md for the fixtures):
 * - Gmail: `---------- Forwarded message ---------`, then From, Date, Subject, To, Cc;
 * - Outlook: a line of underscores or `-----Original Message-----`, then From, Sent, To, Cc,
 *   Subject — in Japanese 差出人, 送信日時, 宛先, CC, 件名 (送信者 in some versions), older ones
 *   with `Name [mailto:address]` and `;` between recipients;
 * - Thunderbird: `-------- Forwarded Message --------` (or `Original Message`), then Subject,
 *   Date, From, To, with a tab after each label (Japanese: 件名, 日付, 差出人, 宛先);
 * - Apple Mail: `Begin forwarded message:`, an empty line, then From, Subject, Date, To.
 * An HTML-only forward is read from its text rendering. A block without a separator line is
 * accepted when it has a From line and at least two of date, recipient and subject lines.
 */

import { type MailboxFacts, parseMailboxText } from './headers.js';
import { decodeEntities } from './html-links.js';

export interface ForwardBlock {
  /** Offset in the text of the separator line (or of the first header line when there is none). */
  readonly start: number;
  readonly from: readonly MailboxFacts[];
  readonly to: readonly MailboxFacts[];
  readonly cc: readonly MailboxFacts[];
  readonly bcc: readonly MailboxFacts[];
  readonly subject: string | null;
}

type Label = 'from' | 'to' | 'cc' | 'bcc' | 'date' | 'subject' | 'reply-to';

const LABELS: Readonly<Record<string, Label>> = {
  from: 'from',
  差出人: 'from',
  送信者: 'from',
  von: 'from',
  de: 'from',
  to: 'to',
  宛先: 'to',
  あて先: 'to',
  an: 'to',
  para: 'to',
  cc: 'cc',
  bcc: 'bcc',
  date: 'date',
  sent: 'date',
  送信日時: 'date',
  日付: 'date',
  日時: 'date',
  datum: 'date',
  gesendet: 'date',
  envoyé: 'date',
  enviado: 'date',
  fecha: 'date',
  subject: 'subject',
  件名: 'subject',
  betreff: 'subject',
  objet: 'subject',
  asunto: 'subject',
  assunto: 'subject',
  'reply-to': 'reply-to',
  返信先: 'reply-to',
};

const QUOTE = /^[ \t]*(?:>[ \t]?)*/;
const SEPARATOR =
  /^(?:-{2,}[ \t]*(?:forwarded message|original message|転送メッセージ|転送されたメッセージ|元のメッセージ|mensagem encaminhada|message transféré|weitergeleitete nachricht|mensaje reenviado|mensaje original|message d'origine|ursprüngliche nachricht)[ \t]*-{2,}|begin forwarded message:|転送されたメッセージ:|_{10,})[ \t]*$/i;
const FIELD = /^([^\s:：]{1,20})[ \t]*[:：][ \t]*(.*)$/;

/** Lines scanned past a separator for the header block (Apple Mail puts an empty line first). */
const MAX_GAP = 2;
const MAX_FIELDS = 30;
const MAX_BLOCKS = 20;

/** Lines worth a closer look: separators and From lines; found by one scan, not line by line. */
const CANDIDATE =
  /^[ \t>]*(?:-{2,}[ \t]*[^\s-]|_{10,}[ \t]*$|begin forwarded|転送されたメッセージ|(?:from|差出人|送信者|von|de)[ \t]*[:：])/gim;

export function findForwardBlocks(text: string): ForwardBlock[] {
  const out: ForwardBlock[] = [];
  let resume = 0;
  for (const m of text.matchAll(CANDIDATE)) {
    if (out.length >= MAX_BLOCKS) break;
    if (m.index < resume) continue;
    const first = lineAt(text, m.index);
    const line = first.text.replace(QUOTE, '');
    if (SEPARATOR.test(line)) {
      let at = first.next;
      for (let gap = 0; gap < MAX_GAP && at < text.length; gap++) {
        const l = lineAt(text, at);
        if (l.text.replace(QUOTE, '').trim() !== '') break;
        at = l.next;
      }
      const fields = readFields(text, at);
      if (fields.labels.has('from') || fields.labels.has('to')) {
        out.push(block(m.index, fields));
        resume = fields.next;
      }
      continue;
    }
    const fields = readFields(text, m.index);
    const l = fields.labels;
    const others = [l.has('date'), l.has('to') || l.has('cc'), l.has('subject')].filter(Boolean).length;
    if (l.has('from') && others >= 2) out.push(block(m.index, fields));
    // A run of field lines that is not a block has no suffix that is one: skip it whole (linear time).
    resume = fields.next;
  }
  return out;
}

/** The text an HTML body shows, line by line, for finding forward blocks in HTML-only mail. */
export function htmlAsText(html: string): string {
  return decodeEntities(
    html
      .replace(/<(?:script|style)\b[^<>]*>[^<]*<\/(?:script|style)>/gi, '')
      .replace(/<(?:br|\/p|\/div|\/tr|\/li|\/h\d|hr)\b[^<>]*>/gi, '\n')
      .replace(/<[^<>]*>/g, ''),
  ).replace(/\u00a0/g, ' ');
}

/** The line starting at `at` (without its line end) and where the next one starts. */
function lineAt(text: string, at: number): { text: string; next: number } {
  const nl = text.indexOf('\n', at);
  const end = nl === -1 ? text.length : nl;
  return { text: text.slice(at, end).replace(/\r$/, ''), next: nl === -1 ? text.length + 1 : nl + 1 };
}

interface Fields {
  readonly values: ReadonlyMap<Label, string>;
  readonly labels: ReadonlySet<Label>;
  /** Offset of the first line after the block. */
  readonly next: number;
}

/** Consecutive `Label: value` lines from `from`; a line starting with white space continues the value. */
function readFields(text: string, from: number): Fields {
  const values = new Map<Label, string>();
  let last: Label | null = null;
  let at = from;
  for (let n = 0; n < MAX_FIELDS && at <= text.length; n++) {
    const line = lineAt(text, at);
    const raw = line.text.replace(QUOTE, '');
    if (raw.trim() === '') break;
    const m = FIELD.exec(raw);
    const label = m ? LABELS[m[1]!.toLowerCase()] : undefined;
    if (label) {
      values.set(label, `${values.get(label) ?? ''}${values.has(label) ? ', ' : ''}${m![2]!.trim()}`);
      last = label;
    } else if (last !== null && /^[ \t]/.test(line.text)) {
      values.set(last, `${values.get(last)!} ${raw.trim()}`);
    } else break;
    at = line.next;
  }
  return { values, labels: new Set(values.keys()), next: at };
}

function block(start: number, f: Fields): ForwardBlock {
  const boxes = (label: Label) => {
    const v = f.values.get(label);
    return v === undefined ? [] : mailboxes(v);
  };
  const from = boxes('from');
  const self = new Set(from.map((m) => m.address).filter((a) => a !== null));
  // A message addressed to its own sender (bulk mail sent by Bcc) names no recipient in To.
  const recipients = (label: Label) => boxes(label).filter((m) => m.address === null || !self.has(m.address));
  return {
    start,
    from,
    to: recipients('to'),
    cc: recipients('cc'),
    bcc: recipients('bcc'),
    subject: f.values.get('subject') ?? null,
  };
}

/**
 * Outlook writes `Name [mailto:address]` and `'address'`, and separates recipients with `;` —
 * often names alone, "Last, First" with a comma inside, where the directory resolved them.
 */
function mailboxes(value: string): MailboxFacts[] {
  const v = value
    .replace(/\[mailto:([^\]\s]+)\]/gi, '<$1>')
    .replace(/<mailto:([^>\s]+)>/gi, '<$1>')
    .replace(/'([^'\s<>]+@[^'\s<>]+)'/g, '$1');
  if (!v.includes(';')) return parseMailboxText(v, 'a forwarded header block', []);
  return v.split(';').flatMap((piece) => {
    const p = piece.trim();
    if (p === '') return [];
    if (!p.includes('@')) return [{ name: p.replace(/^["']|["']$/g, ''), address: null }];
    return parseMailboxText(p, 'a forwarded header block', []);
  });
}
