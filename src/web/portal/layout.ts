/**
 * The one page layout: skip link, header with the site's name, navigation and language switch (a
 * form, so it works without script), the SIMULATED banner when the data is simulated, the status
 * line, the page's content, the footer. The stylesheet is a file (assets.ts): the CSP allows no
 * inline style or script. Every value is escaped by Hono's `html` template.
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { PORTAL_CSS_PATH } from './assets.js';
import { csrfField } from './csrf.js';
import { LANGS } from './i18n/index.js';
import type { PageRequest } from './page.js';

export type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface LayoutInput {
  readonly title: string;
  readonly status: string;
  readonly simulated: boolean;
  readonly main: Markup;
  /** The page shows TLP-labelled content: its banner goes on top of the content. */
  readonly tlpBanner?: Markup;
  /** The signed-in user (member portal, console): named in the header beside a logout button. */
  readonly account?: { readonly name: string; readonly home: string };
}

export const LOGOUT_PATH = '/logout';

function accountBox(page: PageRequest, account: NonNullable<LayoutInput['account']>) {
  return html`<form class="account" method="post" action="${LOGOUT_PATH}">
${csrfField(page.csrf)}<span>${page.t.member.signedInAs} <a href="${page.href(account.home)}">${account.name}</a></span>
<button type="submit">${page.t.member.logout}</button>
</form>`;
}

export const LANGUAGE_PATH = '/language';
export const FEED_PATH = '/advisories.atom';

function languageSwitch(page: PageRequest) {
  const here = new URL(page.here, 'http://x');
  here.searchParams.delete('lang');
  return html`<form class="lang" method="post" action="${LANGUAGE_PATH}">
${csrfField(page.csrf)}<input type="hidden" name="back" value="${here.pathname + here.search}">
<label for="lang-select">${page.t.language.label}</label>
<select id="lang-select" name="lang">${LANGS.map(
    (l) =>
      html`<option value="${l}" lang="${l}"${l === page.lang ? raw(' selected') : ''}>${page.t.language.names[l]}</option>`,
  )}</select>
<button type="submit">${page.t.language.submit}</button>
</form>`;
}

export function layout(page: PageRequest, input: LayoutInput) {
  const t = page.t;
  return html`<!doctype html>
<html lang="${t.htmlLang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${input.title} — ${t.siteName}</title>
<link rel="stylesheet" href="${PORTAL_CSS_PATH}">
<link rel="alternate" type="application/atom+xml" href="${page.href(FEED_PATH)}" title="${t.advisories.feedTitle}">
</head><body>
<a class="skip" href="#main">${t.skipToContent}</a>
${input.simulated ? html`<p class="sim" role="note"><strong>SIMULATED</strong> ${t.simulated}</p>` : ''}
<header class="site">
<div class="brand"><a href="${page.href('/')}">${t.siteName}</a><span class="tagline">${t.tagline}</span></div>
<nav aria-label="${t.nav.label}"><ul>
<li><a href="${page.href('/')}">${t.nav.release}</a></li>
<li><a href="${page.href('/advisories')}">${t.nav.advisories}</a></li>
<li><a href="${page.href('/reports')}">${t.report.nav}</a></li>
<li><a href="${page.href(FEED_PATH)}">${t.nav.feed}</a></li>
<li><a href="/api/docs">${t.nav.api}</a></li>
<li>${input.account ? html`<a href="${page.href(input.account.home)}">${t.member.navHome}</a>` : html`<a href="${page.href('/login')}">${t.member.navLogin}</a>`}</li>
</ul></nav>
${languageSwitch(page)}
${input.account ? accountBox(page, input.account) : ''}
</header>
<p class="status">${input.status}</p>
<main id="main">
${input.tlpBanner ?? ''}
${input.main}
</main>
<footer class="site"><p>${t.footer}</p></footer>
</body></html>`;
}
