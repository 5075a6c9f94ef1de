/**
 * Notification settings (`/member/notifications`): how advisories reach the signed-in user by
 * e-mail — each one as it is sent, updated or withdrawn, one daily digest, or none (the inbox
 * only). Intel keeps the choice and decides what is delivered (intel/advisories/user-mail.ts);
 * this page only shows and changes the user's own.
 */
import type { Context, Hono } from 'hono';
import { html, raw } from 'hono/html';
import { ADVISORY_MAIL_MODES, type AdvisoryMail } from '../../../intel/index.js';
import { csrfField, requireCsrf } from '../csrf.js';
import type { PortalContext } from '../page.js';
import { NOTIFICATION_MESSAGES, NOTIFICATIONS_PATH } from './notification-messages.js';
import { shell, signedInPage } from './shell.js';

function isMode(s: unknown): s is AdvisoryMail {
  return typeof s === 'string' && (ADVISORY_MAIL_MODES as readonly string[]).includes(s);
}

async function settingsPage(
  c: Context,
  ctx: PortalContext,
  shown: { saved?: boolean; invalid?: boolean; code?: 200 | 400 } = {},
) {
  const page = signedInPage(c, ctx);
  const m = NOTIFICATION_MESSAGES[page.lang];
  const userId = page.actor.userId;
  if (userId === null) return c.redirect(page.href('/login'), 303);
  const s = await ctx.intel.advisories.userMail.get(page.actor, userId);
  const label = (mode: AdvisoryMail) =>
    mode === 'daily' ? m.modes.daily(page.fmt.dateTime(s.nextDigestMs)) : m.modes[mode];
  const main = html`<h1>${m.title}</h1><p>${m.intro(s.email)}</p>
${shown.saved ? html`<div class="done" role="status"><p>${m.saved}</p></div>` : ''}
${shown.invalid ? html`<p class="error" role="alert">${m.invalid}</p>` : ''}
${s.chosen ? '' : html`<p>${m.notChosen}</p>`}
<form method="post" action="${page.href(NOTIFICATIONS_PATH)}">${csrfField(page.csrf)}
<fieldset><legend>${m.legend}</legend>${ADVISORY_MAIL_MODES.map(
    (mode) =>
      html`<p><label><input type="radio" name="advisories" value="${mode}"${s.chosen && s.mode === mode ? raw(' checked') : ''} required> ${label(mode)}</label></p>`,
  )}</fieldset>
<p><button type="submit">${m.save}</button></p></form>`;
  return shell(c, ctx, page, { title: m.title, main, code: shown.code });
}

async function save(c: Context, ctx: PortalContext) {
  const page = signedInPage(c, ctx);
  const form = await c.req.parseBody();
  if (!isMode(form.advisories) || page.actor.userId === null)
    return settingsPage(c, ctx, { invalid: true, code: 400 });
  await ctx.intel.advisories.userMail.set(page.actor, page.actor.userId, form.advisories);
  return settingsPage(c, ctx, { saved: true });
}

export function mountNotifications(app: Hono, ctx: PortalContext): void {
  app.get(NOTIFICATIONS_PATH, (c) => settingsPage(c, ctx));
  app.post(NOTIFICATIONS_PATH, requireCsrf(ctx.options), (c) => save(c, ctx));
}
