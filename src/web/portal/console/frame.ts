/**
 * What the console's pages share: the signed-in page with the console's messages, its menu, the
 * frame (the signed-in shell with the menu on top), form fields read safely, and the answer to an
 * action intel refused (a usage error, a conflict, a label rule): a page saying why, with the
 * status the API would give, instead of the API's JSON.
 */
import type { Context } from 'hono';
import { html } from 'hono/html';
import { isKobanError, KobanError } from '../../../core/index.js';
import { type Tlp, TlpSchema } from '../../../intel/index.js';
import type { Markup } from '../layout.js';
import { ID_RE } from '../member/inbox.js';
import { type ShellInput, type SignedInPage, shell, signedInPage } from '../member/shell.js';
import type { PortalContext } from '../page.js';
import { consoleMenu } from './menu.js';
import { CONSOLE_MESSAGES, type ConsoleMessages } from './messages.js';

export interface ConsolePage extends SignedInPage {
  readonly m: ConsoleMessages;
}

export function consolePage(c: Context, ctx: PortalContext): ConsolePage {
  const page = signedInPage(c, ctx);
  return Object.assign(page, { m: CONSOLE_MESSAGES[page.lang] });
}

export function frame(c: Context, ctx: PortalContext, page: ConsolePage, input: ShellInput) {
  return shell(c, ctx, page, { ...input, main: html`${consoleMenu(page)}${input.main}` });
}

/** The strictest of the labels shown (the page's banner), or undefined when none is shown. */
export function strictest(labels: readonly Tlp[]): Tlp | undefined {
  const order = TlpSchema.options;
  return labels.reduce<Tlp | undefined>(
    (a, b) => (a === undefined || order.indexOf(b) > order.indexOf(a) ? b : a),
    undefined,
  );
}

export type Form = Record<string, string | File | (string | File)[]>;

export async function readForm(c: Context): Promise<Form> {
  return (await c.req.parseBody({ all: true })) as Form;
}

/** A text field (the first, if repeated), trimmed; undefined when absent or blank. */
export function formText(form: Form, name: string): string | undefined {
  const v = [form[name]].flat()[0];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** A field holding ids (a select, or checkboxes repeated); E_USAGE on anything else. */
export function formIds(form: Form, name: string): number[] {
  return [form[name] ?? []].flat().map((v) => {
    if (typeof v !== 'string' || !ID_RE.test(v)) throw new KobanError('E_USAGE', `${name}: not a number`);
    return Number(v);
  });
}

const REFUSALS = { E_USAGE: 400, E_CONFLICT: 409, E_NOT_FOUND: 404, E_FORBIDDEN: 403 } as const;

/**
 * Runs a form's action; a refusal intel gives for the input (not a fault of the center) becomes a
 * page saying why, answered with the API's status for that code.
 */
export async function act(
  c: Context,
  ctx: PortalContext,
  back: string,
  action: (page: ConsolePage) => Promise<Response>,
): Promise<Response> {
  const page = consolePage(c, ctx);
  try {
    return await action(page);
  } catch (e) {
    if (!isKobanError(e) || !(e.code in REFUSALS)) throw e;
    const code = REFUSALS[e.code as keyof typeof REFUSALS];
    const main: Markup = html`<h1>${page.m.error.title}</h1><p class="error" role="alert">${e.message}</p>
<p><a href="${page.href(back)}">${page.m.error.back}</a></p>`;
    return frame(c, ctx, page, { title: page.m.error.title, main, code });
  }
}

/** Post/redirect/get, with a note for the page to show (`done=`). */
export function redirectDone(c: Context, page: ConsolePage, path: string, done: string): Response {
  return c.redirect(page.href(path, { done }), 303);
}
