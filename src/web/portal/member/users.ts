/**
 * The organisation's users (`/member/users`), for its org admins: the list, adding a member or
 * another admin (with an initial password, or none: API tokens only), disabling and enabling.
 * Intel's user service decides who may (intel/identity/users.ts: an org admin for its own
 * organisation, never a center role); a member without `orgs:admin` is refused (403), and a user of
 * another organisation is "not found".
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { isKobanError, KobanError } from '../../../core/index.js';
import { hasScope, type User } from '../../../intel/index.js';
import { csrfField, requireCsrf } from '../csrf.js';
import type { PortalContext } from '../page.js';
import { idParam } from './inbox.js';
import { orgName, type SignedInPage, shell, signedInPage } from './shell.js';

export const USERS_PATH = '/member/users';
const ADDABLE_ROLES = ['org-member', 'org-admin'] as const;

function forbidden(c: Context, ctx: PortalContext, page: SignedInPage) {
  const t = page.t.member.users;
  return shell(c, ctx, page, {
    title: t.title,
    main: html`<h1>${t.title}</h1><p>${t.adminsOnly}</p>`,
    code: 403,
  });
}

function userRows(page: SignedInPage, users: readonly User[]) {
  const t = page.t.member.users;
  return html`<table class="users"><thead><tr><th scope="col">${t.email}</th><th scope="col">${t.role}</th><th scope="col">${t.created}</th><th scope="col">${t.state}</th></tr></thead>
<tbody>${users.map((u) => {
    const action = u.disabledMs === null ? 'disable' : 'enable';
    const button =
      u.id === page.actor.userId
        ? t.you
        : html`<form method="post" action="${page.href(`${USERS_PATH}/${u.id}/${action}`)}">${csrfField(page.csrf)}<button type="submit" aria-label="${t.actionNamed(action, u.email)}">${t[action]}</button></form>`;
    return html`<tr><td>${u.email}</td><td>${u.role}</td><td>${page.fmt.dateTime(u.createdMs)}</td><td>${
      u.disabledMs === null ? t.active : t.disabled(page.fmt.dateTime(u.disabledMs))
    } ${button}</td></tr>`;
  })}</tbody></table>`;
}

function addForm(page: SignedInPage) {
  const t = page.t.member.users;
  return html`<form method="post" action="${page.href(USERS_PATH)}">${csrfField(page.csrf)}
<p><label for="user-email">${t.email}</label><br><input id="user-email" name="email" type="email" required maxlength="254" size="40"></p>
<p><label for="user-role">${t.role}</label><br><select id="user-role" name="role">${ADDABLE_ROLES.map(
    (r) => html`<option value="${r}">${t.roles[r]}</option>`,
  )}</select></p>
<p><label for="user-password">${t.password}</label><br><input id="user-password" name="password" type="password" autocomplete="new-password" minlength="12" maxlength="1024" aria-describedby="user-password-hint">
<br><small id="user-password-hint">${t.passwordHint}</small></p>
<p><button type="submit">${t.add}</button></p></form>`;
}

async function usersPage(c: Context, ctx: PortalContext, shown: { done?: string; error?: string } = {}) {
  const page = signedInPage(c, ctx);
  const t = page.t.member.users;
  if (page.actor.orgId === null || !hasScope(page.actor, 'orgs:admin')) return forbidden(c, ctx, page);
  const users = await ctx.intel.users.list(page.actor, page.actor.orgId);
  const main = html`<h1>${t.title}</h1><p>${t.intro(await orgName(ctx, page.actor))}</p>
${shown.done ? html`<p class="done" role="status">${shown.done}</p>` : ''}
${shown.error ? html`<p class="error" role="alert">${shown.error}</p>` : ''}
${userRows(page, users)}
<h2>${t.addHeading}</h2>
${addForm(page)}`;
  return shell(c, ctx, page, { title: t.title, main, code: shown.error ? 400 : 200 });
}

async function add(c: Context, ctx: PortalContext) {
  const page = signedInPage(c, ctx);
  if (page.actor.orgId === null || !hasScope(page.actor, 'orgs:admin')) return forbidden(c, ctx, page);
  const form = (await c.req.parseBody()) as Record<string, unknown>;
  const text = (k: string) => (typeof form[k] === 'string' ? (form[k] as string) : '');
  const role = ADDABLE_ROLES.find((r) => r === text('role'));
  const password = text('password');
  try {
    if (!role) throw new KobanError('E_USAGE', 'choose a role');
    const u = await ctx.intel.users.add(page.actor, {
      email: text('email'),
      orgId: page.actor.orgId,
      role,
      ...(password === '' ? {} : { password }),
    });
    return usersPage(c, ctx, { done: page.t.member.users.added(u.email) });
  } catch (e) {
    // Intel's refusals of the input (a malformed address, a short password, an address in use).
    if (!(isKobanError(e) && (e.code === 'E_USAGE' || e.code === 'E_CONFLICT'))) throw e;
    return usersPage(c, ctx, { error: page.t.member.submit.invalid(e.message) });
  }
}

async function setDisabled(c: Context, ctx: PortalContext, disable: boolean) {
  const page = signedInPage(c, ctx);
  const id = idParam(c);
  try {
    if (id === null) throw new KobanError('E_NOT_FOUND', 'no such user');
    await (disable ? ctx.intel.users.disable(page.actor, id) : ctx.intel.users.enable(page.actor, id));
  } catch (e) {
    // Another organisation's user (forbidden) is not told apart from one that does not exist.
    if (!(isKobanError(e) && (e.code === 'E_NOT_FOUND' || e.code === 'E_FORBIDDEN'))) throw e;
    const t = page.t.member.users;
    return shell(c, ctx, page, {
      title: t.notFound,
      main: html`<h1>${t.notFound}</h1><p><a href="${page.href(USERS_PATH)}">${t.back}</a></p>`,
      code: 404,
    });
  }
  return c.redirect(page.href(USERS_PATH), 303);
}

export function mountUsers(app: Hono, ctx: PortalContext): void {
  app.get(USERS_PATH, (c) => usersPage(c, ctx));
  app.post(USERS_PATH, requireCsrf(ctx.options), (c) => add(c, ctx));
  app.post(`${USERS_PATH}/:id/disable`, requireCsrf(ctx.options), (c) => setDisabled(c, ctx, true));
  app.post(`${USERS_PATH}/:id/enable`, requireCsrf(ctx.options), (c) => setDisabled(c, ctx, false));
}
