/**
 * `/console/`: the analyst console's door. Center staff land here after logging in; the console's
 * pages (triage, campaigns, drafting advisories, operator alerts) are built on it later.
 */
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { shell, signedInPage } from '../member/shell.js';
import type { PortalContext } from '../page.js';
import { DESK_MESSAGES } from './desk-messages.js';

export function mountConsoleHome(app: Hono, ctx: PortalContext): void {
  app.get('/console/', (c) => {
    const page = signedInPage(c, ctx);
    const t = page.t.member.console;
    const desk = DESK_MESSAGES[page.lang].nav;
    const links = html`<ul class="console-links">
<li><a href="${page.href('/console/advisories')}">${desk.advisories}</a></li>
<li><a href="${page.href('/console/alerts')}">${desk.alerts}</a></li>
<li><a href="${page.href('/console/sensors')}">${desk.sensors}</a></li>
<li><a href="${page.href('/console/audit')}">${desk.audit}</a></li>
</ul>`;
    return shell(c, ctx, page, { title: t.title, main: html`<h1>${t.title}</h1><p>${t.coming}</p>${links}` });
  });
}
