/**
 * Storing a batch of new reports in one transaction with a few multi-row statements: the evidence
 * rows, the reports (their evidence reference set at once), their private parts, audiences, the
 * custody rows, the indicators (batch-indicators.ts), and one `report_correlation_queue` row each —
 * the durable mark that the report still has to be correlated, carrying its pending
 * `report.create` audit entry. Correlation (batch-correlate.ts) runs after this commit.
 *
 * The reports get their ids in the batch's order, so that correlating them in id order is
 * correlating them in the order they were submitted.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import { appendChainedRows } from '../audit/keyed-chain.js';
import type { Actor } from '../identity/actor.js';
import type { Sighted } from '../indicators/store.js';
import type { Candidate } from '../indicators/types.js';
import type { WarningList } from '../indicators/warning-list.js';
import { writeAudience } from '../labels/labelled.js';
import { type BatchSighting, chunked, recordBatch, rowsPer } from './batch-indicators.js';
import { custodyContent } from './evidence.js';
import type { NewReport } from './new-report.js';

export interface StoreItem {
  readonly actor: Actor;
  readonly report: NewReport;
  /** The report's candidates, canonical and de-duplicated. */
  readonly candidates: readonly Candidate[];
}

export interface Stored {
  readonly reportId: number;
  readonly sighted: readonly Sighted[];
}

/** Inserts the reports in order and returns their ids in that order. */
async function insertReports(tx: Kysely<Database>, items: readonly StoreItem[]): Promise<number[]> {
  const ids: number[] = [];
  for (const part of chunked(items, rowsPer(11))) {
    const returned = await tx
      .insertInto('reports')
      .values(
        part.map(({ actor, report: r }) => ({
          kind: r.kind,
          org_id: r.org.id,
          created_by: actor.userId,
          tlp: r.tlp,
          consent: r.consent ? 1 : 0,
          received_ms: r.receivedMs,
          observed_ms: r.observedMs,
          title: r.title.slice(0, 1000),
          evidence_sha256: r.evidence?.sha256 ?? null,
          shared: r.sharedJson,
          campaign_id: r.campaignId ?? null,
        })),
      )
      .returning('id')
      .execute();
    // Both engines number a multi-row insert in its VALUES order; sorting does not rely on the
    // order RETURNING lists them in.
    ids.push(...returned.map((r) => Number(r.id)).sort((a, b) => a - b));
  }
  return ids;
}

/** The evidence rows, before the reports that refer to them (the first receipt wins, as one at a time). */
async function insertEvidence(tx: Kysely<Database>, items: readonly StoreItem[]): Promise<void> {
  const files = new Map<
    string,
    { sha256: string; size_bytes: number; media_type: string; first_received_ms: number }
  >();
  for (const { report: r } of items) {
    if (r.evidence && !files.has(r.evidence.sha256))
      files.set(r.evidence.sha256, {
        sha256: r.evidence.sha256,
        size_bytes: r.evidence.sizeBytes,
        media_type: r.evidence.mediaType,
        first_received_ms: r.receivedMs,
      });
  }
  for (const part of chunked([...files.values()], rowsPer(4))) {
    await tx
      .insertInto('evidence')
      .values(part)
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute();
  }
}

/** A custody `received` row per report carrying a file, in report order. */
async function appendCustodyRows(tx: Kysely<Database>, items: readonly StoreItem[], ids: readonly number[]) {
  const rows = items.flatMap(({ actor, report: r }, i) =>
    r.evidence
      ? [
          custodyContent(
            actor,
            {
              sha256: r.evidence.sha256,
              reportId: ids[i]!,
              action: 'received',
              details: { sizeBytes: r.evidence.sizeBytes },
            },
            r.receivedMs,
          ),
        ]
      : [],
  );
  await appendChainedRows(tx, 'custody', rows);
}

/** Stores the batch inside `tx`; returns each report's id and recorded values, in the batch's order. */
export async function storeBatch(
  tx: Kysely<Database>,
  items: readonly StoreItem[],
  list: WarningList,
): Promise<Stored[]> {
  if (items.length === 0) return [];
  await insertEvidence(tx, items);
  const ids = await insertReports(tx, items);
  await appendCustodyRows(tx, items, ids);
  for (const part of chunked(
    items.map((it, i) => ({ report_id: ids[i]!, content: it.report.privateJson })),
    rowsPer(2),
  )) {
    await tx.insertInto('report_private').values(part).execute();
  }
  for (const [i, { report: r }] of items.entries()) {
    if (r.audience.orgIds.length + r.audience.userIds.length > 0)
      await writeAudience(tx, 'report', ids[i]!, r.audience);
  }
  const batch: BatchSighting[] = items.map(({ actor, report: r, candidates }, i) => ({
    report: {
      id: ids[i]!,
      orgId: r.org.id,
      sector: r.org.sector,
      prefecture: r.org.prefecture,
      tlp: r.tlp,
      observedMs: r.observedMs,
      addedBy: actor.userId,
      addedMs: r.receivedMs,
    },
    candidates,
  }));
  const sighted = await recordBatch(tx, batch, list);
  for (const part of chunked(
    items.map(({ actor, report: r }, i) => ({
      report_id: ids[i]!,
      actor_user_id: actor.userId,
      actor_org_id: actor.orgId,
      actor_label: actor.label,
      details: JSON.stringify({
        kind: r.kind,
        orgId: r.org.id,
        consent: r.consent,
        evidence: r.evidence?.sha256 ?? null,
        indicators: sighted[i]!.length,
      }),
    })),
    rowsPer(5),
  )) {
    await tx.insertInto('report_correlation_queue').values(part).execute();
  }
  return ids.map((reportId, i) => ({ reportId, sighted: sighted[i]! }));
}
