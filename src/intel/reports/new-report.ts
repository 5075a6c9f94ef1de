/**
 * The rows of a new report: the report with its shareable content, the private part apart from it,
 * and its audience — written in intake's transaction, before the evidence, indicators and
 * correlation that refer to the report.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import type { Actor } from '../identity/actor.js';
import type { Organisation } from '../identity/orgs.js';
import type { Candidate } from '../indicators/types.js';
import { writeAudience } from '../labels/labelled.js';
import type { Tlp } from '../labels/tlp.js';

export interface NewReport {
  readonly kind: string;
  readonly org: Organisation;
  readonly tlp: Tlp;
  readonly consent: boolean;
  readonly audience: { orgIds: number[]; userIds: number[] };
  readonly title: string;
  readonly receivedMs: number;
  readonly observedMs: number;
  readonly sharedJson: string;
  readonly privateJson: string;
  readonly evidence: { sha256: string; sizeBytes: number; mediaType: string } | null;
  readonly candidates: readonly Candidate[];
  /** A campaign the report is stated to belong to (an imported report's); correlation keeps it. */
  readonly campaignId?: number | null;
}

/** Inserts the report, its private part and its audience; returns the report's id. */
export async function insertReport(tx: Kysely<Database>, actor: Actor, r: NewReport): Promise<number> {
  // The evidence reference is set when the file is kept (EvidenceStore.keep), in the same transaction.
  const inserted = await tx
    .insertInto('reports')
    .values({
      kind: r.kind,
      org_id: r.org.id,
      created_by: actor.userId,
      tlp: r.tlp,
      consent: r.consent ? 1 : 0,
      received_ms: r.receivedMs,
      observed_ms: r.observedMs,
      title: r.title.slice(0, 1000),
      evidence_sha256: null,
      shared: r.sharedJson,
      campaign_id: r.campaignId ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(inserted.id);
  await tx.insertInto('report_private').values({ report_id: id, content: r.privateJson }).execute();
  if (r.audience.orgIds.length + r.audience.userIds.length > 0)
    await writeAudience(tx, 'report', id, r.audience);
  return id;
}

/** A mail's own date is attacker-controlled: used only when it is within 5 years before receipt and not in the future. */
export function plausibleDate(iso: string | undefined, receivedMs: number): number {
  const t = iso ? Date.parse(iso) : Number.NaN;
  return Number.isFinite(t) && t <= receivedMs + 86_400_000 && t >= receivedMs - 5 * 365 * 86_400_000
    ? t
    : receivedMs;
}
