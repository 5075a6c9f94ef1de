/**
 * The frame of every signed-in page: the layout with the user named in the header (and a logout
 * button), the member menu, the status line and, when the page shows labelled content, its TLP
 * banner.
 */
import type { Context } from 'hono';
import { html } from 'hono/html';
import { type Actor, hasScope, type Tlp } from '../../../intel/index.js';
import { layout, type Markup } from '../layout.js';
import { type PageRequest, type PortalContext, pageRequest } from '../page.js';
import { fleetStatus, statusText } from '../status.js';
import { tlpBanner } from '../tlp.js';
import { DELIVERY_MESSAGES } from './delivery-messages.js';
import { NOTIFICATION_MESSAGES, NOTIFICATIONS_PATH } from './notification-messages.js';
import { homeOf } from './session.js';

export interface SignedInPage extends PageRequest {
  readonly actor: Actor;
}

export function signedInPage(c: Context, ctx: PortalContext): SignedInPage {
  return Object.assign(pageRequest(c, ctx), { actor: c.get('actor') });
}

export interface ShellInput {
  readonly title: string;
  readonly main: Markup;
  /** The label of the content shown, for the TLP banner. */
  readonly tlp?: Tlp;
  readonly code?: 200 | 400 | 403 | 404 | 409 | 413 | 429;
}

function memberNav(page: SignedInPage) {
  const t = page.t.member.nav;
  return html`<nav class="member" aria-label="${t.label}"><ul>
<li><a href="${page.href('/member/')}">${t.inbox}</a></li>
<li><a href="${page.href('/member/submit')}">${t.submit}</a></li>
<li><a href="${page.href('/member/reports')}">${t.reports}</a></li>
<li><a href="${page.href('/member/tokens')}">${t.tokens}</a></li>
<li><a href="${page.href(NOTIFICATIONS_PATH)}">${NOTIFICATION_MESSAGES[page.lang].nav}</a></li>
${
  hasScope(page.actor, 'orgs:admin')
    ? html`<li><a href="${page.href('/member/users')}">${t.users}</a></li>
<li><a href="${page.href('/member/delivery')}">${DELIVERY_MESSAGES[page.lang].nav}</a></li>`
    : ''
}
</ul></nav>`;
}

export async function shell(c: Context, ctx: PortalContext, page: SignedInPage, input: ShellInput) {
  const now = (ctx.options.now ?? Date.now)();
  const user = page.actor.userId === null ? null : await ctx.intel.users.get(page.actor.userId);
  const home = homeOf(page.actor);
  return c.html(
    layout(page, {
      title: input.title,
      status: statusText(await fleetStatus(ctx, now), page),
      simulated: ctx.simulated,
      main: html`${home === '/member/' ? memberNav(page) : ''}${input.main}`,
      tlpBanner: input.tlp ? tlpBanner(page, input.tlp) : undefined,
      account: { name: user?.email ?? page.actor.label, home },
    }),
    input.code ?? 200,
  );
}

/** The signed-in member's organisation name (for headings). */
export async function orgName(ctx: PortalContext, actor: Actor): Promise<string> {
  const org = actor.orgId === null ? null : await ctx.intel.orgs.get(actor.orgId);
  return org?.name ?? '';
}
