/**
 * API tokens (`/member/tokens`): a member's own tokens — create (the secret shown once, never
 * kept), revoke — and, for an org admin, its members' tokens too (revoke). Intel's credential
 * rules decide who may (intel/identity/credentials.ts): one's own tokens; an org admin lists and
 * revokes those of its organisation's members but issues none for them. A token this user may not
 * manage is "not found".
 */
import type { Context, Hono } from 'hono';
import { html, raw } from 'hono/html';
import { DAY_MS, isKobanError, KobanError } from '../../../core/index.js';
import {
  type Actor,
  type ApiTokenInfo,
  hasScope,
  ROLE_SCOPES,
  SCOPES,
  type Scope,
  type User,
} from '../../../intel/index.js';
import { csrfField, requireCsrf } from '../csrf.js';
import type { PortalContext } from '../page.js';
import { idParam } from './inbox.js';
import { type SignedInPage, shell, signedInPage } from './shell.js';

export const TOKENS_PATH = '/member/tokens';
/** Lifetimes offered, in days (intel's default is 90). */
const LIFETIMES = [30, 90, 365] as const;

function isScope(s: unknown): s is Scope {
  return typeof s === 'string' && (SCOPES as readonly string[]).includes(s);
}

interface Holder {
  readonly user: User;
  readonly tokens: readonly ApiTokenInfo[];
}

/** The users whose tokens this member manages: their organisation's for an org admin, else themself. */
async function holders(ctx: PortalContext, actor: Actor): Promise<Holder[]> {
  const me = actor.userId === null ? null : await ctx.intel.users.get(actor.userId);
  if (!me) throw new KobanError('E_AUTH', 'sign in to manage API tokens');
  const users =
    actor.orgId !== null && hasScope(actor, 'orgs:admin')
      ? await ctx.intel.users.list(actor, actor.orgId)
      : [me];
  // The signed-in user first, then the others by e-mail (users.list's order).
  const ordered = [me, ...users.filter((u) => u.id !== me.id)];
  return Promise.all(
    ordered.map(async (user) => ({ user, tokens: await ctx.intel.auth.listTokens(actor, user.id) })),
  );
}

function tokenRows(page: SignedInPage, tokens: readonly ApiTokenInfo[]) {
  const t = page.t.member.tokens;
  const now = page.fmt;
  return html`<table class="tokens"><thead><tr><th scope="col">${t.name}</th><th scope="col">${t.scopes}</th><th scope="col">${t.created}</th><th scope="col">${t.expires}</th><th scope="col">${t.lastUsed}</th><th scope="col">${t.state}</th></tr></thead>
<tbody>${tokens.map(
    (k) =>
      html`<tr><td>${k.name}</td><td>${k.scopes.join(' ')}</td><td>${now.dateTime(k.createdMs)}</td><td>${k.expiresMs === null ? '–' : now.dateTime(k.expiresMs)}</td><td>${k.lastUsedMs === null ? '–' : now.dateTime(k.lastUsedMs)}</td><td>${
        k.revokedMs !== null
          ? t.revoked(now.dateTime(k.revokedMs))
          : html`<form method="post" action="${page.href(`${TOKENS_PATH}/${k.id}/revoke`)}">${csrfField(page.csrf)}<button type="submit" aria-label="${t.revokeNamed(k.name)}">${t.revoke}</button></form>`
      }</td></tr>`,
  )}</tbody></table>`;
}

function createForm(page: SignedInPage) {
  const t = page.t.member.tokens;
  const scopes: readonly Scope[] = page.actor.role === null ? [] : ROLE_SCOPES[page.actor.role];
  return html`<form method="post" action="${page.href(TOKENS_PATH)}">${csrfField(page.csrf)}
<p><label for="token-name">${t.name}</label><br><input id="token-name" name="name" required maxlength="100" size="40"></p>
<fieldset><legend>${t.scopes}</legend>${scopes.map(
    (s) =>
      html`<label><input type="checkbox" name="scope" value="${s}"${s === 'orgs:admin' ? '' : raw(' checked')}> ${s}</label> `,
  )}</fieldset>
<p><label for="token-days">${t.lifetime}</label><br><select id="token-days" name="days">${LIFETIMES.map(
    (d) => html`<option value="${d}"${d === 90 ? raw(' selected') : ''}>${t.days(d)}</option>`,
  )}</select></p>
<p><button type="submit">${t.create}</button></p></form>`;
}

