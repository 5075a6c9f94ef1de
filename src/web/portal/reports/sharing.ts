/**
 * The sharing network's chapter of a periodic report: targeted e-mails reported per month, C2
 * destinations by country, campaigns formed and advisories sent — counts only. They are read
 * through intel's services as the center (which reads the reports of every member: a statistic
 * over fewer would misstate the network), so what leaves here is aggregates alone, each count
 * below the public threshold withheld (null) like the observation release's
 * (docs/public-statistics.md): never a member's name, a report, a value or a campaign's name.
 */
import { systemActor } from '../../../intel/index.js';
import type { WebContext } from '../../context.js';
import type { MonthId } from '../release/month.js';
import { monthKey, monthOf } from '../release/month.js';

export type SharingContext = Pick<WebContext, 'intel' | 'publicStats' | 'countryLookup'>;

export interface SharingMonth {
  readonly month: string;
  readonly reports: number | null;
  readonly emails: number | null;
}

export interface SharingChapter {
  readonly months: readonly SharingMonth[];
  readonly reports: number | null;
  readonly emails: number | null;
  /** Distinct C2 destinations named by the period's reports; addresses of them by country. */
  readonly c2: {
    readonly destinations: number | null;
    readonly addresses: number | null;
    readonly byCountry: readonly { country: string; destinations: number; share: number }[];
  };
  /** Campaigns formed in the period, and the reports they hold. */
  readonly campaigns: number | null;
  readonly campaignReports: number | null;
  /** Advisories sent to members in the period (withdrawn ones later included: they went out). */
  readonly advisoriesSent: number | null;
}

/** The actor the reports read the network as; its name is in the audit log of every read. */
const PUBLISHER = systemActor('publish');
const PAGE = 1000;

async function campaignsFormed(ctx: SharingContext, range: { fromMs: number; toMs: number }) {
  let formed = 0;
  let reports = 0;
  let after: { updatedMs: number; id: number } | undefined;
  // Newest change first: a campaign formed in the period may have changed any time since.
  for (;;) {
    const page = await ctx.intel.campaigns.list(PUBLISHER, { after, limit: PAGE });
    for (const c of page)
      if (c.createdMs >= range.fromMs && c.createdMs < range.toMs) {
        formed++;
        reports += c.reportCount;
      }
    const last = page[page.length - 1];
    if (page.length < PAGE || !last || last.updatedMs < range.fromMs) break;
    after = { updatedMs: last.updatedMs, id: last.id };
  }
  return { formed, reports };
}

async function advisoriesSent(ctx: SharingContext, range: { fromMs: number; toMs: number }) {
  let n = 0;
  for (const status of ['sent', 'withdrawn'] as const) {
    let beforeId: number | undefined;
    for (;;) {
      const page = await ctx.intel.advisories.list(PUBLISHER, { status, beforeId, limit: PAGE });
      for (const a of page) if (a.sentMs !== null && a.sentMs >= range.fromMs && a.sentMs < range.toMs) n++;
      const last = page[page.length - 1];
      if (page.length < PAGE || !last) break;
      beforeId = last.id;
    }
  }
  return n;
}

export async function gatherSharing(
  ctx: SharingContext,
  months: readonly MonthId[],
  range: { fromMs: number; toMs: number },
  utcOffsetMinutes: number,
): Promise<SharingChapter> {
  const min = ctx.publicStats.minCount;
  const shown = (n: number) => (n >= min ? n : null);
  const window = { sinceMs: range.fromMs, untilMs: range.toMs };
  const countryOf = await ctx.countryLookup();
  const [periods, c2, campaigns, sent] = await Promise.all([
    ctx.intel.stats.reportsPerPeriod(PUBLISHER, { ...window, bucket: 'month', utcOffsetMinutes }),
    ctx.intel.stats.c2ByCountry(PUBLISHER, countryOf, window),
    campaignsFormed(ctx, range),
    advisoriesSent(ctx, range),
  ]);
  const perMonth = new Map(periods.map((p) => [monthKey(monthOf(p.startMs, utcOffsetMinutes)), p]));
  const rows = months.map((m) => {
    const p = perMonth.get(monthKey(m));
    return { month: monthKey(m), reports: shown(p?.reports ?? 0), emails: shown(p?.emails ?? 0) };
  });
  const reports = periods.reduce((s, p) => s + p.reports, 0);
  const emails = periods.reduce((s, p) => s + p.emails, 0);
  // A country below the threshold is left out, as the release's rankings leave out a small row:
  // its presence alone would say a member saw a destination there.
  const byCountry = c2.byCountry
    .filter((r) => r.country !== 'unknown' && r.destinations >= min)
    .map((r) => ({ country: r.country, destinations: r.destinations, share: r.share }));
  return {
    months: rows,
    reports: shown(reports),
    emails: shown(emails),
    c2: { destinations: shown(c2.destinations), addresses: shown(c2.addresses), byCountry },
    campaigns: shown(campaigns.formed),
    campaignReports: shown(campaigns.reports),
    advisoriesSent: shown(sent),
  };
}
