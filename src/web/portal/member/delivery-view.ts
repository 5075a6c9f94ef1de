/**
 * The markup of `/member/delivery`: the organisation's endpoints with their state, what each is
 * sent and its last delivery, a form per endpoint for what it is sent, and the form adding one.
 * Every form carries the page's CSRF token.
 */
import { html, raw } from 'hono/html';
import {
  ADVISORY_EVENTS,
  type AdvisoryEndpoint,
  type LastDelivery,
  TlpSchema,
} from '../../../intel/index.js';
import { csrfField } from '../csrf.js';
import { DELIVERY_MESSAGES, type DeliveryMessages } from './delivery-messages.js';
import type { SignedInPage } from './shell.js';

export const DELIVERY_PATH = '/member/delivery';

export type ListedEndpoint = AdvisoryEndpoint & { readonly lastDelivery: LastDelivery | null };

export function deliveryMessages(page: SignedInPage): DeliveryMessages {
  return DELIVERY_MESSAGES[page.lang];
}

function sends(m: DeliveryMessages, e: AdvisoryEndpoint): string {
  const p = e.preferences;
  return m.sendsSummary(
    p.tlps === null ? m.everything : p.tlps.join(', '),
    p.events === null ? m.everything : p.events.map((v) => m.events[v]).join(', '),
  );
}

function button(page: SignedInPage, e: AdvisoryEndpoint, action: 'pause' | 'enable' | 'remove' | 'test') {
  const m = deliveryMessages(page);
  return html`<form method="post" class="inline" action="${page.href(`${DELIVERY_PATH}/${e.id}/${action}`)}">${csrfField(page.csrf)}<button type="submit" aria-label="${m.actionNamed(m.action[action], e.target)}">${m.action[action]}</button></form>`;
}

function row(page: SignedInPage, e: ListedEndpoint) {
  const m = deliveryMessages(page);
  const last = e.lastDelivery;
  return html`<tr><td><code>${e.target}</code></td><td>${m.kinds[e.channel]}</td><td>${
    e.pausedMs === null ? m.active : m.paused(page.fmt.dateTime(e.pausedMs))
  }</td><td>${sends(m, e)}</td><td>${
    last === null
      ? m.never
      : html`${m.last(m.status[last.status], page.fmt.dateTime(last.atMs), last.alertId)}${
          last.error ? html`<br><small>${last.error}</small>` : ''
        }`
  }</td><td>${button(page, e, e.pausedMs === null ? 'pause' : 'enable')} ${button(page, e, 'test')} ${button(page, e, 'remove')}</td></tr>`;
}

function checkbox(name: string, value: string, label: string, checked: boolean) {
  return html`<label><input type="checkbox" name="${name}" value="${value}"${checked ? raw(' checked') : ''}> ${label}</label> `;
}

function preferencesForm(page: SignedInPage, e: AdvisoryEndpoint) {
  const m = deliveryMessages(page);
  const p = e.preferences;
  return html`<form method="post" action="${page.href(`${DELIVERY_PATH}/${e.id}/preferences`)}">${csrfField(page.csrf)}
<h3>${m.preferencesOf(e.target)}</h3>
<fieldset><legend>${m.tlpLegend}</legend>${TlpSchema.options.map((t) =>
    checkbox('tlp', t, m.tlp(t), p.tlps === null || p.tlps.includes(t)),
  )}</fieldset>
<fieldset><legend>${m.eventLegend}</legend>${ADVISORY_EVENTS.map((v) =>
    checkbox('event', v, m.events[v], p.events === null || p.events.includes(v)),
  )}</fieldset>
<p><button type="submit" aria-label="${m.actionNamed(m.save, e.target)}">${m.save}</button></p></form>`;
}

function addForm(page: SignedInPage) {
  const m = deliveryMessages(page);
  return html`<form method="post" action="${page.href(DELIVERY_PATH)}">${csrfField(page.csrf)}
<p><label for="endpoint-kind">${m.kind}</label><br><select id="endpoint-kind" name="kind"><option value="email">${m.kinds.email}</option><option value="webhook">${m.kinds.webhook}</option></select></p>
<p><label for="endpoint-target">${m.addTarget}</label><br><input id="endpoint-target" name="target" required maxlength="2000" size="50"></p>
<p><button type="submit">${m.add}</button></p></form>`;
}

export interface Shown {
  readonly done?: string;
  readonly error?: string;
  readonly secret?: string;
}

export function deliveryMain(page: SignedInPage, org: string, list: readonly ListedEndpoint[], shown: Shown) {
  const m = deliveryMessages(page);
  return html`<h1>${m.title}</h1><p>${m.intro(org)}</p><p>${m.noDigest}</p>
${shown.done ? html`<p class="done" role="status">${shown.done}</p>` : ''}
${shown.secret ? html`<div class="done" role="status"><p>${m.secretOnce}</p><p><code class="secret">${shown.secret}</code></p></div>` : ''}
${shown.error ? html`<p class="error" role="alert">${shown.error}</p>` : ''}
${
  list.length === 0
    ? html`<p>${m.none}</p>`
    : html`<table class="endpoints"><thead><tr><th scope="col">${m.target}</th><th scope="col">${m.kind}</th><th scope="col">${m.state}</th><th scope="col">${m.sends}</th><th scope="col">${m.lastDelivery}</th><th scope="col">${m.actions}</th></tr></thead>
<tbody>${list.map((e) => row(page, e))}</tbody></table>
${list.map((e) => preferencesForm(page, e))}`
}
<h2>${m.addHeading}</h2>
${addForm(page)}`;
}
