/**
 * `/console/`: the analyst console's landing page. Center staff land here after logging in; it
 * links to the console's pages, each a file of this folder registered in registry.ts.
 */
import type { Hono } from 'hono';
import { html } from 'hono/html';
import type { PortalContext } from '../page.js';
import { consolePage, frame } from './frame.js';
import { consoleEntries } from './menu.js';

export function mountConsoleHome(app: Hono, ctx: PortalContext): void {
  app.get('/console/', (c) => {
    const page = consolePage(c, ctx);
    const m = page.m;
    const entries = consoleEntries(page);
    const main = html`<h1>${m.home.title}</h1><p>${m.home.intro}</p>
<ul class="console-home">${entries.map(
      ([path, name, text]) =>
        html`<li><a href="${page.href(path)}">${name}</a>${text === null ? '' : html` — ${text}`}</li>`,
    )}</ul>`;
    return frame(c, ctx, page, { title: m.home.title, main });
  });
}
