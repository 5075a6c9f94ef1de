/**
 * The TLP banner on every page that shows labelled content (FIRST TLP 2.0: the label in capitals,
 * in its colour on a black background — assets.ts holds the colours). The public site shows CLEAR
 * only; the member portal passes stricter labels through the same banner.
 */
import { html } from 'hono/html';
import type { PageRequest } from './page.js';

export function tlpBanner(page: PageRequest, tlp: string) {
  const cls = `tlp tlp-${tlp.toLowerCase().split('+')[0]}`;
  return html`<p class="tlp-banner" role="note"><span class="${cls}">TLP:${tlp}</span>${
    tlp === 'CLEAR' ? html` ${page.t.tlpClear}` : ''
  }</p>`;
}
