/**
 * The material an alert quotes, read as the drafting analyst: the source report, or the reports of
 * the source campaign that the analyst may read (access.ts decides; nothing else is loaded), with
 * their shareable content, labels, reporting organisations and indicators. From each private part
 * it takes only the strings that identify recipients or the reporter — to remove them wherever
 * they might still appear, never to show them. A private part it cannot read stops the build:
 * redaction fails closed.
 */
import { z } from 'zod';
import { KobanError } from '../../core/index.js';
import type { RelationalDb } from '../../db/index.js';
import type { Actor } from '../identity/actor.js';
import {
  type IndicatorRole,
  IndicatorRoleSchema,
  type IndicatorType,
  IndicatorTypeSchema,
} from '../indicators/types.js';
import { mayRead, readableWhere } from '../labels/access.js';
import { loadLabelled, loadLabelledCampaign } from '../labels/labelled.js';
import { storedTlp, type Tlp } from '../labels/tlp.js';
import type { AdvisorySource } from './inputs.js';

/** Strings that identify a recipient or the reporter (from the private part and the organisation). */
export interface Identifying {
  readonly addresses: readonly string[];
  readonly domains: readonly string[];
  readonly names: readonly string[];
  /** Other private values: internal hosts and addresses, signature lines. */
  readonly values: readonly string[];
}

export interface SourceReport {
  readonly id: number;
  readonly kind: string;
  readonly tlp: Tlp;
  readonly title: string;
  readonly shared: unknown;
  readonly consent: boolean;
  readonly org: {
    readonly id: number;
    readonly name: string;
    readonly sector: string | null;
    readonly prefecture: string | null;
    readonly domains: readonly string[];
  };
  readonly reporterEmail: string | null;
  readonly identifying: Identifying;
}

export interface SourceIndicator {
  readonly reportId: number;
  readonly type: IndicatorType;
  readonly value: string;
  readonly role: IndicatorRole;
  readonly warning: string | null;
}

export interface AdvisorySources {
  readonly campaign: { readonly id: number; readonly tlp: Tlp } | null;
  readonly reports: readonly SourceReport[];
  readonly indicators: readonly SourceIndicator[];
}

/** A campaign's alert quotes at most this many of its reports (the newest). */
export const MAX_SOURCE_REPORTS = 1000;

type PrivateShape = {
  recipients?: { addresses: string[]; domains: string[]; names: string[] } | undefined;
  observables?: { value: string }[] | undefined;
  values?: { value: string }[] | undefined;
  signatures?: string[] | undefined;
  attachedMessages?: PrivateShape[] | undefined;
};

const Strings = z.array(z.string()).default([]);
const PrivateSchema: z.ZodType<PrivateShape> = z.lazy(() =>
  z.object({
    recipients: z.object({ addresses: Strings, domains: Strings, names: Strings }).optional(),
    observables: z.array(z.object({ value: z.string() })).optional(),
    values: z.array(z.object({ value: z.string() })).optional(),
    signatures: z.array(z.string()).optional(),
    attachedMessages: z.array(PrivateSchema).optional(),
  }),
);

function identifyingOf(reportId: number, content: string): Identifying {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    parsed = undefined;
  }
  const r = PrivateSchema.safeParse(parsed);
  if (!r.success)
    throw new KobanError('E_INTERNAL', `the private part of report ${reportId} cannot be read to redact it`);
  const out = {
    addresses: [] as string[],
    domains: [] as string[],
    names: [] as string[],
    values: [] as string[],
  };
  const walk = (p: PrivateShape) => {
    out.addresses.push(...(p.recipients?.addresses ?? []));
    out.domains.push(...(p.recipients?.domains ?? []));
    out.names.push(...(p.recipients?.names ?? []));
    for (const o of [...(p.observables ?? []), ...(p.values ?? [])]) out.values.push(o.value);
    for (const s of p.signatures ?? []) out.values.push(...s.split(/\r?\n/).map((l) => l.trim()));
    for (const m of p.attachedMessages ?? []) walk(m);
  };
  walk(r.data);
  return out;
}

