/**
 * Configured warning-list entries (`koban warninglist add`): analysts add a domain, network, URL
 * prefix or exact value that keeps appearing innocently. Adding or removing one re-evaluates the
 * stored indicators it can touch, so the change applies to history, not only to new reports.
 * Warnings that came from one sighting's context (a provider's relay, a tiny image) are kept.
 */
import { z } from 'zod';
import { cidrToString, KobanError, parseCidr } from '../../core/index.js';
import type { RelationalDb } from '../../db/index.js';
import { appendAudit } from '../audit/audit.js';
import type { Actor } from '../identity/actor.js';
import { parseInput } from '../input.js';
import { requireCenter } from '../labels/access.js';
import { canonicalDomain, canonicalUrl, guessIndicator } from './canonical.js';
import { IndicatorTypeSchema } from './types.js';
import { type ConfiguredEntry, WarningList } from './warning-list.js';

export const NewWarningEntrySchema = z.object({
  kind: z.enum(['domain', 'cidr', 'url-prefix', 'exact']),
  value: z.string().trim().min(1).max(2048),
  reason: z.string().trim().min(1).max(200),
});
export type NewWarningEntry = z.input<typeof NewWarningEntrySchema>;

export interface WarningEntry extends ConfiguredEntry {
  readonly id: number;
  readonly createdMs: number;
}

const CONTEXT_WARNINGS = /^(?:provider relay|tiny image)/;

function canonicalEntry(e: z.output<typeof NewWarningEntrySchema>): string {
  let v: string | null | undefined;
  if (e.kind === 'domain') v = canonicalDomain(e.value);
  else if (e.kind === 'url-prefix') v = canonicalUrl(e.value);
  else if (e.kind === 'exact') v = guessIndicator(e.value)?.value;
  else {
    const c = parseCidr(e.value);
    v = c ? cidrToString(c) : null;
  }
  if (!v) throw new KobanError('E_USAGE', `"${e.value}" is not a valid ${e.kind} entry`);
  return v;
}

export class WarningEntryService {
  constructor(
    private readonly db: RelationalDb,
    private readonly now: () => number = Date.now,
    /** Called after a change, so that the service's cached list is rebuilt. */
    private readonly onChange: () => Promise<void> = async () => {},
  ) {}

  async list(): Promise<WarningEntry[]> {
    const rows = await this.db.selectFrom('warning_list_entries').selectAll().orderBy('id').execute();
    return rows.map((r) => ({
      id: Number(r.id),
      kind: r.kind as ConfiguredEntry['kind'],
      value: r.value,
      reason: r.reason,
      createdMs: Number(r.created_ms),
    }));
  }

  /** Adds an entry and re-flags matching indicators; returns the entry and how many changed. */
  async add(actor: Actor, input: NewWarningEntry): Promise<{ entry: WarningEntry; reflagged: number }> {
    requireCenter(actor, 'indicators:write');
    const e = parseInput(NewWarningEntrySchema, input, 'warning-list entry');
    const value = canonicalEntry(e);
    const nowMs = this.now();
    const id = await this.db.transaction().execute(async (tx) => {
      const dup = await tx
        .selectFrom('warning_list_entries')
        .select('id')
        .where('kind', '=', e.kind)
        .where('value', '=', value)
        .executeTakeFirst();
      if (dup) throw new KobanError('E_CONFLICT', `${e.kind} ${value} is already on the warning list`);
      const r = await tx
        .insertInto('warning_list_entries')
        .values({ kind: e.kind, value, reason: e.reason, created_by: actor.userId, created_ms: nowMs })
        .returning('id')
        .executeTakeFirstOrThrow();
      await appendAudit(
        tx,
        actor,
        {
          action: 'warninglist.add',
          targetType: 'warning-list',
          targetId: r.id,
          details: { kind: e.kind, value, reason: e.reason },
        },
        nowMs,
      );
      return Number(r.id);
    });
    const reflagged = await this.reevaluate(e.kind, value);
    await this.onChange();
    return { entry: { id, kind: e.kind, value, reason: e.reason, createdMs: nowMs }, reflagged };
  }

  async remove(actor: Actor, id: number): Promise<number> {
    requireCenter(actor, 'indicators:write');
    const e = await this.db
      .selectFrom('warning_list_entries')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!e) throw new KobanError('E_NOT_FOUND', `no warning-list entry ${id}`);
    const nowMs = this.now();
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('warning_list_entries').where('id', '=', id).execute();
      await appendAudit(
        tx,
        actor,
        {
          action: 'warninglist.remove',
          targetType: 'warning-list',
          targetId: id,
          details: { kind: e.kind, value: e.value },
        },
        nowMs,
      );
    });
    const n = await this.reevaluate(e.kind as ConfiguredEntry['kind'], e.value);
    await this.onChange();
    return n;
  }

  /** Re-checks the indicators an entry can touch against the current lists; returns how many changed. */
  private async reevaluate(kind: ConfiguredEntry['kind'], value: string): Promise<number> {
    const list = await WarningList.load(this.db);
    const types =
      kind === 'cidr'
        ? ['ipv4', 'ipv6', 'cidr']
        : kind === 'domain'
          ? ['domain', 'url']
          : kind === 'url-prefix'
            ? ['url']
            : null;
    const needle =
      kind === 'domain'
        ? `%${value}%`
        : kind === 'url-prefix'
          ? `${value}%`
          : kind === 'exact'
            ? value
            : null;
    let changed = 0;
    let after = 0;
    for (;;) {
      let q = this.db
        .selectFrom('indicators')
        .select(['id', 'type', 'value', 'warning'])
        .where('id', '>', after);
      if (types) q = q.where('type', 'in', types);
      if (needle !== null) q = q.where('value', kind === 'exact' ? '=' : 'like', needle);
      const rows = await q.orderBy('id').limit(5000).execute();
      for (const r of rows) {
        after = Number(r.id);
        const type = IndicatorTypeSchema.parse(r.type);
        const sticky = r.warning !== null && CONTEXT_WARNINGS.test(r.warning) ? r.warning : null;
        const next = list.check(type, r.value) ?? sticky;
        if (next !== r.warning) {
          await this.db.updateTable('indicators').set({ warning: next }).where('id', '=', r.id).execute();
          changed++;
        }
      }
      if (rows.length < 5000) return changed;
    }
  }
}
