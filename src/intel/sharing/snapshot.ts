/**
 * What one reader may see, in one read, for export to other systems (feeds/: STIX 2.1 now, MISP
 * and blocklists later): the reports, campaigns and advisories it may read — each query filtered
 * by the one access rule (`readableWhere`) — the shareable values those reports and advisories
 * hold, and the center's own identity. Never a private part: reports contribute their title,
 * their shareable text and their atomic, non-warning-listed indicators; the reporting organisation
 * is named only under the private-part rule (`privateOpenTo`: the reader's own organisation, the
 * center, or the reporter's consent). Reads of AMBER or stricter objects are audited in one row.
 */
import type { RelationalDb } from '../../db/index.js';
import { appendAudit } from '../audit/audit.js';
import type { Actor } from '../identity/actor.js';
import { ATOMIC_TYPES, type AtomicType, type IndicatorRole } from '../indicators/types.js';
import { privateOpenTo, readableWhere } from '../labels/access.js';
import { isAuditedRead, storedTlp, type Tlp } from '../labels/tlp.js';

export interface SharedOrg {
  readonly id: number;
  readonly name: string;
  readonly kind: string;
  readonly sector: string | null;
}

export interface SharedValue {
  readonly type: AtomicType;
  readonly value: string;
  readonly role: IndicatorRole;
  readonly confidence: number;
  /**
   * When the report began to give it (a report's values: its own receipt, or later — an analyst's
   * addition, a newer version of an imported object that gives it again). Absent elsewhere.
   */
  readonly addedMs?: number;
}

export interface SharedReport {
  readonly id: number;
  readonly kind: string;
  readonly tlp: Tlp;
  readonly title: string;
  /** Prose the reporter shared (an incident's description, a text report, a note), if any. */
  readonly description: string | null;
  /** An imported report's origin: the partner's id for it and its labels (else null and []). */
  readonly externalId: string | null;
  readonly labels: readonly string[];
  readonly observedMs: number;
  readonly receivedMs: number;
  readonly campaignId: number | null;
  /** Null unless the reader may know who reported (own organisation, center, consent). */
  readonly reporter: SharedOrg | null;
  readonly values: readonly SharedValue[];
}

export interface SharedCampaign {
  readonly id: number;
  readonly name: string;
  readonly tlp: Tlp;
  readonly createdMs: number;
  readonly updatedMs: number;
}

export interface SharedAdvisory {
  readonly id: number;
  readonly title: string;
  readonly body: string | null;
  readonly tlp: Tlp;
  readonly version: number;
  readonly campaignId: number | null;
  readonly sentMs: number;
  readonly updatedMs: number;
  readonly withdrawnMs: number | null;
  readonly values: readonly SharedValue[];
}

export interface SharingSnapshot {
  readonly center: SharedOrg | null;
  readonly reports: readonly SharedReport[];
  readonly campaigns: readonly SharedCampaign[];
  readonly advisories: readonly SharedAdvisory[];
}

const ATOMIC: readonly string[] = ATOMIC_TYPES;

/**
 * The shareable prose of a report's shared view (the fields a reporter writes for others; an
 * e-mail's view is its lure, which advisories publish with more care) and an import's origin.
 */
function sharedParts(
  kind: string,
  shared: string,
): Pick<SharedReport, 'description' | 'externalId' | 'labels'> {
  const v = JSON.parse(shared) as Record<string, unknown>;
  const text = [v.description, v.text, v.note].filter((s): s is string => typeof s === 'string' && s !== '');
  const imported = kind === 'imported';
  return {
    description: kind !== 'email' && text.length ? text.join('\n\n') : null,
    externalId: imported && typeof v.externalId === 'string' ? v.externalId : null,
    labels:
      imported && Array.isArray(v.labels) ? v.labels.filter((l): l is string => typeof l === 'string') : [],
  };
}

async function readReports(db: RelationalDb, actor: Actor): Promise<SharedReport[]> {
  const rows = await db
    .selectFrom('reports as r')
    .innerJoin('organisations as o', 'o.id', 'r.org_id')
    .select([
      'r.id',
      'r.kind',
      'r.tlp',
      'r.title',
      'r.shared',
      'r.observed_ms',
      'r.received_ms',
      'r.campaign_id',
      'r.org_id',
      'r.consent',
      'o.name as org_name',
      'o.kind as org_kind',
      'o.sector',
    ])
    .where(readableWhere(actor, 'report', 'r'))
    .orderBy('r.id')
    .execute();
  const values = await db
    .selectFrom('report_indicators as ri')
    .innerJoin('reports as r', 'r.id', 'ri.report_id')
    .innerJoin('indicators as i', 'i.id', 'ri.indicator_id')
    .select(['ri.report_id', 'i.type', 'i.value', 'ri.role', 'ri.confidence', 'ri.added_ms'])
    .where(readableWhere(actor, 'report', 'r'))
    .where('i.warning', 'is', null)
    .where('i.type', 'in', ATOMIC)
    .orderBy('ri.report_id')
    .orderBy('i.type')
    .orderBy('i.value')
    .execute();
  const byReport = new Map<number, SharedValue[]>();
  for (const v of values) {
    const list = byReport.get(Number(v.report_id)) ?? [];
    list.push({
      type: v.type as AtomicType,
      value: v.value,
      role: v.role as IndicatorRole,
      confidence: Number(v.confidence),
      addedMs: Number(v.added_ms),
    });
    byReport.set(Number(v.report_id), list);
  }
  return rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind,
    tlp: storedTlp(r.tlp),
    title: r.title,
    ...sharedParts(r.kind, r.shared),
    observedMs: Number(r.observed_ms),
    receivedMs: Number(r.received_ms),
    campaignId: r.campaign_id === null ? null : Number(r.campaign_id),
    reporter: privateOpenTo(actor, Number(r.org_id), Number(r.consent) === 1)
      ? { id: Number(r.org_id), name: r.org_name, kind: r.org_kind, sector: r.sector }
      : null,
    values: byReport.get(Number(r.id)) ?? [],
  }));
}

