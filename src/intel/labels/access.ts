/**
 * Access control, in one place: every read path (services, API, exports, portal, feeds) asks
 * `canRead` for one object or filters its query with `readableWhere`, and both encode the same
 * rules, which the test matrix checks against each other.
 *
 * TLP 2.0 (FIRST, Version 2.0, 2022), applied to a sharing center whose members report to it:
 * - CLEAR: "recipients can spread this to the world" → anyone, the anonymous public included.
 * - GREEN: "recipients can spread this within their community … not via publicly accessible
 *   channels" → every authenticated member of the network, never the public.
 * - AMBER: "limited disclosure … within their organization and its clients on a need-to-know
 *   basis" → the owning organisation, the center (the report's recipient), and organisations or
 *   users the owner named in the audience (the need-to-know clients).
 * - AMBER+STRICT: "restricts sharing to the organization only" → the owning organisation and the
 *   center staff; an audience is ignored.
 * - RED: "for the eyes and ears of individual recipients only, no further disclosure" → the
 *   reporting user and the users named in the audience. Nobody else: not the rest of the owner
 *   organisation, and not center admins either — there is no administrator override, since an
 *   override would make every RED report readable by whoever holds that role. A member who wants
 *   the center to act on a RED report names the analyst who handles it.
 * The system actor (CLI bootstrap run by the operator, background jobs) reads everything, and
 * every such read of AMBER or stricter data is audited like any other.
 *
 * Alerts to members (advisories/) are *addressed*: the center is their source and chooses the
 * recipients, so the audience is the distribution list rather than an extension of the label.
 * Beyond CLEAR, a member reads an alert only as a recipient (its organisation, or itself, named in
 * the audience): GREEN reaches the rest of the community through those recipients, as TLP 2.0 lets
 * them, not through the center's inbox; AMBER+STRICT, "the organization only", is read by the
 * recipient organisations the center named. A draft is the center's working copy: nobody else
 * reads it, CLEAR or not, until it is sent.
 *
 * The reporter's private part (recipients, reporter identity, internal hosts, signatures) is
 * separate: readable by the owning organisation and the center, and by other readers of the
 * report only with the reporter's consent — never by the anonymous public.
 */
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import { KobanError } from '../../core/index.js';
import { type Actor, isCenterRole, type Scope } from '../identity/actor.js';
import type { Tlp } from './tlp.js';

/** The kinds of labelled object; also the `object_type` of the audience table. */
export type LabelledType = 'report' | 'campaign' | 'alert';

export interface Labelled {
  readonly tlp: Tlp;
  /** The owning organisation; null means the center itself. */
  readonly ownerOrgId: number | null;
  readonly createdBy: number | null;
  readonly audienceOrgIds: readonly number[];
  readonly audienceUserIds: readonly number[];
  /** Set on alerts to members (see above): the audience is who receives it; a draft is the center's only. */
  readonly addressed?: { readonly draft: boolean };
}

export type ReadReason =
  | 'system'
  | 'public'
  | 'community'
  | 'owner-org'
  | 'center'
  | 'audience-org'
  | 'audience-user'
  | 'reporter'
  | 'denied';

/** Why an actor may (or may not) read an object: the rule that applied, for tests and audit. */
export function readReason(actor: Actor, o: Labelled): ReadReason {
  if (actor.kind === 'system') return 'system';
  const center = actor.kind === 'user' && isCenterRole(actor.role);
  if (o.addressed?.draft && !center) return 'denied';
  if (o.tlp === 'CLEAR') return 'public';
  if (actor.kind !== 'user') return 'denied';
  const ownOrg = actor.orgId !== null && (o.ownerOrgId === actor.orgId || (o.ownerOrgId === null && center));
  const named = actor.userId !== null && o.audienceUserIds.includes(actor.userId);
  const recipient: ReadReason =
    actor.orgId !== null && o.audienceOrgIds.includes(actor.orgId)
      ? 'audience-org'
      : named
        ? 'audience-user'
        : 'denied';
  switch (o.tlp) {
    case 'GREEN':
      return o.addressed && !center ? recipient : 'community';
    case 'AMBER':
      if (ownOrg) return 'owner-org';
      return center ? 'center' : recipient;
    case 'AMBER+STRICT':
      if (ownOrg) return 'owner-org';
      if (center) return 'center';
      return o.addressed ? recipient : 'denied';
    case 'RED':
      if (actor.userId !== null && o.createdBy === actor.userId) return 'reporter';
      return named ? 'audience-user' : 'denied';
  }
}

/**
 * Whether the actor's organisation, or the actor, is among an addressed object's recipients (who
 * may answer an alert, and whose inbox lists it) — a question apart from whether it may read it:
 * a CLEAR alert is readable by all, but addressed to some.
 */
export function isRecipient(actor: Actor, o: Labelled): boolean {
  if (actor.kind !== 'user') return false;
  return (
    (actor.orgId !== null && o.audienceOrgIds.includes(actor.orgId)) ||
    (actor.userId !== null && o.audienceUserIds.includes(actor.userId))
  );
}

/** Whether the actor may read the object, by its label alone (scopes are checked by `mayRead`). */
export function canRead(actor: Actor, o: Labelled): boolean {
  return readReason(actor, o) !== 'denied';
}

export function hasScope(actor: Actor, scope: Scope): boolean {
  return actor.scopes.has(scope);
}

export function requireScope(actor: Actor, scope: Scope): void {
  if (!hasScope(actor, scope)) {
    throw new KobanError('E_FORBIDDEN', `${actor.label} lacks the scope ${scope}`);
  }
}

