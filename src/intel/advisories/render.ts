/**
 * An alert as it travels: the JSON document of webhooks and the plain-text e-mail, Japanese first
 * with English alongside. TLP 2.0 asks that a label be shown "directly prior to the information
 * itself" and, for e-mail, in the subject line: both carry it. Indicators in e-mail are defanged
 * (`27.254.40[.]5`, `hxxps://`) so that no mail client turns them into links; the JSON carries
 * them as they are, for machines.
 */
import type { AdvisoryContent, AdvisoryStatus } from './types.js';

export type AdvisoryEvent = 'sent' | 'updated' | 'withdrawn';

export interface AdvisoryMeta {
  readonly id: number;
  readonly version: number;
  readonly status: AdvisoryStatus;
  readonly sentMs: number | null;
  readonly updatedMs: number;
  readonly withdrawn: { readonly atMs: number; readonly reason: string } | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** TLP 2.0's own one-line definitions, for the foot of an e-mail. */
const TLP_MEANING: Readonly<Record<AdvisoryContent['tlp'], string>> = {
  CLEAR: 'Recipients can spread this to the world; there is no limit on disclosure.',
  GREEN: 'Recipients can spread this within their community, but not via publicly accessible channels.',
  AMBER:
    'Limited disclosure: recipients can only spread this on a need-to-know basis within their organization and its clients.',
  'AMBER+STRICT': 'Limited disclosure: recipients can only spread this within their organization.',
  RED: 'For the eyes and ears of individual recipients only, no further disclosure.',
};

export function advisoryWebhookDocument(
  meta: AdvisoryMeta,
  content: AdvisoryContent,
  event: AdvisoryEvent,
  recipient: string | null,
) {
  return {
    event: `alert.${event}`,
    alert: {
      id: meta.id,
      version: meta.version,
      status: meta.status,
      tlp: content.tlp,
      title: content.title,
      body_ja: content.bodyJa,
      body_en: content.bodyEn,
      indicators: content.indicators,
      lures: content.lures,
      reporters: content.reporters,
      sent: iso(meta.sentMs),
      updated: iso(meta.updatedMs),
      withdrawn: meta.withdrawn ? { at: iso(meta.withdrawn.atMs), reason: meta.withdrawn.reason } : null,
    },
    recipient,
  };
}

/** The usual defanging: the last dot of a name or address bracketed, `http` as `hxxp`. */
export function defang(type: string, value: string): string {
  if (type === 'url')
    return value.replace(/^http/i, 'hxxp').replace(/^(hxxps?:\/\/[^/:?#]*)\.([^./:?#]*)/i, '$1[.]$2');
  if (type === 'ipv4' || type === 'domain' || type === 'email' || type === 'cidr')
    return value.replace(/\.(?=[^.]*$)/, '[.]');
  if (type === 'ipv6') return value.replace(/:/g, '[:]');
  return value;
}

export function advisoryMailSubject(
  meta: AdvisoryMeta,
  content: AdvisoryContent,
  event: AdvisoryEvent,
): string {
  const what =
    event === 'withdrawn'
      ? '取消 / Withdrawn'
      : event === 'updated'
        ? `更新 第${meta.version}版 / Updated`
        : '注意喚起 / Alert';
  return `[TLP:${content.tlp}] ${what}: ${content.title}`;
}

export function advisoryMailText(
  meta: AdvisoryMeta,
  content: AdvisoryContent,
  event: AdvisoryEvent,
  portalUrl: string | null,
): string {
  const lines = [
    `TLP:${content.tlp}`,
    '',
    `注意喚起 / Alert #${meta.id} (第${meta.version}版 / version ${meta.version})`,
  ];
  lines.push(content.title, '');
  if (event === 'withdrawn' && meta.withdrawn) {
    lines.push(
      'この注意喚起は取り消されました。/ This alert has been withdrawn.',
      `理由 / Reason: ${meta.withdrawn.reason}`,
      '',
    );
  }
  if (content.bodyJa) lines.push(content.bodyJa, '');
  if (content.bodyEn) lines.push(content.bodyEn, '');
  if (content.indicators.length > 0) {
    lines.push('■ 不正な接続先等 / Indicators');
    for (const i of content.indicators)
      lines.push(`  ${i.type.padEnd(8)} ${defang(i.type, i.value)}  (${i.role})`);
    lines.push('');
  }
  if (content.lures.length > 0) {
    lines.push('■ 標的型メール / Lures');
    for (const l of content.lures) {
      lines.push(`  件名 / Subject: ${l.subject ?? '-'}`);
      if (l.from.length) lines.push(`  差出人 / From: ${l.from.map((a) => defang('email', a)).join(', ')}`);
      if (l.mailer) lines.push(`  メーラー / Mailer: ${l.mailer}`);
      for (const a of l.attachments) {
        lines.push(`  添付 / Attachment: ${a.fileName ?? '-'}${a.sha256 ? ` (SHA-256 ${a.sha256})` : ''}`);
        for (const e of a.entries) lines.push(`    ${JSON.stringify(e)}`);
      }
      lines.push('');
    }
  }
  lines.push(`報告組織数 / Reporting organisations: ${content.reporters.organisations}`);
  for (const n of content.reporters.named) lines.push(`  ${n.name}`);
  lines.push('');
  if (event !== 'withdrawn') {
    lines.push(
      '同様のメールを受信した場合は「受信した」とご回答ください。/ If you received it too, please answer "received too":',
      portalUrl
        ? `  ${portalUrl.replace(/\/$/, '')}/advisories/${meta.id}`
        : `  POST /api/v1/advisories/${meta.id}/received`,
      '',
    );
  }
  lines.push(`TLP:${content.tlp} — ${TLP_MEANING[content.tlp]} (FIRST TLP 2.0)`);
  return `${lines.join('\n')}\n`;
}

/** The TLP order, least restricted first: a digest's subject carries its most restricted label. */
const TLP_ORDER: readonly AdvisoryContent['tlp'][] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

export interface DigestItem {
  readonly meta: AdvisoryMeta;
  readonly content: AdvisoryContent;
  readonly event: AdvisoryEvent;
}

/** A daily digest's subject: its most restricted label first (TLP 2.0 asks for it in the subject). */
export function advisoryDigestSubject(items: readonly DigestItem[], dayIso: string): string {
  const tlp = items.reduce(
    (a, i) => (TLP_ORDER.indexOf(i.content.tlp) > TLP_ORDER.indexOf(a) ? i.content.tlp : a),
    'CLEAR' as AdvisoryContent['tlp'],
  );
  return `[TLP:${tlp}] 注意喚起のまとめ / Daily digest ${dayIso}: ${items.length} 件 / item${items.length === 1 ? '' : 's'}`;
}

/**
 * A daily digest: a list of what it holds, then each advisory event in full, as its own e-mail
 * would read (each under its own label).
 */
export function advisoryDigestText(items: readonly DigestItem[], portalUrl: string | null): string {
  const head = [
    `注意喚起のまとめ / Daily digest: ${items.length} 件 / item${items.length === 1 ? '' : 's'}`,
    '',
    ...items.map(
      (i, n) =>
        `${n + 1}. [TLP:${i.content.tlp}] ${advisoryMailSubject(i.meta, i.content, i.event).replace(/^\[TLP:[^\]]+\] /, '')}`,
    ),
    '',
  ];
  const rule = '-'.repeat(72);
  return `${head.join('\n')}${items.map((i) => `${rule}\n${advisoryMailText(i.meta, i.content, i.event, portalUrl)}`).join('')}`;
}