async function sourceReportIds(
  db: RelationalDb,
  actor: Actor,
  source: Exclude<AdvisorySource, { type: 'none' }>,
) {
  if (source.type === 'report') {
    const label = await loadLabelled(db, source.id);
    if (!label || !mayRead(actor, 'report', label))
      throw new KobanError('E_NOT_FOUND', `no report ${source.id}`);
    return { campaign: null, ids: [source.id] };
  }
  const label = await loadLabelledCampaign(db, source.id);
  if (!label || !mayRead(actor, 'campaign', label))
    throw new KobanError('E_NOT_FOUND', `no campaign ${source.id}`);
  const c = await db
    .selectFrom('campaigns')
    .select('merged_into')
    .where('id', '=', source.id)
    .executeTakeFirstOrThrow();
  if (c.merged_into !== null)
    throw new KobanError(
      'E_CONFLICT',
      `campaign ${source.id} was merged into ${c.merged_into}; draft from that one`,
    );
  const rows = await db
    .selectFrom('reports as r')
    .select('r.id')
    .where('r.campaign_id', '=', source.id)
    .where(readableWhere(actor, 'report', 'r'))
    .orderBy('r.id', 'desc')
    .limit(MAX_SOURCE_REPORTS)
    .execute();
  if (rows.length === 0)
    throw new KobanError('E_USAGE', `campaign ${source.id} has no report ${actor.label} may read to quote`);
  return {
    campaign: { id: source.id, tlp: label.tlp },
    ids: rows.map((r) => Number(r.id)).sort((a, b) => a - b),
  };
}

/** Loads what the alert may quote, as `actor` may read it. */
export async function loadSources(
  db: RelationalDb,
  actor: Actor,
  source: AdvisorySource,
): Promise<AdvisorySources> {
  // A draft written from scratch quotes nothing: no report is read, nothing to share or redact.
  if (source.type === 'none') return { campaign: null, reports: [], indicators: [] };
  const { campaign, ids } = await sourceReportIds(db, actor, source);
  const reports: SourceReport[] = [];
  const indicators: SourceIndicator[] = [];
  for (let i = 0; i < ids.length; i += 200) {
    const chunk = ids.slice(i, i + 200);
    const rows = await db
      .selectFrom('reports as r')
      .innerJoin('organisations as o', 'o.id', 'r.org_id')
      .innerJoin('report_private as p', 'p.report_id', 'r.id')
      .leftJoin('users as u', 'u.id', 'r.created_by')
      .select([
        'r.id',
        'r.kind',
        'r.tlp',
        'r.title',
        'r.shared',
        'r.consent',
        'o.id as org_id',
        'o.name as org_name',
        'o.sector',
        'o.prefecture',
        'o.domains',
        'u.email as reporter_email',
        'p.content as private_content',
      ])
      .where('r.id', 'in', chunk)
      .orderBy('r.id')
      .execute();
    for (const r of rows) {
      const id = Number(r.id);
      reports.push({
        id,
        kind: r.kind,
        tlp: storedTlp(r.tlp),
        title: r.title,
        shared: JSON.parse(r.shared) as unknown,
        consent: Number(r.consent) === 1,
        org: {
          id: Number(r.org_id),
          name: r.org_name,
          sector: r.sector,
          prefecture: r.prefecture,
          domains: JSON.parse(r.domains) as string[],
        },
        reporterEmail: r.reporter_email,
        identifying: identifyingOf(id, r.private_content),
      });
    }
    const ind = await db
      .selectFrom('report_indicators as ri')
      .innerJoin('indicators as i', 'i.id', 'ri.indicator_id')
      .select(['ri.report_id', 'i.type', 'i.value', 'ri.role', 'i.warning'])
      .where('ri.report_id', 'in', chunk)
      .orderBy('ri.report_id')
      .orderBy('i.id')
      .execute();
    for (const x of ind) {
      indicators.push({
        reportId: Number(x.report_id),
        type: IndicatorTypeSchema.parse(x.type),
        value: x.value,
        role: IndicatorRoleSchema.parse(x.role),
        warning: x.warning,
      });
    }
  }
  return { campaign, reports, indicators };
}
