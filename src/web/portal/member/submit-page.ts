/**
 * The report pages' markup: the submission forms (an .eml upload; C2 destinations, an incident or
 * malware hashes) and the preview — what will be shared, what stays private (marked "not shared"),
 * the indicators intel would extract — with the consent choice and the "send" button.
 */
import { html, raw } from 'hono/html';
import type { SubmissionPreview } from '../../../intel/index.js';
import { csrfField } from '../csrf.js';
import type { PageRequest } from '../page.js';
import { jsonTree } from './views.js';

export const TLP_CHOICES = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export const SUBMIT_PATH = '/member/submit';
export const DROP_SCRIPT_PATH = '/assets/portal-drop.js';

export function mebibytes(page: PageRequest, bytes: number): string {
  return `${page.fmt.count(Math.floor(bytes / (1024 * 1024)))} MiB`;
}

function tlpSelect(page: PageRequest, id: string, chosen = 'AMBER') {
  return html`<p><label for="${id}">${page.t.member.submit.tlp}</label><br><select id="${id}" name="tlp">${TLP_CHOICES.map(
    (l) => html`<option value="${l}"${l === chosen ? raw(' selected') : ''}>TLP:${l}</option>`,
  )}</select></p>`;
}

export function submitForms(page: PageRequest, maxEmailBytes: number, error: string | null) {
  const t = page.t.member.submit;
  return html`<h1>${t.title}</h1><p>${t.intro}</p>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<section><h2>${t.emailHeading}</h2>
<form class="upload" method="post" action="${page.href(`${SUBMIT_PATH}/email`)}" enctype="multipart/form-data">
${csrfField(page.csrf)}
<p class="drop"><label for="eml-file">${t.emailFile}</label><br>
<input id="eml-file" name="eml" type="file" accept=".eml,message/rfc822" required aria-describedby="eml-hint">
<br><small id="eml-hint">${t.emailHint(mebibytes(page, maxEmailBytes))} <span class="drop-hint" hidden>${t.dropHint}</span></small></p>
${tlpSelect(page, 'eml-tlp')}
<p><button type="submit">${t.preview}</button></p>
</form></section>
<section><h2>${t.formHeading}</h2>
<form method="post" action="${page.href(`${SUBMIT_PATH}/form`)}">
${csrfField(page.csrf)}
<p><label for="other-kind">${t.kind}</label><br><select id="other-kind" name="kind">${(
    ['c2', 'incident', 'malware'] as const
  ).map((k) => html`<option value="${k}">${t.kinds[k]}</option>`)}</select></p>
<p><label for="other-title">${t.titleField}</label><br><input id="other-title" name="title" maxlength="500" size="60"></p>
<p><label for="other-values">${t.values}</label><br><textarea id="other-values" name="values" rows="5" cols="60"></textarea></p>
<p><label for="other-description">${t.description}</label><br><textarea id="other-description" name="description" rows="4" cols="60"></textarea></p>
${tlpSelect(page, 'other-tlp')}
<p><button type="submit">${t.preview}</button></p>
</form></section>
<script src="${DROP_SCRIPT_PATH}" defer></script>`;
}

export function previewMain(page: PageRequest, p: SubmissionPreview, pendingId: string) {
  const t = page.t.member.submit;
  return html`<h1>${t.previewTitle}</h1>
<h2 class="subject">${p.title}</h2>
<section class="shared" aria-labelledby="shared-h"><h3 id="shared-h">${t.shared}</h3><p class="notice">${t.sharedIntro}</p>
${jsonTree(p.shared)}
${
  p.indicators.length > 0
    ? html`<h3>${t.indicators}</h3><table><thead><tr><th scope="col">${page.t.advisories.indicatorType}</th><th scope="col">${page.t.advisories.indicatorValue}</th></tr></thead>
<tbody>${p.indicators.map((i) => html`<tr><td>${i.type} (${i.role})</td><td><code>${i.value}</code>${i.warning ? html` <small>${i.warning}</small>` : ''}</td></tr>`)}</tbody></table>`
    : ''
}</section>
<section class="private" aria-labelledby="private-h"><h3 id="private-h">${t.private} <span class="not-shared">${t.notShared}</span></h3>
<p class="notice">${t.privateIntro}</p>
${jsonTree(p.privatePart)}</section>
${p.warnings.length > 0 ? html`<h3>${t.warnings}</h3><ul>${p.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : ''}
<form method="post" action="${page.href(`${SUBMIT_PATH}/confirm`)}">
${csrfField(page.csrf)}<input type="hidden" name="pending" value="${pendingId}">
<p><input id="consent" name="consent" type="checkbox" value="yes" aria-describedby="consent-hint"> <label for="consent">${t.consent}</label>
<br><small id="consent-hint">${t.consentHint}</small></p>
<p><button type="submit">${t.confirm}</button></p>
</form>`;
}
