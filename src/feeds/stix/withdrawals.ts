/**
 * What a source revoked after this center imported it (docs/sharing.md#stix-21). A STIX object is
 * revoked by a newer version with `revoked: true` (STIX 2.1 §3.6: "the object is no longer
 * considered valid by the object creator"); when the revoked object made (part of) a Koban report —
 * a STIX report, or an indicator of the report its bundle's loose indicators were grouped into —
 * the values it gave are withdrawn: recorded in `stix_withdrawals` with the time, audited, and left
 * out from then on by every way this center shares (`withoutWithdrawn`, applied to the sharing
 * snapshot by blocklists, STIX/TAXII — so peers — and MISP). A blocklist's incremental variant lists
 * them as removed (`withdrawnBetween`). The report itself stays in intel, where its history and
 * the audit trail are; what it no longer does is leave this center.
 */
import {
  type Actor,
  appendAudit,
  type IntelService,
  markGivenAgain,
  type SharingSnapshot,
  type Tlp,
} from '../../intel/index.js';

export interface Withdrawal {
  readonly reportId: number;
  readonly type: string;
  readonly value: string;
  readonly withdrawnMs: number;
}

const IN_CHUNK = 500;
const keyOf = (type: string, value: string) => `${type}\u0000${value}`;

/**
 * Withdraws what a revoked object gave the report `reportId`: `values`, or every value of the
 * report when the revoked object is the report itself (null). Idempotent; audited once per call
 * that withdraws something.
 */
export async function withdrawRevoked(
  intel: IntelService,
  actor: Actor,
  revoked: {
    readonly stixId: string;
    readonly type: string;
    readonly source: string;
    /** Why, when not a revocation: a newer version that no longer gives the values. */
    readonly why?: 'newer version';
  },
  reportId: number,
  values: readonly { readonly type: string; readonly value: string }[] | null,
  nowMs: number,
): Promise<number> {
  const report = await intel.db
    .selectFrom('reports')
    .select(['id', 'tlp'])
    .where('id', '=', reportId)
    .executeTakeFirst();
  if (!report) return 0;
  const held =
    values ??
    (await intel.db
      .selectFrom('report_indicators as ri')
      .innerJoin('indicators as i', 'i.id', 'ri.indicator_id')
      .select(['i.type', 'i.value'])
      .where('ri.report_id', '=', reportId)
      .execute());
  const already = new Set(
    (
      await intel.db
        .selectFrom('stix_withdrawals')
        .select(['type', 'value'])
        .where('report_id', '=', reportId)
        .execute()
    ).map((w) => keyOf(w.type, w.value)),
  );
  const fresh = [...new Map(held.map((v) => [keyOf(v.type, v.value), v])).values()].filter(
    (v) => !already.has(keyOf(v.type, v.value)),
  );
  if (fresh.length === 0) return 0;
  await intel.db.transaction().execute(async (tx) => {
    for (let i = 0; i < fresh.length; i += IN_CHUNK)
      await tx
        .insertInto('stix_withdrawals')
        .values(
          fresh.slice(i, i + IN_CHUNK).map((v) => ({
            report_id: reportId,
            type: v.type,
            value: v.value,
            stix_id: revoked.stixId,
            source: revoked.source,
            withdrawn_ms: nowMs,
          })),
        )
        .execute();
    await appendAudit(
      tx,
      actor,
      {
        action: 'report.withdraw-revoked',
        targetType: 'report',
        targetId: reportId,
        tlp: report.tlp as Tlp,
        details: {
          source: revoked.source,
          revoked: revoked.stixId,
          revokedType: revoked.type,
          why: revoked.why ?? 'revoked',
          values: fresh.map((v) => `${v.type}:${v.value}`),
        },
      },
      nowMs,
    );
  });
  return fresh.length;
}

/**
 * Lifts the withdrawal of values a newer version of the source's object gives again (an indicator's
 * new pattern, a report's new `object_refs`, a MISP event's attributes): they are shared again, and
 * the report counts as giving them from now (`report_indicators.added_ms`), so a blocklist's
 * incremental variant lists them as added. Audited once per call that lifts something.
 */
