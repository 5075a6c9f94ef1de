/**
 * Pieces the member pages share: a TLP label in its FIRST TLP 2.0 colours, and a report's parts
 * (the shareable view, the private part) drawn as nested lists — every value escaped by Hono's
 * `html` template, so hostile e-mail content stays text.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

export function tlpLabel(tlp: string) {
  return html`<span class="tlp tlp-${tlp.toLowerCase().split('+')[0]}">TLP:${tlp}</span>`;
}

/** Deeper than this, values are shown as JSON text (a parsed e-mail is a few levels deep). */
const MAX_DEPTH = 8;
/** Items shown per list (a message can have thousands of headers or links). */
const MAX_ITEMS = 200;

type Tree = HtmlEscapedString | Promise<HtmlEscapedString>;

/** Null, an empty list or an object of empty values: nothing is shared or kept, so nothing is drawn. */
function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v !== 'object') return false;
  const l = labelled(v as object);
  // An object whose every value is empty holds nothing either.
  return l ? isEmpty(l.value) : Object.values(v as object).every(isEmpty);
}

/**
 * A parsed e-mail labels each value `{ value, privacy }` (mail/eml: why a value is private, or
 * "shared"); drawn as the value, with the reason when it is not "shared".
 */
function labelled(v: object): { value: unknown; privacy: string } | null {
  const keys = Object.keys(v);
  if (keys.length !== 2 || !('value' in v) || !('privacy' in v)) return null;
  const { value, privacy } = v as { value: unknown; privacy: unknown };
  return typeof privacy === 'string' ? { value, privacy } : null;
}

function leaf(value: unknown): Tree | null {
  if (value === null || typeof value !== 'object') return html`<span class="v">${String(value)}</span>`;
  const l = labelled(value);
  if (!l || (l.value !== null && typeof l.value === 'object')) return null;
  return html`<span class="v">${String(l.value)}</span>${l.privacy === 'shared' ? '' : html` <small class="why">(${l.privacy})</small>`}`;
}

/**
 * A JSON value as nested lists: an object's plain values as term/description pairs on one line,
 * its nested values below them; arrays as ordered items; empty values are left out.
 */
export function jsonTree(value: unknown, depth = 0): Tree {
  const simple = leaf(value);
  if (simple) return simple;
  if (isEmpty(value)) return html`<span class="nil">–</span>`;
  if (depth >= MAX_DEPTH) return html`<code>${JSON.stringify(value)}</code>`;
  if (Array.isArray(value)) {
    const more = value.length - MAX_ITEMS;
    return html`<ol class="tree">${value.slice(0, MAX_ITEMS).map((v) => html`<li>${jsonTree(v, depth + 1)}</li>`)}${
      more > 0 ? html`<li>… (+${more})</li>` : ''
    }</ol>`;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => !isEmpty(v))
    .slice(0, MAX_ITEMS);
  if (entries.length === 0) return html`<span class="nil">–</span>`;
  // Plain values on one line first, then the nested ones below: a header or an observable stays short.
  const plain = entries.flatMap(([k, v]) => {
    const l = leaf(v);
    return l ? [{ k, l }] : [];
  });
  const nested = entries.filter(([, v]) => leaf(v) === null);
  return html`${
    plain.length > 0
      ? html`<dl class="tree flat">${plain.map(({ k, l }) => html`<div><dt>${k}</dt><dd>${l}</dd></div>`)}</dl>`
      : ''
  }${
    nested.length > 0
      ? html`<dl class="tree">${nested.map(([k, v]) => html`<dt>${k}</dt><dd>${jsonTree(v, depth + 1)}</dd>`)}</dl>`
      : ''
  }`;
}