async function tokensPage(
  c: Context,
  ctx: PortalContext,
  shown: { secret?: string; error?: string; code?: 200 | 400 } = {},
) {
  const page = signedInPage(c, ctx);
  const t = page.t.member.tokens;
  const list = await holders(ctx, page.actor);
  const [mine, ...others] = list;
  // The secret is in this response only: no cache may keep it.
  if (shown.secret) c.header('Cache-Control', 'no-store');
  const main = html`<h1>${t.title}</h1><p>${t.intro}</p>
${shown.secret ? html`<div class="done" role="status"><p>${t.createdOnce}</p><p><code class="secret">${shown.secret}</code></p></div>` : ''}
${shown.error ? html`<p class="error" role="alert">${shown.error}</p>` : ''}
<h2>${t.mine}</h2>
${mine && mine.tokens.length > 0 ? tokenRows(page, mine.tokens) : html`<p>${t.none}</p>`}
<h2>${t.createHeading}</h2>
${createForm(page)}
${others.map(
  (h) =>
    html`<h2>${t.of(h.user.email)}</h2>${h.tokens.length > 0 ? tokenRows(page, h.tokens) : html`<p>${t.none}</p>`}`,
)}`;
  return shell(c, ctx, page, { title: t.title, main, code: shown.code });
}

async function create(c: Context, ctx: PortalContext) {
  const page = signedInPage(c, ctx);
  const form = await c.req.parseBody({ all: true });
  const name = typeof form.name === 'string' ? form.name : '';
  const scopes = ([] as unknown[]).concat(form.scope ?? []).filter(isScope);
  const days = Number(form.days);
  if (!(LIFETIMES as readonly number[]).includes(days) || page.actor.userId === null)
    return tokensPage(c, ctx, { error: page.t.member.submit.invalid('days'), code: 400 });
  try {
    const { token } = await ctx.intel.auth.createToken(page.actor, {
      userId: page.actor.userId,
      name,
      scopes,
      expiresMs: (ctx.options.now ?? Date.now)() + days * DAY_MS,
    });
    return tokensPage(c, ctx, { secret: token });
  } catch (e) {
    // Intel refuses a missing name, no scope or one beyond the role: said on the form.
    if (!(isKobanError(e) && (e.code === 'E_USAGE' || e.code === 'E_FORBIDDEN'))) throw e;
    return tokensPage(c, ctx, { error: page.t.member.submit.invalid(e.message), code: 400 });
  }
}

async function revoke(c: Context, ctx: PortalContext) {
  const page = signedInPage(c, ctx);
  const id = idParam(c);
  try {
    if (id === null) throw new KobanError('E_NOT_FOUND', 'no such API token');
    await ctx.intel.auth.revokeToken(page.actor, id);
  } catch (e) {
    // Another organisation's token (forbidden) is not told apart from one that does not exist.
    if (!(isKobanError(e) && (e.code === 'E_NOT_FOUND' || e.code === 'E_FORBIDDEN'))) throw e;
    const t = page.t.member.tokens;
    return shell(c, ctx, page, {
      title: t.notFound,
      main: html`<h1>${t.notFound}</h1><p><a href="${page.href(TOKENS_PATH)}">${t.back}</a></p>`,
      code: 404,
    });
  }
  return c.redirect(page.href(TOKENS_PATH), 303);
}

export function mountTokens(app: Hono, ctx: PortalContext): void {
  app.get(TOKENS_PATH, (c) => tokensPage(c, ctx));
  app.post(TOKENS_PATH, requireCsrf(ctx.options), (c) => create(c, ctx));
  app.post(`${TOKENS_PATH}/:id/revoke`, requireCsrf(ctx.options), (c) => revoke(c, ctx));
}
