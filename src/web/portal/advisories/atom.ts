/**
 * The public advisories as an Atom feed (RFC 4287) at `/advisories.atom`: the newest sent
 * TLP:CLEAR alerts, read as the anonymous public through intel's access check, each entry with
 * its body in the negotiated language as text content. Ids are URNs of the alert's number, so they
 * stay the same whichever host name or proxy served the feed (RFC 4287 §4.2.6).
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { ANONYMOUS } from '../../../intel/index.js';
import { FEED_PATH } from '../layout.js';
import { type PortalContext, pageRequest } from '../page.js';
import { advisoryBody, PUBLIC_ADVISORIES } from './pages.js';

const iso = (ms: number) => new Date(ms).toISOString();

async function feed(c: Context, ctx: PortalContext) {
  const page = pageRequest(c, ctx);
  const origin = new URL(c.req.url).origin;
  const list = await ctx.intel.advisories.list(ANONYMOUS, { limit: PUBLIC_ADVISORIES });
  const entries = await Promise.all(list.map((a) => ctx.intel.advisories.get(ANONYMOUS, a.id)));
  const updated = entries.reduce((m, e) => Math.max(m, e.updatedMs), 0);
  const xml = html`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${page.lang}">
<title>${page.t.advisories.feedTitle}</title>
<id>urn:koban:advisories</id>
<updated>${iso(updated)}</updated>
<link rel="self" type="application/atom+xml" href="${origin}${page.href(FEED_PATH)}"/>
<link rel="alternate" type="text/html" href="${origin}${page.href('/advisories')}"/>
<author><name>${page.t.siteName}</name></author>
${entries.map((e) => {
  const body = advisoryBody(page, e);
  return html`<entry>
<title>${e.title}</title>
<id>urn:koban:advisory:${e.id}</id>
<published>${iso(e.sentMs ?? e.updatedMs)}</published>
<updated>${iso(e.updatedMs)}</updated>
<link rel="alternate" type="text/html" href="${origin}${page.href(`/advisories/${e.id}`)}"/>
<category term="TLP:${e.tlp}"/>
<content type="text">${e.withdrawn ? `${page.t.advisories.withdrawn(e.withdrawn.reason)}\n\n` : ''}${body.text ?? ''}</content>
</entry>`;
})}
</feed>`;
  c.header('Content-Type', 'application/atom+xml; charset=utf-8');
  return c.body(String(await xml));
}

export function mountAdvisoryFeed(app: Hono, ctx: PortalContext): void {
  app.get(FEED_PATH, (c) => feed(c, ctx));
}
