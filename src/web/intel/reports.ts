/**
 * Reports: submit (a raw e-mail as message/rfc822, or JSON for the other kinds), read one, list the
 * readable ones. Intake, access and audit are the intel services'; a report the caller may not
 * read answers 404 exactly like a missing one (ReportService.get decides, the same error).
 */
import { isKobanError, KobanError } from '../../core/index.js';
import { hasScope, type IntelService, type SharingOptions } from '../../intel/index.js';
import type { ApiRoutes } from '../api-route.js';
import {
  IdParams,
  PageQuery,
  ReportGetQuery,
  ReportPageSchema,
  ReportSchema,
  ReportSubmittedSchema,
  SubmitJsonBody,
  SubmitQuery,
} from './schemas.js';
import { type ReportBody, reportBody, reportSummary } from './views.js';

export interface ReportRouteLimits {
  readonly maxEmailBytes: number;
  readonly maxJsonBytes: number;
}

type QuerySharing = {
  tlp?: SharingOptions['tlp'];
  consent?: boolean | undefined;
  audienceOrgs?: number[] | undefined;
  audienceUsers?: number[] | undefined;
};

function sharingFromQuery(q: QuerySharing): SharingOptions | null {
  if (q.tlp === undefined && q.consent === undefined && !q.audienceOrgs && !q.audienceUsers) return null;
  return {
    ...(q.tlp !== undefined ? { tlp: q.tlp } : {}),
    ...(q.consent !== undefined ? { consent: q.consent } : {}),
    audience: { orgIds: q.audienceOrgs ?? [], userIds: q.audienceUsers ?? [] },
  };
}

export function mountReportRoutes(
  api: ApiRoutes,
  intel: IntelService,
  limits: ReportRouteLimits,
  now: () => number,
): void {
  mountSubmitRoute(api, intel, limits, now);
  mountReadRoutes(api, intel, now);
}

function mountSubmitRoute(
  api: ApiRoutes,
  intel: IntelService,
  limits: ReportRouteLimits,
  now: () => number,
): void {
  api.add(
    {
      method: 'post',
      path: '/api/v1/reports',
      operationId: 'submitReport',
      summary: 'Submit a report',
      description:
        'A reported e-mail as `message/rfc822` (the .eml, headers included; sharing options as query ' +
        'parameters), or another kind as JSON `{ "report": {…}, "sharing": {…} }`. The answer is the ' +
        'stored report with its extracted observables and what it correlated with, as the caller reads it. ' +
        'Each organisation has a submission rate (429 + Retry-After past it) and a quota on the reported ' +
        'files it keeps (413); while every e-mail parser is busy and the queue is full the answer is 503 + ' +
        'Retry-After. These are checked before the upload is read.',
      tags: ['reports'],
      auth: 'actor',
      scope: 'reports:write',
      admit: (actor, c) => {
        const email =
          (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase() === 'message/rfc822';
        const declared = Number(c.req.header('Content-Length') ?? 0);
        return intel.intake.admit(actor, {
          email,
          declaredBytes: Number.isSafeInteger(declared) && declared > 0 ? declared : 0,
        });
      },
      query: SubmitQuery,
      body: {
        json: { schema: SubmitJsonBody, maxBytes: limits.maxJsonBytes },
        raw: {
          mediaTypes: ['message/rfc822'],
          maxBytes: limits.maxEmailBytes,
          description: 'The reported message as received (RFC 5322), attachments included.',
        },
      },
      responses: {
        201: {
          description: 'Stored.',
          schema: ReportSubmittedSchema,
          headers: { Location: 'The report’s URL.' },
        },
      },
      errors: [404, 429, 503],
    },
    async ({ actor, query, body }) => {
      const fromQuery = sharingFromQuery(query);
      let intake: Awaited<ReturnType<IntelService['intake']['submitEmail']>>;
      if (body.kind === 'raw') {
        intake = await intel.intake.submitEmail(actor, body.bytes, fromQuery ?? {});
      } else {
        if (fromQuery && body.value.sharing)
          throw new KobanError('E_USAGE', 'give the sharing options in the body or the query, not both');
        intake = await intel.intake.submitReport(
          actor,
          body.value.report,
          body.value.sharing ?? fromQuery ?? {},
        );
      }
      let report: ReportBody | null = null;
      if (hasScope(actor, 'reports:read')) {
        try {
          report = await reportBody(intel, actor, intake.reportId, { includePrivate: false, nowMs: now() });
        } catch (e) {
          // Stored either way: a read-back the labels refuse must not turn the 201 into an error.
          if (!isKobanError(e) || e.code !== 'E_NOT_FOUND') throw e;
        }
      }
      return {
        status: 201,
        body: { id: intake.reportId, report, warnings: [...intake.warnings] },
        headers: { Location: `/api/v1/reports/${intake.reportId}` },
      };
    },
  );
}

function mountReadRoutes(api: ApiRoutes, intel: IntelService, now: () => number): void {
  api.add(
    {
      method: 'get',
      path: '/api/v1/reports/{id}',
      operationId: 'getReport',
      summary: 'One report, as the caller may read it',
      description:
        'The shared content, observables, readable linked reports (others only counted) and the ' +
        'campaign if readable. Absent and unreadable reports both answer 404.',
      tags: ['reports'],
      auth: 'actor',
      scope: 'reports:read',
      params: IdParams,
      query: ReportGetQuery,
      responses: { 200: { description: 'The report.', schema: ReportSchema } },
      errors: [404],
    },
    async ({ actor, params, query }) => ({
      status: 200,
      body: await reportBody(intel, actor, params.id, {
        includePrivate: query.include === 'private',
        nowMs: now(),
      }),
    }),
  );

  api.add(
    {
      method: 'get',
      path: '/api/v1/reports',
      operationId: 'listReports',
      summary: 'Reports the caller may read, newest first',
      tags: ['reports'],
      auth: 'actor',
      scope: 'reports:read',
      query: PageQuery,
      responses: { 200: { description: 'One page.', schema: ReportPageSchema } },
    },
    async ({ actor, query }) => {
      if (query.cursor !== undefined && !/^\d{1,15}$/.test(query.cursor))
        throw new KobanError('E_USAGE', 'query: cursor: not a cursor of this list');
      const list = await intel.reports.list(actor, {
        limit: query.limit,
        ...(query.cursor !== undefined ? { beforeId: Number(query.cursor) } : {}),
      });
      const last = list.at(-1);
      return {
        status: 200,
        body: {
          reports: list.map(reportSummary),
          nextCursor: list.length === query.limit && last ? String(last.id) : null,
        },
      };
    },
  );
}
