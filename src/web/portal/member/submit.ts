/**
 * Submitting a report: `/member/submit` (an .eml upload, or C2 destinations / an incident / malware
 * hashes), its preview — intel's view of exactly what would be shared and what stays private — with
 * the consent choice, then the stored report's page. Uploads are admitted by intel (rate, quota,
 * parser capacity) before they are read, and limited to the intake's largest e-mail.
 */
import type { Context, Hono } from 'hono';
import { isKobanError, KobanError } from '../../../core/index.js';
import { type SubmissionPreview, type Tlp, TlpSchema } from '../../../intel/index.js';
import { DEFAULT_EMAIL_LIMITS } from '../../../mail/index.js';
import { requireCsrf } from '../csrf.js';
import type { PortalContext } from '../page.js';
import { DROP_SCRIPT } from './drop-script.js';
import { PendingSubmissions } from './pending.js';
import { shell, signedInPage } from './shell.js';
import { chosenTlp, otherReportOf } from './submit-form.js';
import { DROP_SCRIPT_PATH, mebibytes, previewMain, SUBMIT_PATH, submitForms } from './submit-page.js';

/** Room for the multipart framing and the form's other fields around the file. */
const MULTIPART_OVERHEAD = 64 * 1024;
/** Refusals of the member's input shown on the form rather than as an error page. */
const INPUT_ERRORS = new Set(['E_USAGE', 'E_FORMAT', 'E_LIMIT']);

function formPage(c: Context, ctx: PortalContext, error: string | null, code: 200 | 400 | 413 = 200) {
  const page = signedInPage(c, ctx);
  const max = maxEmailBytes(ctx);
  return shell(c, ctx, page, {
    title: page.t.member.submit.title,
    main: submitForms(page, max, error),
    code,
  });
}

function maxEmailBytes(ctx: PortalContext): number {
  return ctx.options.maxEmailBytes ?? DEFAULT_EMAIL_LIMITS.maxRawBytes;
}

/** The member's input refused by intel: back to the form, saying why. */
function refused(c: Context, ctx: PortalContext, e: unknown) {
  if (!(isKobanError(e) && INPUT_ERRORS.has(e.code))) throw e;
  const page = signedInPage(c, ctx);
  const why =
    e.code === 'E_LIMIT' ? page.t.member.submit.tooLarge(mebibytes(page, maxEmailBytes(ctx))) : e.message;
  return formPage(c, ctx, page.t.member.submit.invalid(why), e.code === 'E_LIMIT' ? 413 : 400);
}

function previewPage(
  c: Context,
  ctx: PortalContext,
  preview: SubmissionPreview,
  pendingId: string,
  tlp: Tlp,
) {
  const page = signedInPage(c, ctx);
  const main = previewMain(page, preview, pendingId);
  return shell(c, ctx, page, { title: page.t.member.submit.previewTitle, main, tlp });
}

async function previewEmail(c: Context, ctx: PortalContext, pending: PendingSubmissions) {
  const page = signedInPage(c, ctx);
  const form = (await c.req.parseBody()) as Record<string, unknown>;
  const file = form.eml;
  if (!(file instanceof File) || file.size === 0) return formPage(c, ctx, page.t.member.submit.noFile, 400);
  const tlp = TlpSchema.parse(chosenTlp(form));
  try {
    if (file.size > maxEmailBytes(ctx)) throw new KobanError('E_LIMIT', `the message is ${file.size} bytes`);
    const raw = Buffer.from(await file.arrayBuffer());
    const preview = await ctx.intel.intake.previewEmail(page.actor, raw);
    const id = pending.put(userIdOf(page.actor.userId), { kind: 'email', raw, tlp });
    return previewPage(c, ctx, preview, id, tlp);
  } catch (e) {
    return refused(c, ctx, e);
  }
}

async function previewOther(c: Context, ctx: PortalContext, pending: PendingSubmissions) {
  const page = signedInPage(c, ctx);
  const form = (await c.req.parseBody()) as Record<string, unknown>;
  const input = otherReportOf(form);
  if (!input) return formPage(c, ctx, page.t.member.submit.invalid('kind'), 400);
  const tlp = TlpSchema.parse(chosenTlp(form));
  try {
    const preview = await ctx.intel.intake.previewReport(page.actor, input);
    const id = pending.put(userIdOf(page.actor.userId), { kind: 'report', input, tlp });
    return previewPage(c, ctx, preview, id, tlp);
  } catch (e) {
    return refused(c, ctx, e);
  }
}

function userIdOf(id: number | null): number {
  // The portal's areas admit users only (session.ts): a user always has an id.
  if (id === null) throw new KobanError('E_AUTH', 'sign in to submit a report');
  return id;
}

async function confirm(c: Context, ctx: PortalContext, pending: PendingSubmissions) {
  const page = signedInPage(c, ctx);
  const form = (await c.req.parseBody()) as Record<string, unknown>;
  const id = typeof form.pending === 'string' ? form.pending : '';
  const item = pending.take(userIdOf(page.actor.userId), id);
  if (!item) return formPage(c, ctx, page.t.member.submit.expired, 400);
  const sharing = { tlp: TlpSchema.parse(item.tlp), consent: form.consent === 'yes' };
  try {
    const r =
      item.kind === 'email'
        ? await ctx.intel.intake.submitEmail(page.actor, item.raw, sharing)
        : await ctx.intel.intake.submitReport(page.actor, item.input, sharing);
    return c.redirect(page.href(`/member/reports/${r.reportId}`, { stored: '1' }), 303);
  } catch (e) {
    return refused(c, ctx, e);
  }
}

export function mountSubmit(app: Hono, ctx: PortalContext): void {
  const pending = new PendingSubmissions(ctx.options.now ?? Date.now);
  const uploadLimit = maxEmailBytes(ctx) + MULTIPART_OVERHEAD;
  app.get(DROP_SCRIPT_PATH, (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'max-age=3600');
    return c.body(DROP_SCRIPT);
  });
  app.get(SUBMIT_PATH, (c) => formPage(c, ctx, null));
  // Admitted by intel (rate, quota, parser capacity) before the upload is read.
  app.post(
    `${SUBMIT_PATH}/email`,
    async (c, next) => {
      const declared = Number(c.req.header('Content-Length') ?? '0');
      await ctx.intel.intake.admit(c.get('actor'), {
        email: true,
        declaredBytes: Number.isFinite(declared) ? declared : 0,
      });
      await next();
    },
    requireCsrf(ctx.options, uploadLimit),
    (c) => previewEmail(c, ctx, pending),
  );
  app.post(`${SUBMIT_PATH}/form`, requireCsrf(ctx.options), (c) => previewOther(c, ctx, pending));
  app.post(`${SUBMIT_PATH}/confirm`, requireCsrf(ctx.options), (c) => confirm(c, ctx, pending));
}
