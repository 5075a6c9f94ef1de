/**
 * A draft's audience as the console's forms and the draft page's URL carry it — sectors,
 * organisations named by name or number, all members, the public — its fields, and its parts as
 * the preview shows them one by one. Organisation names are looked up here (an unknown name is
 * said so on the page); the ids go to intel's audience model, which checks them again when the
 * advisory is sent (active, not the center) and resolves the recipients.
 */
import { html, raw } from 'hono/html';
import type { AdvisoryAudienceInput } from '../../../intel/index.js';
import type { Markup } from '../layout.js';
import type { PortalContext } from '../page.js';
import { ADVISORY_MESSAGES } from './advisory-messages.js';
import type { AudiencePart } from './advisory-preview.js';
import type { DeskPage } from './desk.js';

export interface AudienceFields {
  readonly sectors: readonly string[];
  /** Organisations as typed: a number is an id, anything else a name. */
  readonly orgs: readonly string[];
  readonly allMembers: boolean;
  readonly public: boolean;
}

const ID_RE = /^[1-9]\d{0,11}$/;
/** As many as a form may name; intel takes up to 20,000 ids, but a form is typed by hand. */
const MAX_ORGS = 200;

function list(s: string | undefined, sep: RegExp, max: number): string[] {
  const items = (s ?? '')
    .split(sep)
    .map((x) => x.trim())
    .filter((x) => x !== '')
    .slice(0, max);
  return [...new Set(items)];
}

export function audienceOf(get: (name: string) => string | undefined): AudienceFields {
  return {
    sectors: list(get('sectors'), /[,、\s]+/, 20),
    // Names may hold spaces ("Secure Watch KK"): only commas and line ends separate them.
    orgs: list(get('orgs'), /[,、\r\n]+/, MAX_ORGS).map((o) => o.slice(0, 200)),
    allMembers: get('allMembers') === '1',
    public: get('public') === '1',
  };
}

export function audienceParams(a: AudienceFields): Record<string, string> {
  return {
    ...(a.sectors.length ? { sectors: a.sectors.join(',') } : {}),
    ...(a.orgs.length ? { orgs: a.orgs.join(',') } : {}),
    ...(a.allMembers ? { allMembers: '1' } : {}),
    ...(a.public ? { public: '1' } : {}),
  };
}

/** The organisations' ids, and the names that match none. */
export async function resolveOrgs(
  ctx: PortalContext,
  orgs: readonly string[],
): Promise<{ ids: number[]; unknown: string[] }> {
  const ids: number[] = [];
  const unknown: string[] = [];
  for (const o of orgs) {
    if (ID_RE.test(o)) ids.push(Number(o));
    else {
      const found = await ctx.intel.orgs.byName(o);
      if (found) ids.push(found.id);
      else unknown.push(o);
    }
  }
  return { ids: [...new Set(ids)], unknown };
}

/** The audience for intel's `send`, or the first name that matches no organisation. */
export async function audienceInput(
  ctx: PortalContext,
  a: AudienceFields,
): Promise<{ audience: AdvisoryAudienceInput } | { unknown: string }> {
  const orgs = await resolveOrgs(ctx, a.orgs);
  if (orgs.unknown.length > 0) return { unknown: orgs.unknown[0]! };
  return {
    audience: { sectors: [...a.sectors], orgIds: orgs.ids, allMembers: a.allMembers, public: a.public },
  };
}

/** Each part of the audience on its own, for the preview's panels. */
export async function audienceParts(
  ctx: PortalContext,
  page: DeskPage,
  a: AudienceFields,
): Promise<AudiencePart[]> {
  const t = page.m.adv;
  const parts: AudiencePart[] = a.sectors.map((s) => ({
    label: (n: string) => t.previewSector(s, n),
    audience: { sectors: [s] },
  }));
  if (a.orgs.length > 0) {
    const orgs = await resolveOrgs(ctx, a.orgs);
    parts.push({
      label: t.previewOrgs,
      audience: { orgIds: orgs.ids },
      problem: orgs.unknown.length ? ADVISORY_MESSAGES[page.lang].orgUnknown(orgs.unknown.join(', ')) : null,
    });
  }
  if (a.allMembers) parts.push({ label: t.previewMembers, audience: { allMembers: true } });
  if (a.public) parts.push({ label: () => t.previewPublic, audience: { public: true } });
  return parts;
}

const checked = (on: boolean) => (on ? raw(' checked') : '');

export function audienceInputs(page: DeskPage, a: AudienceFields): Markup {
  const t = page.m.adv;
  const m = ADVISORY_MESSAGES[page.lang];
  return html`<fieldset><legend>${t.audience}</legend>
<p><label for="f-sectors">${t.sectors}</label><br><input id="f-sectors" name="sectors" size="40" maxlength="400" value="${a.sectors.join(',')}"></p>
<p><label for="f-orgs">${m.orgs}</label><br><textarea id="f-orgs" name="orgs" rows="3" cols="40" maxlength="8000">${a.orgs.join('\n')}</textarea></p>
<p><input type="checkbox" id="f-all" name="allMembers" value="1"${checked(a.allMembers)}> <label for="f-all">${t.allMembers}</label></p>
<p><input type="checkbox" id="f-public" name="public" value="1"${checked(a.public)}> <label for="f-public">${t.public}</label></p>
</fieldset>`;
}
