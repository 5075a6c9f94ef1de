/** Shared by the intel commands: open the services of one data directory, and who the operator is. */
import { userInfo } from 'node:os';
import { loadConfig, resolveDataDir } from '../core/index.js';
import { openRelational } from '../db/index.js';
import { type Actor, IntelService, memberAlertConfigFrom, systemActor } from '../intel/index.js';

export interface DataFlags {
  data?: string;
  json?: boolean;
}

export async function withIntel<T>(
  flags: DataFlags,
  fn: (intel: IntelService, dataDir: string) => Promise<T>,
): Promise<T> {
  const dataDir = resolveDataDir(flags.data);
  const config = loadConfig(dataDir);
  // Checked before the store is opened: a mistake in koban.json is told, not half-applied.
  const alerts = memberAlertConfigFrom(config.advisories);
  const db = await openRelational(dataDir);
  let intel: IntelService | null = null;
  try {
    // The evidence quota is the organisation's wherever its reports come from; the submission rate
    // is a running center's (one command is one submission).
    intel = await IntelService.open(db, {
      dataDir,
      alerts,
      intakeLimits: { orgEvidenceQuotaBytes: config.intake.orgEvidenceQuotaMb * 1024 * 1024 },
    });
    return await fn(intel, dataDir);
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

export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
