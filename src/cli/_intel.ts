/** Shared by the intel commands: open the services of one data directory, and who the operator is. */
import { userInfo } from 'node:os';
import { KobanError } from '../core/index.js';
import { type Actor, IntelService, memberAlertConfigFrom, systemActor, userActor } from '../intel/index.js';
import type { StoreFlags } from './_options.js';
import { openRelationalStore, type StoreTarget, storeTarget } from './_stores.js';

export interface DataFlags extends StoreFlags {
  json?: boolean;
}

/**
 * Runs `fn` over the intel services of the data directory. Only commands that add something a
 * fresh center starts from (`org add`, `warninglist add`) pass `create: true`; every other command
 * fails on a data directory without a store instead of creating an empty one (a mistyped `--data`).
 */
export async function withIntel<T>(
  flags: DataFlags,
  fn: (intel: IntelService, target: StoreTarget) => Promise<T>,
  opts: { create?: boolean } = {},
): Promise<T> {
  const target = storeTarget(flags);
  const { dataDir, config } = target;
  // Checked before the store is opened: a mistake in koban.json is told, not half-applied.
  const alerts = memberAlertConfigFrom(config.advisories);
  const db = await openRelationalStore(target, opts);
  let intel: IntelService | null = null;
  try {
    // The evidence quota is the organisation's wherever its reports come from; the submission rate
    // is a running center's (one command is one submission).
    intel = await IntelService.open(db, {
      dataDir,
      alerts,
      intakeLimits: { orgEvidenceQuotaBytes: config.intake.orgEvidenceQuotaMb * 1024 * 1024 },
    });
    return await fn(intel, target);
  } finally {
    await intel?.close();
    await db.destroy();
  }
}

/**
 * The operator at the console: the system actor, named after the login (or `KOBAN_OPERATOR`) so
 * the audit log says who bootstrapped what. They hold the data files already; what they do is
 * recorded like anyone else's.
 */
export function operator(): Actor {
  return systemActor(`cli:${process.env.KOBAN_OPERATOR ?? userInfo().username}`);
}

/** A named user as the actor (`--as EMAIL`): for steps that must be a person's, such as approvals. */
export async function actingUser(intel: IntelService, email: string): Promise<Actor> {
  const u = await intel.users.requireByEmail(email);
  if (u.disabledMs !== null) throw new KobanError('E_AUTH', `${email} is disabled`);
  return userActor({ userId: u.id, orgId: u.orgId, role: u.role }, undefined, 'cli');
}

export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
