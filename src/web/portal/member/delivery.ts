/**
 * Advisory delivery (`/member/delivery`), for an organisation's admins: its delivery endpoints
 * (e-mail addresses and webhooks) with their state and last delivery, adding one (a webhook's
 * signing secret shown once; intel keeps it encrypted), pausing, enabling and removing one,
 * sending a test, and choosing what each is sent (TLP labels, events). Intel's endpoint service
 * decides who may (intel/advisories/endpoints.ts); a member without `orgs:admin` is refused (403)
 * and another organisation's endpoint is "not found" (404).
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { isKobanError, KobanError } from '../../../core/index.js';
import { ADVISORY_EVENTS, hasScope, TlpSchema } from '../../../intel/index.js';
import { requireCsrf } from '../csrf.js';
import type { PortalContext } from '../page.js';
import { DELIVERY_PATH, deliveryMain, deliveryMessages, type Shown } from './delivery-view.js';
import { idParam } from './inbox.js';
import { orgName, type SignedInPage, shell, signedInPage } from './shell.js';

type Admin = SignedInPage & { readonly orgId: number };

function adminPage(c: Context, ctx: PortalContext): Admin | null {
  const page = signedInPage(c, ctx);
  const orgId = page.actor.orgId;
  return orgId !== null && hasScope(page.actor, 'orgs:admin') ? Object.assign(page, { orgId }) : null;
}

function forbidden(c: Context, ctx: PortalContext) {
  const page = signedInPage(c, ctx);
  const m = deliveryMessages(page);
  return shell(c, ctx, page, {
    title: m.title,
    main: html`<h1>${m.title}</h1><p>${m.adminsOnly}</p>`,
    code: 403,
  });
}

function notFound(c: Context, ctx: PortalContext, page: SignedInPage) {
  const m = deliveryMessages(page);
  return shell(c, ctx, page, {
    title: m.notFound,
    main: html`<h1>${m.notFound}</h1><p><a href="${page.href(DELIVERY_PATH)}">${m.back}</a></p>`,
    code: 404,
  });
}

async function deliveryPage(c: Context, ctx: PortalContext, shown: Shown = {}) {
  const page = adminPage(c, ctx);
  if (page === null) return forbidden(c, ctx);
  const list = await ctx.intel.advisories.endpoints.listWithActivity(page.actor, page.orgId);
  // A webhook's secret is in this response only: no cache may keep it.
  if (shown.secret) c.header('Cache-Control', 'no-store');
  const m = deliveryMessages(page);
  const main = deliveryMain(page, await orgName(ctx, page.actor), list, shown);
  return shell(c, ctx, page, { title: m.title, main, code: shown.error ? 400 : 200 });
}

async function add(c: Context, ctx: PortalContext) {
  const page = adminPage(c, ctx);
  if (page === null) return forbidden(c, ctx);
  const form = (await c.req.parseBody()) as Record<string, unknown>;
  const target = typeof form.target === 'string' ? form.target.trim() : '';
  const m = deliveryMessages(page);
  try {
    if (form.kind === 'webhook') {
      const { endpoint, secret } = await ctx.intel.advisories.endpoints.addWebhook(page.actor, {
        orgId: page.orgId,
        url: target,
      });
      return deliveryPage(c, ctx, { done: m.added(endpoint.target), secret });
    }
    if (form.kind !== 'email') throw new KobanError('E_USAGE', 'choose e-mail or webhook');
    await ctx.intel.advisories.endpoints.addEmail(page.actor, { orgId: page.orgId, address: target });
    return deliveryPage(c, ctx, { done: m.added(target.toLowerCase()) });
  } catch (e) {
    // Intel's refusals of the input: a malformed address or URL, a target the outbound guard refuses.
    if (!(isKobanError(e) && e.code === 'E_USAGE')) throw e;
    return deliveryPage(c, ctx, { error: page.t.member.submit.invalid(e.message) });
  }
}

const ACTIONS = ['pause', 'enable', 'remove', 'test', 'preferences'] as const;
type EndpointAction = (typeof ACTIONS)[number];

/** Runs one action on one endpoint; returns what the page says after it. */
async function act(c: Context, ctx: PortalContext, page: Admin, id: number, action: EndpointAction) {
  const eps = ctx.intel.advisories.endpoints;
  const m = deliveryMessages(page);
  const e = await eps.get(page.actor, id);
  if (e.orgId !== page.orgId) throw new KobanError('E_NOT_FOUND', `no alert endpoint ${id}`);
  switch (action) {
    case 'pause':
    case 'enable':
      await eps.setPaused(page.actor, id, action === 'pause');
      return { done: m.done[action](e.target) };
    case 'remove':
      await eps.remove(page.actor, id);
      return { done: m.done.remove(e.target) };
    case 'test': {
      const r = await ctx.intel.advisories.testEndpoint(page.actor, id);
      return r.ok ? { done: m.testOk(e.target) } : { error: m.testFailed(e.target, r.error ?? '') };
    }
    case 'preferences': {
      const form = await c.req.parseBody({ all: true });
      const picked = (k: string) => ([] as unknown[]).concat(form[k] ?? []);
      const tlps = TlpSchema.options.filter((t) => picked('tlp').includes(t));
      const events = ADVISORY_EVENTS.filter((v) => picked('event').includes(v));
      await eps.setPreferences(page.actor, id, { tlps, events });
      return { done: m.saved(e.target) };
    }
  }
}

async function onEndpoint(c: Context, ctx: PortalContext, action: EndpointAction) {
  const page = adminPage(c, ctx);
  if (page === null) return forbidden(c, ctx);
  const id = idParam(c);
  let shown: Shown;
  try {
    if (id === null) throw new KobanError('E_NOT_FOUND', 'no such endpoint');
    shown = await act(c, ctx, page, id, action);
  } catch (e) {
    if (!isKobanError(e)) throw e;
    // Another organisation's endpoint (forbidden) is not told apart from one that does not exist.
    if (e.code === 'E_NOT_FOUND' || e.code === 'E_FORBIDDEN') return notFound(c, ctx, page);
    if (e.code !== 'E_USAGE') throw e;
    shown = { error: page.t.member.submit.invalid(e.message) };
  }
  return deliveryPage(c, ctx, shown);
}

export function mountDelivery(app: Hono, ctx: PortalContext): void {
  app.get(DELIVERY_PATH, (c) => deliveryPage(c, ctx));
  app.post(DELIVERY_PATH, requireCsrf(ctx.options), (c) => add(c, ctx));
  for (const action of ACTIONS) {
    app.post(`${DELIVERY_PATH}/:id/${action}`, requireCsrf(ctx.options), (c) => onEndpoint(c, ctx, action));
    // An action's answer is rendered at its own address: the language switch (or a reload after
    // "back") then asks for it with GET, which leads to the list rather than to a 405.
    app.get(`${DELIVERY_PATH}/:id/${action}`, (c) =>
      c.redirect(signedInPage(c, ctx).href(DELIVERY_PATH), 303),
    );
  }
}
