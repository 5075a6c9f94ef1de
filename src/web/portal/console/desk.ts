/**
 * What the console's advisory, alert, sensor and audit pages share: their catalogue for the page's
 * language, the console's menu, a paragraph-sized error box, and the one scope check of a page
 * whose service takes no actor (operator alerts, sensors, the audit chain).
 */
import type { Context } from 'hono';
import { html } from 'hono/html';
import { isKobanError, KobanError } from '../../../core/index.js';
import { hasScope, type Scope } from '../../../intel/index.js';
import type { Markup } from '../layout.js';
import { type ShellInput, type SignedInPage, shell, signedInPage } from '../member/shell.js';
import type { PortalContext } from '../page.js';
import { DESK_MESSAGES, type DeskMessages } from './desk-messages.js';
import { consoleMenu } from './menu.js';

export interface DeskPage extends SignedInPage {
  readonly m: DeskMessages;
}

export function deskPage(c: Context, ctx: PortalContext): DeskPage {
  const page = signedInPage(c, ctx);
  return Object.assign(page, { m: DESK_MESSAGES[page.lang] });
}

/**
 * Refuses (E_FORBIDDEN, 403) a signed-in staff member without the scope. The area's guard has
 * already let only center staff in; this is for pages whose service does not check an actor.
 */
export function requireScope(page: SignedInPage, scope: Scope): void {
  if (!hasScope(page.actor, scope)) throw new KobanError('E_FORBIDDEN', `this page needs the ${scope} scope`);
}

/** A console page: the signed-in shell with the console's menu above the content. */
export function deskShell(c: Context, ctx: PortalContext, page: DeskPage, input: ShellInput) {
  return shell(c, ctx, page, { ...input, main: html`${consoleMenu(page)}${input.main}` });
}

export function notFoundPage(c: Context, ctx: PortalContext, page: DeskPage, back: string) {
  return deskShell(c, ctx, page, {
    title: page.m.common.notFound,
    main: html`<h1>${page.m.common.notFound}</h1><p><a href="${page.href(back)}">${page.m.common.back}</a></p>`,
    code: 404,
  });
}

/** An error the analyst can act on, announced to screen readers. */
export function errorBox(text: string): Markup {
  return html`<p class="withdrawn" role="alert">${text}</p>`;
}

/** A form's text field, trimmed; absent or blank is undefined. */
export function formText(form: Record<string, unknown>, name: string): string | undefined {
  const v = form[name];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** A KobanError the analyst can fix in the form (bad input, refused label); null for anything else. */
export function fixable(e: unknown): string | null {
  return isKobanError(e) && ['E_USAGE', 'E_FORBIDDEN', 'E_NOT_FOUND', 'E_CONFLICT'].includes(e.code)
    ? e.message
    : null;
}
