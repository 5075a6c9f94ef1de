/**
 * The console's menu, one list for every console page (triage, indicators and campaigns in
 * frame.ts's pages; advisories, alerts, sensors, site evidence and the audit chain in desk.ts's).
 * Site evidence is listed only to a user who may read it (`evidence:read`); the page itself is
 * guarded by intel's site-evidence service, not by the menu.
 */
import { html } from 'hono/html';
import { hasScope } from '../../../intel/index.js';
import type { Markup } from '../layout.js';
import type { SignedInPage } from '../member/shell.js';
import { DESK_MESSAGES } from './desk-messages.js';
import { EVIDENCE_MESSAGES } from './evidence-messages.js';
import { CONSOLE_MESSAGES } from './messages.js';

/** The console's pages in menu order: path, name, and a line for the landing page when it has one. */
export function consoleEntries(page: SignedInPage): readonly [string, string, string | null][] {
  const m = CONSOLE_MESSAGES[page.lang];
  const d = DESK_MESSAGES[page.lang].nav;
  return [
    ['/console/triage', m.nav.triage, m.home.triage],
    ['/console/indicators', m.nav.indicators, m.home.indicators],
    ['/console/campaigns', m.nav.campaigns, m.home.campaigns],
    ['/console/advisories', d.advisories, null],
    ['/console/alerts', d.alerts, null],
    ['/console/sensors', d.sensors, null],
    ...(hasScope(page.actor, 'evidence:read')
      ? [['/console/evidence', EVIDENCE_MESSAGES[page.lang].nav, null] as [string, string, null]]
      : []),
    ['/console/audit', d.audit, null],
  ];
}

export function consoleMenu(page: SignedInPage): Markup {
  const m = CONSOLE_MESSAGES[page.lang];
  const entries: [string, string][] = [
    ['/console/', m.nav.home],
    ...consoleEntries(page).map(([p, n]) => [p, n] as [string, string]),
  ];
  return html`<nav class="member console" aria-label="${m.nav.label}"><ul>${entries.map(
    ([path, name]) => html`<li><a href="${page.href(path)}">${name}</a></li>`,
  )}</ul></nav>`;
}
