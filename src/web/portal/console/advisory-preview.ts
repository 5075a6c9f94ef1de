/**
 * A draft's preview, one panel per part of its audience: whom that part reaches (or why the send
 * would refuse it: the service's own checks, `reach`) and the advisory exactly as those
 * recipients will see it — the member inbox's rendering (advisories/pages.ts `advisoryContent`)
 * of the service's sanitisation preview, under the TLP banner, once for each portal language.
 * A recipient sees the version of their page's language (intel keeps one body per language, no
 * per-recipient language), so the panel shows both; when a body is missing in one language it
 * says what that language's readers get instead (the other body, with the note the inbox shows).
 */
import { html } from 'hono/html';
import type { AdvisoryAudienceInput, AdvisoryPreview, AdvisoryView } from '../../../intel/index.js';
import { advisoryContent } from '../advisories/pages.js';
import { CATALOGUES, Formatter, type Lang } from '../i18n/index.js';
import type { Markup } from '../layout.js';
import type { PageRequest, PortalContext } from '../page.js';
import { tlpBanner } from '../tlp.js';
import { ADVISORY_MESSAGES } from './advisory-messages.js';
import { type DeskPage, errorBox, fixable } from './desk.js';

const LANGS: readonly Lang[] = ['ja', 'en'];

/** The page as a reader of `lang` renders it: that language's catalogue and formats, same offset. */
function asReaderOf(page: PageRequest, lang: Lang): PageRequest {
  return {
    lang,
    t: CATALOGUES[lang],
    fmt: new Formatter(lang, page.fmt.utcOffsetMinutes),
    here: page.here,
    get csrf() {
      return page.csrf;
    },
    href: (path, params) => page.href(path, params),
  };
}

/** What a reader of `lang` gets instead of a body in their language, or null when it exists. */
export function fallbackNote(lang: Lang, content: AdvisoryPreview['content'], analyst: Lang): string | null {
  const t = ADVISORY_MESSAGES[analyst];
  if (content.bodyJa === null && content.bodyEn === null) return t.noBody;
  const own = lang === 'ja' ? content.bodyJa : content.bodyEn;
  return own === null ? t.fallback[lang] : null;
}

/** The advisory as one audience's recipients will see it: their inbox page's article, per language. */
function asRecipientsSee(page: DeskPage, p: AdvisoryPreview, nowMs: number, i: number): Markup {
  const t = ADVISORY_MESSAGES[page.lang];
  const view: AdvisoryView = {
    id: p.alertId,
    status: 'sent',
    version: p.version,
    tlp: p.content.tlp,
    title: p.content.title,
    content: p.content,
    sentMs: nowMs,
    updatedMs: nowMs,
    withdrawn: null,
    unread: true,
    receivedToo: null,
    analysis: null,
  };
  return html`<div class="preview-frame">${tlpBanner(page, view.tlp)}${LANGS.map((lang) => {
    const note = fallbackNote(lang, p.content, page.lang);
    return html`<section class="preview-lang" aria-labelledby="pv-${i}-${lang}"><h4 id="pv-${i}-${lang}">${t.readers[lang]}</h4>
${note ? html`<p class="notice fallback">${note}</p>` : ''}
<div lang="${lang}"><article><h5>${view.title}</h5>${advisoryContent(asReaderOf(page, lang), view)}</article></div></section>`;
  })}</div>`;
}

/** One labelled part of the audience, previewed on its own. */
export interface AudiencePart {
  readonly label: (orgs: string) => string;
  readonly audience: AdvisoryAudienceInput;
  /** Known before asking intel (a name that matches no organisation). */
  readonly problem?: string | null;
}

/** One panel per part of the audience: whom it reaches (or why not) and what they will see. */
export async function previews(
  ctx: PortalContext,
  page: DeskPage,
  id: number,
  p: AdvisoryPreview,
  parts: readonly AudiencePart[],
): Promise<Markup> {
  const t = page.m.adv;
  if (parts.length === 0) return html`<p>${t.noAudience}</p>`;
  const nowMs = (ctx.options.now ?? Date.now)();
  const panels: Markup[] = [];
  for (const [i, part] of parts.entries()) {
    let problem: string | null = part.problem ?? null;
    let orgs = 0;
    if (problem === null)
      try {
        const r = await ctx.intel.advisories.reach(page.actor, id, { audience: part.audience });
        problem = r.problem;
        orgs = r.recipients.orgIds.length;
      } catch (e) {
        problem = fixable(e);
        if (problem === null) throw e;
      }
    panels.push(html`<section class="preview" aria-labelledby="pv-${i}"><h3 id="pv-${i}">${part.label(page.fmt.count(orgs))}</h3>
${problem ? errorBox(t.refused(problem)) : asRecipientsSee(page, p, nowMs, i)}</section>`);
  }
  return html`<p>${t.previewIntro} ${ADVISORY_MESSAGES[page.lang].languagesIntro}</p>${panels}`;
}
