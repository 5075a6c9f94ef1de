/**
 * Drafting an alert: an analyst picks a report or a campaign, a title, bodies, the values to share
 * and a label; the content is built from the sources as the analyst may read them (content.ts) and
 * the label checked against the most restrictive of them. The draft keeps these choices, not the
 * content: the preview, and later the send, build it again from the sources as they are then.
 * Only center staff with `campaigns:write` act here; each change is audited in its transaction.
 */
import { KobanError } from '../../core/index.js';
import type { RelationalDb } from '../../db/index.js';
import { appendAudit } from '../audit/audit.js';
import type { Actor } from '../identity/actor.js';
import { canonicalIndicator, guessIndicator } from '../indicators/canonical.js';
import { parseInput } from '../input.js';
import { mayRead, requireCenter } from '../labels/access.js';
import { uncoveredReports } from '../labels/declassify.js';
import { isAuditedRead, storedTlp, type Tlp } from '../labels/tlp.js';
import { type BuiltAdvisory, buildContent, indicatorKey, sourcesFloor } from './content.js';
import {
  type AdvisorySource,
  type DraftAdvisoryInput,
  DraftAdvisoryInputSchema,
  type EditAdvisoryInput,
  EditAdvisoryInputSchema,
  type IndicatorPick,
} from './inputs.js';
import { declassificationProblem, floorProblem, isDowngrade } from './label-rules.js';
import {
  type AdvisoryRow,
  advisoryLabel,
  loadAdvisoryRow,
  sourceColumns,
  sourceOf,
  statusOf,
} from './rows.js';
import { loadSources } from './sources.js';
import type { AdvisoryPreview } from './types.js';

export interface AdvisoryContext {
  readonly db: RelationalDb;
  readonly now: () => number;
}

/** The fields a draft (or the next version) is built from. */
export interface Fields {
  readonly source: AdvisorySource;
  readonly title: string;
  readonly bodyJa: string | null;
  readonly bodyEn: string | null;
  /** Null: the sources' floor, whatever it is when built. */
  readonly tlp: Tlp | null;
  readonly downgradeReason: string | null;
  readonly picks: readonly string[] | null;
}

export function fieldsOf(row: AdvisoryRow): Fields {
  return {
    source: sourceOf(row),
    title: row.title,
    bodyJa: row.body_ja,
    bodyEn: row.body_en,
    tlp: storedTlp(row.tlp),
    downgradeReason: row.downgrade_reason,
    picks: row.indicators === null ? null : (JSON.parse(row.indicators) as string[]),
  };
}

function picksOf(list: readonly IndicatorPick[]): string[] {
  return list.map((p) => {
    const c = p.type ? canonicalIndicator(p.type, p.value) : guessIndicator(p.value);
    if (!c)
      throw new KobanError('E_USAGE', `indicators: "${p.value}" is not a valid ${p.type ?? 'indicator'}`);
    return indicatorKey(c.type, c.value);
  });
}

/** Applies a change set (edit or update) to the fields; `undefined` keeps, `null` clears. */
export function patched(f: Fields, e: ReturnType<typeof EditAdvisoryInputSchema.parse>): Fields {
  return {
    source: f.source,
    title: e.title ?? f.title,
    bodyJa: e.bodyJa === undefined ? f.bodyJa : e.bodyJa,
    bodyEn: e.bodyEn === undefined ? f.bodyEn : e.bodyEn,
    tlp: e.tlp ?? f.tlp,
    downgradeReason: e.downgradeReason === undefined ? f.downgradeReason : e.downgradeReason,
    picks: e.indicators === undefined ? f.picks : e.indicators === null ? null : picksOf(e.indicators),
  };
}

export function changedKeys(e: Record<string, unknown>): string[] {
  return Object.keys(e)
    .filter((k) => e[k] !== undefined && k !== 'reason' && k !== 'audience')
    .sort();
}

export interface Built extends BuiltAdvisory {
  readonly tlp: Tlp;
  readonly campaignId: number | null;
  /** The approved declassifications that let the label go below quoted reports' (labels/declassify.ts). */
  readonly declassifications: readonly number[];
}

