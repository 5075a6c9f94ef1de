/** How `koban advisory` prints a preview, an advisory and its delivery log as text. */
import type { AdvisoryPreview, AdvisoryView, DeliveryRecord } from '../../intel/index.js';
import { escapeForDisplay as esc } from '../../mail/index.js';
import { iso } from '../_intel.js';

/** Deliveries listed under an alert: e-mail and webhook ones (inbox rows are delivered when written). */
const SHOWN_DELIVERIES = 50;

function renderDeliveries(log: readonly DeliveryRecord[]): string[] {
  const outbound = log.filter((d) => d.channel !== 'inbox');
  const lines = outbound
    .slice(0, SHOWN_DELIVERIES)
    .map(
      (d) =>
        `    #${d.id} v${d.version} ${d.event} ${d.channel} ${esc(d.target)}: ${d.status}, ${d.attempts} attempt(s)` +
        (d.waitingFor
          ? ` — ${esc(d.waitingFor)}`
          : d.status === 'failed'
            ? ` — ${esc(d.lastError ?? '')}`
            : ''),
    );
  if (outbound.length > SHOWN_DELIVERIES)
    lines.push(`    … and ${outbound.length - SHOWN_DELIVERIES} more (koban advisory deliveries ID)`);
  return lines.length > 0 ? ['  e-mail and webhook deliveries:', ...lines] : [];
}

function renderContent(c: AdvisoryPreview['content']): string[] {
  const lines = [`  TLP:${c.tlp}  "${esc(c.title)}"`];
  if (c.bodyJa) lines.push(...c.bodyJa.split('\n').map((l) => `  | ${esc(l)}`));
  if (c.bodyEn) lines.push(...c.bodyEn.split('\n').map((l) => `  | ${esc(l)}`));
  lines.push(`  indicators (${c.indicators.length}):`);
  for (const i of c.indicators)
    lines.push(
      `    ${i.type.padEnd(8)} ${esc(i.value)}  [${i.role}] ${i.reports} report(s), ${i.organisations} org(s)`,
    );
  lines.push(`  lures (${c.lures.length}):`);
  for (const l of c.lures) {
    lines.push(
      `    "${esc(l.subject ?? '-')}" from ${l.from.map(esc).join(', ') || '-'} (${l.reports} report(s))`,
    );
    for (const a of l.attachments) lines.push(`      ${esc(a.fileName ?? '-')} sha256 ${a.sha256 ?? '-'}`);
  }
  const named = c.reporters.named.map((n) => esc(n.name)).join(', ');
  lines.push(`  reported by ${c.reporters.organisations} organisation(s)${named ? `; named: ${named}` : ''}`);
  return lines;
}

export function renderPreview(p: AdvisoryPreview): string {
  const lines = [
    `alert ${p.alertId} (${p.status}, version ${p.version}): what recipients will see`,
    ...renderContent(p.content),
    `  label floor of the sources: TLP:${p.tlpFloor}${p.downgradeReason ? `; downgraded: ${esc(p.downgradeReason)}` : ''}`,
    p.sources.length === 0 && p.campaignId === null
      ? '  sources: none (written from scratch)'
      : `  sources: ${p.sources.map((s) => `report ${s.reportId} (${s.tlp})`).join(', ')}${p.campaignId ? `; campaign ${p.campaignId}` : ''}`,
    `  left out (${p.excluded.length}):`,
    ...p.excluded.map((e) => `    ${e.type.padEnd(8)} ${esc(e.value)}  ${esc(e.reason)}`),
    `  ${p.redactions} string(s) redacted; ${p.anonymisedReporters} reporting organisation(s) anonymised`,
  ];
  return `${lines.join('\n')}\n`;
}

export function renderView(v: AdvisoryView, log: readonly DeliveryRecord[] | null): string {
  const lines = [
    `alert ${v.id} (${v.status}, version ${v.version}, sent ${iso(v.sentMs) ?? '-'})${v.unread ? ' [unread]' : ''}`,
  ];
  if (v.withdrawn) lines.push(`  withdrawn ${iso(v.withdrawn.atMs)}: ${esc(v.withdrawn.reason)}`);
  lines.push(...renderContent(v.content));
  if (v.receivedToo) lines.push(`  your organisation answered "received too" at ${iso(v.receivedToo.atMs)}`);
  const a = v.analysis;
  if (a) {
    const c = a.counts;
    lines.push(
      `  recipients: ${a.recipients.organisations} organisation(s), ${a.recipients.users} user(s)`,
      `  received: ${c.organisations} organisation(s) (${c.reporters} reporter(s), ${c.receivedToo} answered "received too")`,
      `    by sector: ${
        Object.entries(c.bySector)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') || '-'
      }`,
      `    by prefecture: ${
        Object.entries(c.byPrefecture)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') || '-'
      }`,
      `  deliveries: ${
        Object.entries(a.deliveries)
          .map(
            ([ch, s]) =>
              `${ch} ${Object.entries(s)
                .map(([k, n]) => `${k} ${n}`)
                .join('/')}`,
          )
          .join(', ') || '-'
      }`,
    );
  }
  if (log) lines.push(...renderDeliveries(log));
  return `${lines.join('\n')}\n`;
}
