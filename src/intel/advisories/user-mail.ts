/**
 * Each user's own choice of how advisories reach them by e-mail (docs/portal.md#notifications):
 *
 * - `each` — an e-mail per advisory event (sent, updated, withdrawn);
 * - `daily` — one digest a day, at the time the center configures (`advisories.digest`, 08:00 at
 *   +09:00 by default), listing every advisory event since the last one;
 * - `off` — the portal inbox only.
 *
 * Without a choice a user named in an audience gets an e-mail per event (as before preferences
 * existed) and a member of an addressed organisation gets none: the organisation's contact
 * endpoints (endpoints.ts) are its way in, and each person opts in. The inbox always has every
 * advisory; a disabled user gets no e-mail. A user sets their own choice; center admins (and the
 * operator's CLI) may set anyone's. Every change is audited.
 */
import type { Kysely } from 'kysely';
import { DAY_MS, KobanError, parseUtcOffset } from '../../core/index.js';
import type { Database, RelationalDb } from '../../db/index.js';
import { appendAudit } from '../audit/audit.js';
import type { Actor } from '../identity/actor.js';
import type { Recipients } from './audience.js';
import type { ParsedAdvisoryConfig } from './config.js';

export const ADVISORY_MAIL_MODES = ['each', 'daily', 'off'] as const;
export type AdvisoryMail = (typeof ADVISORY_MAIL_MODES)[number];

export function isAdvisoryMail(s: string): s is AdvisoryMail {
  return (ADVISORY_MAIL_MODES as readonly string[]).includes(s);
}

export interface UserMailSetting {
  readonly userId: number;
  readonly email: string;
  /** What applies to the user now (the default when they chose nothing). */
  readonly mode: AdvisoryMail;
  /** False: the user chose nothing, `mode` is what applies to advisories addressed to their organisation. */
  readonly chosen: boolean;
  /** When the next digest goes out (for `daily`, and shown to anyone choosing). */
  readonly nextDigestMs: number;
}

/** The first digest time after `nowMs`: `at` (HH:MM) local to `utcOffset`. */
export function nextDigestMs(nowMs: number, digest: ParsedAdvisoryConfig['digest']): number {
  const off = (digest.utcOffset === 'Z' ? 0 : parseUtcOffset(digest.utcOffset)) * 60_000;
  const [h, m] = digest.at.split(':').map(Number) as [number, number];
  const local = nowMs + off;
  let t = Math.floor(local / DAY_MS) * DAY_MS + (h * 60 + m) * 60_000;
  if (t <= local) t += DAY_MS;
  return t - off;
}

type NewRow = Omit<Database['member_alert_deliveries'], 'id'>;
type Pending = Omit<NewRow, 'org_id' | 'user_id' | 'channel' | 'target' | 'endpoint_id'>;

/**
 * The users' own e-mail rows of one advisory event: named users by their choice (default each),
 * members of addressed organisations who chose `each` or `daily`. A digest row waits until
 * `digestMs`.
 */
export async function userMailRows(
  tx: Kysely<Database>,
  pending: Pending,
  to: Recipients,
  digestMs: number,
): Promise<NewRow[]> {
  const named = new Set(to.userIds);
  const users = new Map<number, { email: string; mode: string | null }>();
  const take = (rows: { id: number; email: string; advisory_mail: string | null }[]) => {
    for (const r of rows) users.set(Number(r.id), { email: r.email, mode: r.advisory_mail });
  };
  const ids = [...named];
  for (let i = 0; i < ids.length; i += 500)
    take(
      await tx
        .selectFrom('users')
        .select(['id', 'email', 'advisory_mail'])
        .where('id', 'in', ids.slice(i, i + 500))
        .where('disabled_ms', 'is', null)
        .execute(),
    );
  for (let i = 0; i < to.orgIds.length; i += 500)
    take(
      await tx
        .selectFrom('users')
        .select(['id', 'email', 'advisory_mail'])
        .where('org_id', 'in', to.orgIds.slice(i, i + 500))
        .where('advisory_mail', 'in', ['each', 'daily'])
        .where('disabled_ms', 'is', null)
        .execute(),
    );
  const rows: NewRow[] = [];
  for (const [id, u] of [...users].sort((a, b) => a[0] - b[0])) {
    const mode = u.mode ?? (named.has(id) ? 'each' : 'off');
    if (mode === 'off') continue;
    rows.push({
      ...pending,
      ...(mode === 'daily' ? { next_attempt_ms: digestMs } : {}),
      org_id: null,
      user_id: id,
      channel: mode === 'daily' ? 'digest' : 'email',
      target: u.email,
      endpoint_id: null,
    });
  }
  return rows;
}

export class UserMailService {
  constructor(
    private readonly db: RelationalDb,
    private readonly now: () => number,
    private readonly digest: ParsedAdvisoryConfig['digest'],
  ) {}

  /** A user's setting (their own, or anyone's for center admins). */
  async get(actor: Actor, userId: number): Promise<UserMailSetting> {
    mayChoose(actor, userId);
    const u = await this.db
      .selectFrom('users')
      .select(['id', 'email', 'advisory_mail'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!u) throw new KobanError('E_NOT_FOUND', `no user ${userId}`);
    const chosen = u.advisory_mail !== null && isAdvisoryMail(u.advisory_mail);
    return {
      userId,
      email: u.email,
      mode: chosen ? (u.advisory_mail as AdvisoryMail) : 'off',
      chosen,
      nextDigestMs: nextDigestMs(this.now(), this.digest),
    };
  }

  /** Sets a user's choice (audited); what is already queued keeps its channel. */
  async set(actor: Actor, userId: number, mode: string): Promise<UserMailSetting> {
    mayChoose(actor, userId);
    if (!isAdvisoryMail(mode))
      throw new KobanError(
        'E_USAGE',
        `advisory e-mail must be one of ${ADVISORY_MAIL_MODES.join(', ')}, not "${mode}"`,
      );
    const nowMs = this.now();
    await this.db.transaction().execute(async (tx) => {
      const r = await tx
        .updateTable('users')
        .set({ advisory_mail: mode })
        .where('id', '=', userId)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw new KobanError('E_NOT_FOUND', `no user ${userId}`);
      await appendAudit(
        tx,
        actor,
        { action: 'user.advisory-mail', targetType: 'user', targetId: userId, details: { mode } },
        nowMs,
      );
    });
    return this.get(actor, userId);
  }
}

function mayChoose(actor: Actor, userId: number): void {
  if (actor.kind === 'system' || actor.role === 'center-admin') return;
  if (actor.kind === 'user' && actor.userId === userId) return;
  throw new KobanError('E_FORBIDDEN', `${actor.label} may choose only their own advisory e-mail`);
}