/** Alerts are the center's analysis products, like campaigns, and are read under the same scope. */
const READ_SCOPE: Readonly<Record<LabelledType, Scope>> = {
  report: 'reports:read',
  campaign: 'campaigns:read',
  alert: 'campaigns:read',
};

/** Label and scope together: the single answer for one object. */
export function mayRead(actor: Actor, type: LabelledType, o: Labelled): boolean {
  return hasScope(actor, READ_SCOPE[type]) && canRead(actor, o);
}

/**
 * The same rules as a SQL condition over a table aliased `alias` with columns `tlp`, `org_id`,
 * `created_by` and `id` (alerts also `status`), so list queries never load a row the actor may not
 * read. Portable SQL (SQLite and PostgreSQL); values are bound as parameters.
 */
export function readableWhere(actor: Actor, type: LabelledType, alias: string): RawBuilder<SqlBool> {
  if (!hasScope(actor, READ_SCOPE[type])) return sql<SqlBool>`1 = 0`;
  if (actor.kind === 'system') return sql<SqlBool>`1 = 1`;
  const tlp = sql.ref(`${alias}.tlp`);
  const sent = type === 'alert' ? sql`${sql.ref(`${alias}.status`)} <> 'draft'` : sql`1 = 1`;
  if (actor.kind !== 'user' || actor.userId === null) return sql<SqlBool>`(${tlp} = 'CLEAR' and ${sent})`;
  const id = sql.ref(`${alias}.id`);
  const org = sql.ref(`${alias}.org_id`);
  const createdBy = sql.ref(`${alias}.created_by`);
  const uid = actor.userId;
  const namedUser = sql`exists (select 1 from audience aud where aud.object_type = ${type} and aud.object_id = ${id} and aud.user_id = ${uid})`;
  const red = sql`(${tlp} = 'RED' and (${createdBy} = ${uid} or ${namedUser}))`;
  if (isCenterRole(actor.role)) return sql<SqlBool>`(${tlp} <> 'RED' or ${red})`;
  const orgId = actor.orgId ?? -1;
  const namedOrgOrUser = sql`exists (select 1 from audience aud where aud.object_type = ${type} and aud.object_id = ${id} and (aud.org_id = ${orgId} or aud.user_id = ${uid}))`;
  if (type === 'alert') {
    return sql<SqlBool>`(${sent} and (${tlp} = 'CLEAR'
      or (${tlp} in ('AMBER', 'AMBER+STRICT') and ${org} = ${orgId})
      or (${tlp} in ('GREEN', 'AMBER', 'AMBER+STRICT') and ${namedOrgOrUser})
      or ${red}))`;
  }
  return sql<SqlBool>`(${tlp} in ('CLEAR', 'GREEN')
    or (${tlp} in ('AMBER', 'AMBER+STRICT') and ${org} = ${orgId})
    or (${tlp} = 'AMBER' and ${namedOrgOrUser})
    or ${red})`;
}

/**
 * The actor as a reader of report labels for another purpose: indicator reads are governed by the
 * `indicators:read` scope, but which values are readable follows the labels of the reports that
 * hold them. A token with `indicators:read` alone reads values, never the reports themselves.
 */
export function asLabelReader(actor: Actor, scope: Scope): Actor {
  if (!hasScope(actor, scope) || hasScope(actor, 'reports:read')) return actor;
  return { ...actor, scopes: new Set([...actor.scopes, 'reports:read']) };
}

/**
 * Whether the actor may read a report's private part: only if it may read the report, and then
 * as the owning organisation, the center, or — with the reporter's consent — any other member.
 */
export function canReadPrivate(actor: Actor, o: Labelled & { readonly consent: boolean }): boolean {
  return mayRead(actor, 'report', o) && privateOpenTo(actor, o.ownerOrgId, o.consent);
}

/**
 * The private-part rule alone, for a reader already known to be allowed the report (a row that
 * came through `readableWhere`). It also decides whether the reporting organisation is named.
 */
export function privateOpenTo(actor: Actor, ownerOrgId: number | null, consent: boolean): boolean {
  if (actor.kind === 'system') return true;
  if (actor.kind !== 'user') return false;
  if (isCenterRole(actor.role)) return true;
  if (ownerOrgId !== null && ownerOrgId === actor.orgId) return true;
  return consent;
}

/**
 * Consent and audience are the reporter's decisions: the reporting user or an admin of the
 * owning organisation may change them; the center may not decide for a member.
 */
export function canDecideForReport(actor: Actor, o: Labelled): boolean {
  if (actor.kind === 'system') return true;
  if (actor.kind !== 'user' || !hasScope(actor, 'reports:write')) return false;
  if (actor.userId !== null && o.createdBy === actor.userId) return true;
  return actor.role === 'org-admin' && o.ownerOrgId === actor.orgId;
}

/** Analysis (adding indicators to a report): the center, or the owning organisation, if it can read it. */
export function canAnalyse(actor: Actor, o: Labelled): boolean {
  if (!mayRead(actor, 'report', o)) return false;
  if (actor.kind === 'system') return true;
  if (isCenterRole(actor.role)) return hasScope(actor, 'indicators:write');
  return hasScope(actor, 'reports:write') && o.ownerOrgId !== null && o.ownerOrgId === actor.orgId;
}

export function isCenter(actor: Actor): boolean {
  return actor.kind === 'system' || (actor.kind === 'user' && isCenterRole(actor.role));
}

/** Center staff (or the system) with the given scope; everyone else gets E_FORBIDDEN. */
export function requireCenter(actor: Actor, scope: Scope): void {
  requireScope(actor, scope);
  if (!isCenter(actor)) throw new KobanError('E_FORBIDDEN', `${actor.label}: only center staff may do this`);
}
