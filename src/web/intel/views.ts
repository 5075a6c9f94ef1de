/**
 * The services' views turned into the API's answers (schemas.ts): times as ISO strings, fields
 * named for the wire, and only the fields the declaration names. Every value comes from a service
 * call that applied intel's access rules for the actor; nothing here reads data on its own.
 */
import type { z } from 'zod';
import {
  type Actor,
  type CampaignSummary,
  type CampaignView,
  campaignsOfIndicator,
  hiddenLinkedReports,
  type IndicatorView,
  type IntelService,
  type ReporterView,
  type ReportSummary,
  readableCampaign,
} from '../../intel/index.js';
import type {
  CampaignRefSchema,
  CampaignSchema,
  CampaignSummarySchema,
  IndicatorSchema,
  ReportSchema,
  ReportSummarySchema,
} from './schemas.js';

export type CampaignRef = z.output<typeof CampaignRefSchema>;
export type ReportBody = z.output<typeof ReportSchema>;

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function reporter(r: ReporterView | null) {
  return r === null
    ? null
    : {
        orgId: r.orgId,
        orgName: r.orgName,
        orgKind: r.orgKind,
        sector: r.sector,
        prefecture: r.prefecture,
        userId: r.userId,
      };
}

export function reportSummary(s: ReportSummary): z.output<typeof ReportSummarySchema> {
  return {
    id: s.id,
    kind: s.kind,
    tlp: s.tlp,
    title: s.title,
    receivedAt: iso(s.receivedMs),
    observedAt: iso(s.observedMs),
    reporter: reporter(s.reporter),
  };
}

/**
 * One report as the actor reads it; E_NOT_FOUND (from the service) when it is absent or not
 * readable. The private part is read only when asked for and allowed: the view names the reporter
 * exactly when the private-part rule lets the actor see it, and every such read is audited.
 */
export async function reportBody(
  intel: IntelService,
  actor: Actor,
  id: number,
  opts: { includePrivate: boolean; nowMs: number },
): Promise<ReportBody> {
  const v = await intel.reports.get(actor, id);
  const privatePart =
    opts.includePrivate && v.reporter !== null ? await intel.reports.privatePart(actor, id) : null;
  const campaign =
    v.campaignId === null ? null : await readableCampaign(intel, actor, v.campaignId, opts.nowMs);
  return {
    ...reportSummary(v),
    consent: v.consent,
    shared: v.shared,
    private: privatePart,
    evidenceSha256: v.evidenceSha256,
    observables: v.indicators.map((i) => ({
      type: i.type,
      value: i.value,
      role: i.role,
      confidence: i.confidence,
      context: i.context,
      warning: i.warning,
      reportCount: i.reportCount,
      orgCount: i.orgCount,
    })),
    correlations: {
      links: v.links.map((l) => ({ reportId: l.reportId, weight: l.weight })),
      otherLinkedReports: await hiddenLinkedReports(intel, actor, id, v.links.length),
    },
    campaign,
  };
}

export async function indicatorBody(
  intel: IntelService,
  actor: Actor,
  v: IndicatorView,
  nowMs: number,
): Promise<z.output<typeof IndicatorSchema>> {
  return {
    id: v.id,
    type: v.type,
    value: v.value,
    tlp: v.readAs,
    firstSeenAt: iso(v.firstSeenMs),
    lastSeenAt: iso(v.lastSeenMs),
    expiresAt: v.expiresMs === null ? null : iso(v.expiresMs),
    reportCount: v.reportCount,
    orgCount: v.orgCount,
    sectorCount: v.sectorCount,
    prefectureCount: v.prefectureCount,
    confidence: v.confidence,
    warning: v.warning,
    fuzzy: v.fuzzy,
    ...(v.sectors ? { sectors: [...v.sectors] } : {}),
    ...(v.prefectures ? { prefectures: [...v.prefectures] } : {}),
    campaigns: await campaignsOfIndicator(intel, actor, v.id, nowMs),
  };
}

export function campaignSummary(c: CampaignSummary): z.output<typeof CampaignSummarySchema> {
  return {
    id: c.id,
    name: c.name,
    tlp: c.tlp,
    reportCount: c.reportCount,
    createdAt: iso(c.createdMs),
    updatedAt: iso(c.updatedMs),
  };
}

export function campaignBody(c: CampaignView): z.output<typeof CampaignSchema> {
  return {
    ...campaignSummary(c),
    reports: c.reports.map(reportSummary),
    indicators: c.indicators.map((i) => ({
      type: i.type,
      value: i.value,
      reports: i.reports,
      orgCount: i.orgCount,
    })),
    bridges: c.bridges.map((b) => ({
      otherCampaignId: b.otherCampaignId,
      reportId: b.reportId,
      weight: b.weight,
    })),
  };
}