export async function restoreGiven(
  intel: IntelService,
  actor: Actor,
  origin: { readonly stixId: string; readonly type: string; readonly source: string },
  reportId: number,
  values: readonly { readonly type: string; readonly value: string }[],
  nowMs: number,
): Promise<number> {
  if (values.length === 0) return 0;
  const wanted = new Set(values.map((v) => keyOf(v.type, v.value)));
  const held = (
    await intel.db
      .selectFrom('stix_withdrawals')
      .select(['type', 'value'])
      .where('report_id', '=', reportId)
      .execute()
  ).filter((w) => wanted.has(keyOf(w.type, w.value)));
  if (held.length === 0) return 0;
  const report = await intel.db
    .selectFrom('reports')
    .select('tlp')
    .where('id', '=', reportId)
    .executeTakeFirst();
  if (!report) return 0;
  await intel.db.transaction().execute(async (tx) => {
    for (const w of held) {
      await tx
        .deleteFrom('stix_withdrawals')
        .where('report_id', '=', reportId)
        .where('type', '=', w.type)
        .where('value', '=', w.value)
        .execute();
    }
    await markGivenAgain(tx, reportId, held, nowMs);
    await appendAudit(
      tx,
      actor,
      {
        action: 'report.withdrawal-lifted',
        targetType: 'report',
        targetId: reportId,
        tlp: report.tlp as Tlp,
        details: {
          source: origin.source,
          by: origin.stixId,
          byType: origin.type,
          values: held.map((v) => `${v.type}:${v.value}`),
        },
      },
      nowMs,
    );
  });
  return held.length;
}

/** The withdrawals of the given reports. */
export async function withdrawalsOf(
  intel: IntelService,
  reportIds: readonly number[],
): Promise<Withdrawal[]> {
  const out: Withdrawal[] = [];
  for (let i = 0; i < reportIds.length; i += IN_CHUNK) {
    const rows = await intel.db
      .selectFrom('stix_withdrawals')
      .select(['report_id', 'type', 'value', 'withdrawn_ms'])
      .where('report_id', 'in', reportIds.slice(i, i + IN_CHUNK))
      .execute();
    for (const r of rows)
      out.push({
        reportId: Number(r.report_id),
        type: r.type,
        value: r.value,
        withdrawnMs: Number(r.withdrawn_ms),
      });
  }
  return out;
}

/**
 * The snapshot without withdrawn values (pure). A report left without values goes too — unless
 * `keepEmptied` (STIX: the revoked report is still exported, as revoked, so that a peer of a peer
 * learns of the revocation).
 */
export function withoutWithdrawn(
  snap: SharingSnapshot,
  withdrawals: readonly Withdrawal[],
  keepEmptied = false,
): SharingSnapshot {
  if (withdrawals.length === 0) return snap;
  const gone = new Map<number, Set<string>>();
  for (const w of withdrawals) {
    const s = gone.get(w.reportId) ?? new Set<string>();
    s.add(keyOf(w.type, w.value));
    gone.set(w.reportId, s);
  }
  const reports = snap.reports.flatMap((r) => {
    const g = gone.get(r.id);
    if (!g) return [r];
    const values = r.values.filter((v) => !g.has(keyOf(v.type, v.value)));
    return values.length === 0 && r.values.length > 0 && !keepEmptied ? [] : [{ ...r, values }];
  });
  return { ...snap, reports };
}

/** The snapshot as the access check gave it, less what its sources withdrew. */
export async function withdrawnApplied(
  intel: IntelService,
  snap: SharingSnapshot,
  keepEmptied = false,
): Promise<{ snapshot: SharingSnapshot; withdrawals: Withdrawal[] }> {
  const withdrawals = await withdrawalsOf(
    intel,
    snap.reports.map((r) => r.id),
  );
  return { snapshot: withoutWithdrawn(snap, withdrawals, keepEmptied), withdrawals };
}
