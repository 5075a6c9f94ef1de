/**
 * Per-site policies (docs/anonymizer.md#site-policies): a website operator chooses what it does
 * with a visitor coming through an anonymizer — `restrict` (refuse posting), `allow-and-record`
 * (allow, and record the request's details as evidence) or `ignore-but-keep-logs` (the default:
 * nothing special beyond its ordinary logs). The check's answer carries the action to take:
 * the site's policy when the address is listed, `none` when it is not.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';

export const SITE_ACTIONS = ['restrict', 'allow-and-record', 'ignore-but-keep-logs'] as const;
export type SiteAction = (typeof SITE_ACTIONS)[number];
export const DEFAULT_SITE_ACTION: SiteAction = 'ignore-but-keep-logs';

export function isSiteAction(s: string): s is SiteAction {
  return (SITE_ACTIONS as readonly string[]).includes(s);
}

export async function readSitePolicy(db: Kysely<Database>, orgId: number): Promise<SiteAction> {
  const row = await db
    .selectFrom('anon_site_policies')
    .select('action')
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  return row !== undefined && isSiteAction(row.action) ? row.action : DEFAULT_SITE_ACTION;
}

export async function writeSitePolicy(
  db: Kysely<Database>,
  p: { readonly orgId: number; readonly action: SiteAction; readonly by: string; readonly atMs: number },
): Promise<void> {
  await db
    .insertInto('anon_site_policies')
    .values({ org_id: p.orgId, action: p.action, updated_ms: p.atMs, updated_by: p.by })
    .onConflict((oc) =>
      oc.column('org_id').doUpdateSet({ action: p.action, updated_ms: p.atMs, updated_by: p.by }),
    )
    .execute();
}