/**
 * Loads the sources as the actor and builds the content; refuses a label below the floor without
 * a reason, and below a quoted report's label without an approved declassification of it — the
 * one place every draft, edit, preview, send and update passes (unless only showing a draft, which
 * a raised source label must not make unreadable).
 */
export async function build(
  ctx: AdvisoryContext,
  actor: Actor,
  f: Fields,
  opts: { checkFloor?: boolean } = {},
): Promise<Built> {
  const sources = await loadSources(ctx.db, actor, f.source);
  const floor = sourcesFloor(sources);
  const tlp = f.tlp ?? floor;
  const problem = floorProblem(tlp, floor, f.downgradeReason);
  if (problem && opts.checkFloor !== false) throw new KobanError('E_USAGE', problem);
  const declassified = await uncoveredReports(
    ctx.db,
    sources.reports.map((r) => ({ id: r.id, tlp: r.tlp })),
    tlp,
  );
  const refused = declassificationProblem(tlp, declassified.uncovered);
  if (refused && opts.checkFloor !== false) throw new KobanError('E_FORBIDDEN', refused);
  const built = buildContent(sources, {
    title: f.title,
    bodyJa: f.bodyJa,
    bodyEn: f.bodyEn,
    tlp,
    picks: f.picks,
  });
  let campaignId = sources.campaign?.id ?? null;
  if (campaignId === null && f.source.type === 'report') {
    const r = await ctx.db
      .selectFrom('reports')
      .select('campaign_id')
      .where('id', '=', f.source.id)
      .executeTakeFirst();
    campaignId = r?.campaign_id == null ? null : Number(r.campaign_id);
  }
  return { ...built, tlp, campaignId, declassifications: declassified.covering };
}

function preview(row: AdvisoryRow, b: Built, downgradeReason: string | null): AdvisoryPreview {
  return {
    alertId: Number(row.id),
    status: statusOf(row),
    version: Number(row.version),
    content: b.content,
    tlpFloor: b.floor,
    downgradeReason: isDowngrade(b.tlp, b.floor) ? downgradeReason : null,
    campaignId: b.campaignId,
    sources: b.sources.map((s) => ({ reportId: s.reportId, tlp: s.tlp })),
    excluded: b.excluded,
    redactions: b.redactions,
    anonymisedReporters: b.anonymisedReporters,
  };
}

/** The alert for center staff (E_NOT_FOUND when absent or not readable, e.g. another analyst's RED draft). */
export async function writable(ctx: AdvisoryContext, actor: Actor, id: number): Promise<AdvisoryRow> {
  requireCenter(actor, 'campaigns:write');
  const row = await loadAdvisoryRow(ctx.db, id);
  if (!row || !mayRead(actor, 'alert', await advisoryLabel(ctx.db, row, actor)))
    throw new KobanError('E_NOT_FOUND', `no alert ${id}`);
  return row;
}

async function centerOrgId(db: RelationalDb): Promise<number | null> {
  const r = await db
    .selectFrom('organisations')
    .select('id')
    .where('kind', '=', 'center')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return r ? Number(r.id) : null;
}

