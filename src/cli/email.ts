/**
 * `koban email parse FILE.eml` — everything the offline extraction finds in one reported
 * message, each item marked shared or PRIVATE; `--shareable` prints only what may leave the
 * center, `--json` one JSON document. Every string from the message is printed with control and
 * bidi characters escaped, so a hostile file name cannot rewrite the terminal.
 */
import type { Command } from 'commander';
import {
  type ArchiveListing,
  type Attachment,
  DEFAULT_EMAIL_LIMITS,
  type EmailExtraction,
  escapeForDisplay,
  type Field,
  type Mailbox,
  parseEml,
  type ReceivedHop,
  shareableView,
} from '../intel/index.js';
import { readBoundedFile } from './_files.js';
import { fmtInt, printJson } from './_output.js';

interface ParseFlags {
  json?: boolean;
  shareable?: boolean;
  reporterDomain?: string[];
}

export function registerEmail(program: Command): void {
  const email = program.command('email').description('reported e-mails: offline extraction');
  email
    .command('parse')
    .description('extract headers, relay chain, bodies, observables and attachments from one .eml file')
    .argument('<file>', 'the message (RFC 5322 / MIME)')
    .option('--json', 'print one JSON document')
    .option('--shareable', 'print only the sanitised, shareable view')
    .option(
      '--reporter-domain <domain...>',
      "the reporting member's own domains (default: inferred from recipients)",
    )
    .action(async (file: string, flags: ParseFlags) => {
      const raw = await readBoundedFile(file, DEFAULT_EMAIL_LIMITS.maxRawBytes);
      const full = await parseEml(raw, { reporterDomains: flags.reporterDomain });
      const x = flags.shareable ? shareableView(full) : full;
      if (flags.json) printJson(x);
      else process.stdout.write(`${render(x).join('\n')}\n`);
    });
}

const esc = escapeForDisplay;

function mark(p: { privacy: string; reason?: string }): string {
  return p.privacy === 'private' ? `[PRIVATE${p.reason ? `: ${p.reason}` : ''}]` : '[shared]';
}

function field(label: string, f: Field | null): string[] {
  return f ? [`  ${label}: ${esc(f.value)} ${mark(f)}`] : [];
}

function mailboxes(label: string, list: readonly Mailbox[]): string[] {
  return list.map((m) => {
    const who = m.name ? `"${esc(m.name)}" <${esc(m.address ?? '')}>` : `<${esc(m.address ?? '')}>`;
    return `  ${label}: ${who} ${mark(m)}`;
  });
}

function hop(h: ReceivedHop): string[] {
  const parts: string[] = [];
  const add = (name: string, f: Field | null) => {
    if (f) parts.push(`${name} ${esc(f.value)}${f.privacy === 'private' ? ` ${mark(f)}` : ''}`);
  };
  add('from', h.fromHost);
  add('rdns', h.fromRdns);
  add('ip', h.relayIp);
  add('by', h.byHost);
  add('by-ip', h.byIp);
  if (h.with) parts.push(`with ${esc(h.with)}`);
  add('id', h.id);
  add('for', h.for);
  return [`  #${h.index} ${h.timestamp ?? '(no date)'}  ${parts.join('  ')}`];
}

