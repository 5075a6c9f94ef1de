/**
 * What every `koban advisory` subcommand shares: the acting user (`--as`), ids, audiences, the
 * delivery run after a change, and the common options.
 */
import type { Command } from 'commander';
import { KobanError } from '../../core/index.js';
import {
  type Actor,
  type AdvisoryAudienceInput,
  type DeliveryRun,
  type IntelService,
  NO_SMTP_CONFIGURED,
  userActor,
} from '../../intel/index.js';
import { type DataFlags, operator } from '../_intel.js';
import { dbOption } from '../_options.js';

export interface AsFlags extends DataFlags {
  as?: string;
}

/** The user as an actor, checked to belong to the organisation when one is named. */
export async function userAs(intel: IntelService, email: string, orgName?: string): Promise<Actor> {
  const u = await intel.users.requireByEmail(email);
  if (orgName !== undefined && u.orgId !== (await intel.orgs.requireByName(orgName)).id)
    throw new KobanError('E_USAGE', `${email} is not a member of "${orgName}"`);
  if (u.disabledMs !== null) throw new KobanError('E_AUTH', `${email} is disabled`);
  return userActor({ userId: u.id, orgId: u.orgId, role: u.role }, undefined, 'cli');
}

export const actorOf = (intel: IntelService, flags: AsFlags) =>
  flags.as ? userAs(intel, flags.as) : Promise.resolve(operator());

export function parseId(s: string, what = 'alert'): number {
  if (!/^\d+$/.test(s)) throw new KobanError('E_USAGE', `${what} id must be a number, not "${s}"`);
  return Number(s);
}

/** `all`, `public`, `sector:S`, `prefecture:P`, `org:NAME`, `user:EMAIL` → the audience input. */
export async function parseAudience(
  intel: IntelService,
  specs: readonly string[],
): Promise<AdvisoryAudienceInput> {
  const a = {
    public: false,
    allMembers: false,
    sectors: [] as string[],
    prefectures: [] as string[],
    orgIds: [] as number[],
    userIds: [] as number[],
  };
  for (const spec of specs) {
    const i = spec.indexOf(':');
    const kind = i < 0 ? spec : spec.slice(0, i);
    const value = i < 0 ? '' : spec.slice(i + 1).trim();
    if (kind === 'all' && value === '') a.allMembers = true;
    else if (kind === 'public' && value === '') a.public = true;
    else if (kind === 'sector' && value) a.sectors.push(value);
    else if (kind === 'prefecture' && value) a.prefectures.push(value);
    else if (kind === 'org' && value) a.orgIds.push((await intel.orgs.requireByName(value)).id);
    else if (kind === 'user' && value) a.userIds.push((await intel.users.requireByEmail(value)).id);
    else
      throw new KobanError(
        'E_USAGE',
        `audience "${spec}": use all, public, sector:S, prefecture:P, org:NAME or user:EMAIL`,
      );
  }
  return a;
}

/** Attempts the due deliveries with the configured SMTP server and webhook settings. */
export function deliver(intel: IntelService, actor: Actor): Promise<DeliveryRun> {
  return intel.advisories.deliverDue(actor);
}

/** Why e-mail stayed queued, when it did (the queue keeps it until an SMTP server is configured). */
export function waitingNote(r: DeliveryRun): string {
  return r.waitingForSmtp > 0 ? `; ${r.waitingForSmtp} e-mail(s) wait: ${NO_SMTP_CONFIGURED}` : '';
}

export function runLine(r: DeliveryRun): string {
  return `attempted ${r.attempted}: delivered ${r.delivered}, retrying ${r.retrying}, failed ${r.failed}${waitingNote(r)}\n`;
}

/** `--data`, `--db` and `--json`, which every subcommand takes. */
export const withData = (c: Command) =>
  c
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print one JSON document');

/** The common options and `--as EMAIL` (act as this user instead of the operator). */
export const asUser = (c: Command) =>
  withData(c.option('--as <email>', 'act as this user (default: the operator)'));