export async function draftAdvisory(
  ctx: AdvisoryContext,
  actor: Actor,
  input: DraftAdvisoryInput,
): Promise<AdvisoryPreview> {
  requireCenter(actor, 'campaigns:write');
  const d = parseInput(DraftAdvisoryInputSchema, input, 'alert');
  if (d.source.type === 'none' && d.tlp === undefined)
    throw new KobanError(
      'E_USAGE',
      'alert: tlp: a draft without a source needs a label (CLEAR, GREEN, AMBER…)',
    );
  const f: Fields = {
    source: d.source,
    title: d.title,
    bodyJa: d.bodyJa ?? null,
    bodyEn: d.bodyEn ?? null,
    tlp: d.tlp ?? null,
    downgradeReason: d.downgradeReason ?? null,
    picks: d.indicators ? picksOf(d.indicators) : null,
  };
  const b = await build(ctx, actor, f);
  const owner = await centerOrgId(ctx.db);
  const nowMs = ctx.now();
  const downgradeReason = isDowngrade(b.tlp, b.floor) ? f.downgradeReason : null;
  const id = await ctx.db.transaction().execute(async (tx) => {
    const r = await tx
      .insertInto('member_alerts')
      .values({
        title: f.title,
        body_ja: f.bodyJa,
        body_en: f.bodyEn,
        tlp: b.tlp,
        tlp_floor: b.floor,
        downgrade_reason: downgradeReason,
        ...sourceColumns(f.source),
        campaign_id: b.campaignId,
        indicators: f.picks === null ? null : JSON.stringify(f.picks),
        org_id: owner,
        created_by: actor.userId,
        created_ms: nowMs,
        updated_ms: nowMs,
        status: 'draft',
        version: 1,
        audience: null,
        sent_ms: null,
        sent_by: null,
        withdrawn_ms: null,
        withdrawn_reason: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(
      tx,
      actor,
      {
        action: 'alert.draft',
        targetType: 'alert',
        targetId: r.id,
        tlp: b.tlp,
        details: {
          source: f.source,
          floor: b.floor,
          downgradeReason,
          declassifications: b.declassifications,
          reports: b.sources.map((s) => s.reportId),
        },
      },
      nowMs,
    );
    return Number(r.id);
  });
  return preview((await loadAdvisoryRow(ctx.db, id))!, b, downgradeReason);
}

export async function editAdvisory(
  ctx: AdvisoryContext,
  actor: Actor,
  id: number,
  input: EditAdvisoryInput,
): Promise<AdvisoryPreview> {
  const row = await writable(ctx, actor, id);
  if (statusOf(row) !== 'draft')
    throw new KobanError('E_CONFLICT', `alert ${id} was sent: change it with an update (a new version)`);
  const e = parseInput(EditAdvisoryInputSchema, input, 'alert');
  const f = patched(fieldsOf(row), e);
  const b = await build(ctx, actor, f);
  const downgradeReason = isDowngrade(b.tlp, b.floor) ? f.downgradeReason : null;
  const nowMs = ctx.now();
  await ctx.db.transaction().execute(async (tx) => {
    await tx
      .updateTable('member_alerts')
      .set({
        title: f.title,
        body_ja: f.bodyJa,
        body_en: f.bodyEn,
        tlp: b.tlp,
        tlp_floor: b.floor,
        downgrade_reason: downgradeReason,
        indicators: f.picks === null ? null : JSON.stringify(f.picks),
        campaign_id: b.campaignId,
        updated_ms: nowMs,
      })
      .where('id', '=', id)
      .execute();
    await appendAudit(
      tx,
      actor,
      {
        action: 'alert.edit',
        targetType: 'alert',
        targetId: id,
        tlp: b.tlp,
        details: {
          changed: changedKeys(e),
          floor: b.floor,
          downgradeReason,
          declassifications: b.declassifications,
        },
      },
      nowMs,
    );
  });
  return preview((await loadAdvisoryRow(ctx.db, id))!, b, downgradeReason);
}

/**
 * What recipients will see: for a draft, what sending it now sends; for a sent alert, what an
 * update without changes would send (the sent versions are in `get`). Built from the sources as
 * they are now — a value warning-listed since the draft, or a consent withdrawn, shows here.
 */
export async function previewAdvisory(
  ctx: AdvisoryContext,
  actor: Actor,
  id: number,
): Promise<AdvisoryPreview> {
  const row = await writable(ctx, actor, id);
  const b = await build(ctx, actor, fieldsOf(row));
  if (isAuditedRead(b.floor))
    await appendAudit(
      ctx.db,
      actor,
      {
        action: 'alert.preview',
        targetType: 'alert',
        targetId: id,
        tlp: b.tlp,
        details: { reports: b.sources.map((s) => s.reportId) },
      },
      ctx.now(),
    );
  return preview(row, b, row.downgrade_reason);
}