async function readCampaigns(db: RelationalDb, actor: Actor): Promise<SharedCampaign[]> {
  const rows = await db
    .selectFrom('campaigns as c')
    .select(['c.id', 'c.name', 'c.tlp', 'c.created_ms', 'c.updated_ms'])
    .where('c.merged_into', 'is', null)
    .where(readableWhere(actor, 'campaign', 'c'))
    .orderBy('c.id')
    .execute();
  return rows.map((c) => ({
    id: Number(c.id),
    name: c.name,
    tlp: storedTlp(c.tlp),
    createdMs: Number(c.created_ms),
    updatedMs: Number(c.updated_ms),
  }));
}

/** Sent (or withdrawn) advisories the reader may read, as their current version shows them. */
async function readAdvisories(db: RelationalDb, actor: Actor): Promise<SharedAdvisory[]> {
  const rows = await db
    .selectFrom('member_alerts as a')
    .innerJoin('member_alert_versions as v', (j) =>
      j.onRef('v.alert_id', '=', 'a.id').onRef('v.version', '=', 'a.version'),
    )
    .select([
      'a.id',
      'a.tlp',
      'a.version',
      'a.campaign_id',
      'a.sent_ms',
      'a.updated_ms',
      'a.withdrawn_ms',
      'v.title',
      'v.content',
    ])
    .where('a.status', '<>', 'draft')
    .where(readableWhere(actor, 'alert', 'a'))
    .orderBy('a.id')
    .execute();
  return rows.map((a) => {
    const content = JSON.parse(a.content) as {
      bodyEn?: string | null;
      bodyJa?: string | null;
      indicators?: { type: string; value: string; role: string }[];
    };
    return {
      id: Number(a.id),
      title: a.title,
      body: content.bodyEn ?? content.bodyJa ?? null,
      tlp: storedTlp(a.tlp),
      version: Number(a.version),
      campaignId: a.campaign_id === null ? null : Number(a.campaign_id),
      sentMs: Number(a.sent_ms ?? a.updated_ms),
      updatedMs: Number(a.updated_ms),
      withdrawnMs: a.withdrawn_ms === null ? null : Number(a.withdrawn_ms),
      values: (content.indicators ?? [])
        .filter((i) => ATOMIC.includes(i.type))
        .map((i) => ({
          type: i.type as AtomicType,
          value: i.value,
          role: i.role as IndicatorRole,
          confidence: 90,
        })),
    };
  });
}

/** Everything `reader` may see that can be shared (unaudited: see `auditExport`). */
export async function readSnapshot(db: RelationalDb, reader: Actor): Promise<SharingSnapshot> {
  const center = await db
    .selectFrom('organisations')
    .select(['id', 'name', 'kind', 'sector'])
    .where('kind', '=', 'center')
    .orderBy('id')
    .executeTakeFirst();
  return {
    center: center
      ? { id: Number(center.id), name: center.name, kind: center.kind, sector: center.sector }
      : null,
    reports: await readReports(db, reader),
    campaigns: await readCampaigns(db, reader),
    advisories: await readAdvisories(db, reader),
  };
}

/** One audit row naming the AMBER-or-stricter objects an export carried, under who asked for it. */
export async function auditExport(
  db: RelationalDb,
  actor: Actor,
  snapshot: SharingSnapshot,
  details: Record<string, unknown>,
  nowMs: number,
): Promise<void> {
  const audited = (xs: readonly { id: number; tlp: Tlp }[]) =>
    xs.filter((x) => isAuditedRead(x.tlp)).map((x) => x.id);
  const ids = {
    reports: audited(snapshot.reports),
    campaigns: audited(snapshot.campaigns),
    advisories: audited(snapshot.advisories),
  };
  if (ids.reports.length + ids.campaigns.length + ids.advisories.length > 0)
    await appendAudit(
      db,
      actor,
      { action: 'intel.export', targetType: 'export', details: { ...details, ...ids } },
      nowMs,
    );
}