export function render(x: EmailExtraction, indent = ''): string[] {
  const h = x.headers;
  const lines: string[] = [
    `${x.view === 'shareable' ? 'Shareable view' : 'Extraction'} (depth ${x.depth}); shared items may be sent in alerts, PRIVATE items never`,
    `Evidence: sha256 ${x.evidence.sha256}, ${fmtInt(x.evidence.sizeBytes)} bytes`,
    'Headers:',
    ...mailboxes('From', h.from),
    ...mailboxes('Sender', h.sender),
    ...mailboxes('Reply-To', h.replyTo),
    ...mailboxes('Return-Path', h.returnPath),
    ...mailboxes('To', h.to),
    ...mailboxes('Cc', h.cc),
    ...mailboxes('Bcc', h.bcc),
    ...mailboxes('Delivered-To', h.deliveredTo),
    ...mailboxes('X-Original-To', h.xOriginalTo),
    ...field('Subject', h.subject),
    ...field('Date', h.date),
    ...field('Message-ID', h.messageId),
    ...field('X-Mailer', h.xMailer),
    ...field('User-Agent', h.userAgent),
    ...h.xOriginatingIp.flatMap((f) => field('X-Originating-IP', f)),
    `Received chain (${h.received.length}, topmost first):`,
    ...h.received.flatMap(hop),
    ...bodies(x),
    `Observables (${x.observables.length}):`,
    ...x.observables.map(
      (o) =>
        `  ${o.kind.padEnd(6)} ${esc(o.value)}${o.display ? ` (${esc(o.display)})` : ''}${o.defanged ? ' (defanged)' : ''} ${mark(o)}  ← ${o.sources
          .map((s) => (s.detail ? `${s.origin}: ${esc(s.detail)}` : s.origin))
          .join('; ')}`,
    ),
    `Attachments (${x.attachments.length}):`,
    ...x.attachments.flatMap(attachment),
  ];
  if (x.view === 'full') {
    const r = x.recipients;
    lines.push(
      `Recipient context [PRIVATE]: addresses ${r.addresses.map(esc).join(', ') || '-'}; domains ${r.domains.map(esc).join(', ') || '-'}${r.forwarded ? '; forwarded by a member' : ''}`,
    );
  }
  lines.push(`Warnings (${x.warnings.length}):`, ...x.warnings.map((w) => `  [${w.kind}] ${esc(w.message)}`));
  return lines.map((l) => indent + l);
}

function bodies(x: EmailExtraction): string[] {
  const out: string[] = [];
  const t = x.bodies.text;
  if (t) {
    out.push(
      `Text body (${fmtInt(t.content.length)} characters) [shared, recipient names redacted when shared]:`,
    );
    let at = 0;
    for (const sp of t.privateSpans) {
      out.push(
        ...quote(t.content.slice(at, sp.start)),
        `  ---- [PRIVATE: ${sp.reason}] ----`,
        ...quote(t.content.slice(sp.start, sp.end)),
      );
      out.push('  ---- [end of PRIVATE] ----');
      at = sp.end;
    }
    out.push(...quote(t.content.slice(at)));
  } else out.push('Text body: none');
  const html = x.bodies.html;
  out.push(
    html
      ? `HTML body: ${fmtInt(html.content.length)} characters [shared] (--json prints it)`
      : 'HTML body: none',
  );
  return out;
}

function quote(s: string): string[] {
  if (s === '') return [];
  return s
    .replace(/\n+$/, '')
    .split('\n')
    .map((l) => `  | ${esc(l.replace(/\r$/, ''))}`);
}

function attachment(a: Attachment): string[] {
  const lines = [
    `  - ${a.fileName === null ? '(no name)' : `"${esc(a.fileName)}"`} ${mark(a)}`,
    `    ${fmtInt(a.sizeBytes)} bytes; declared ${a.declaredType || '-'}, sniffed ${a.sniffedType}${a.flags.length ? `; flags: ${a.flags.join(', ')}` : ''}`,
    `    md5 ${a.hashes.md5}  sha1 ${a.hashes.sha1}`,
    `    sha256 ${a.hashes.sha256}`,
  ];
  if (a.archive) lines.push(...archive(a.archive, '    '));
  if (a.message) lines.push('    attached message:', ...render(a.message, '      '));
  return lines;
}

function archive(z: ArchiveListing, pad: string): string[] {
  const lines = [
    `${pad}zip: ${z.entries.length} entr${z.entries.length === 1 ? 'y' : 'ies'}${z.encrypted ? ', ENCRYPTED' : ''}${z.bomb ? ', BOMB' : ''}${z.truncated ? ', listing truncated' : ''}`,
  ];
  for (const e of z.entries) {
    const extra = [
      e.encrypted ? 'encrypted' : '',
      e.sniffedType ? `sniffed ${e.sniffedType}` : '',
      e.flags.length ? `flags: ${e.flags.join(', ')}` : '',
      e.hashes ? `sha256 ${e.hashes.sha256}` : '',
    ].filter((s) => s !== '');
    lines.push(
      `${pad}  ${esc(e.path)}  ${fmtInt(e.sizeBytes)} bytes (${fmtInt(e.compressedBytes)} packed)  ${extra.join('; ')}`,
    );
    if (e.archive) lines.push(...archive(e.archive, `${pad}    `));
  }
  return lines;
}
