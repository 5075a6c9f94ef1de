import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HAVE_SAMPLES, sample } from '../../../test/samples.js';
import type { Database } from '../../db/index.js';
import { type Cast, intelFixture, openTestIntel, seedCast, T0, type TestIntel } from '../_testkit.js';
import { appendAudit, listAudit } from '../audit/audit.js';
import { type CorrelationResult, correlate } from '../campaigns/correlate.js';
import { dedupe, IndicatorStore } from '../indicators/store.js';
import { WarningList } from '../indicators/warning-list.js';
import { correlationSummary } from './batch-correlate.js';
import { type StoreItem, storeBatch } from './batch-store.js';
import { IntakePipeline } from './intake-pipeline.js';
import { insertReport, plausibleDate } from './new-report.js';
import { prepareEmail } from './prepare-email.js';

// A small fan-out, so that the batch's bounded reads of a value's holders (and their repeat when
// holders outside the batch fill them) decide what they decide with the default of 25.
const FAN_OUT = 3;

let a: TestIntel;
let b: TestIntel;
let castA: Cast;
let castB: Cast;

beforeEach(async () => {
  a = await openTestIntel({ fanOut: FAN_OUT });
  b = await openTestIntel({ fanOut: FAN_OUT });
  castA = await seedCast(a);
  castB = await seedCast(b);
});
afterEach(async () => {
  await a.close();
  await b.close();
});

/**
 * The same lures reported by several members, as campaigns are: the reference fixtures and, three
 * times over, each real sample (or, without the samples, each fixture four times), reported by
 * several members with one URL host changed in the third copy, so values repeat across reports and
 * some reports join two groups.
 */
function messages(): { raw: Buffer; member: keyof Cast }[] {
  const members: (keyof Cast)[] = ['x', 'y', 'p1', 'p2', 'p3', 'mssp'];
  const out: { raw: Buffer; member: keyof Cast }[] = [
    { raw: intelFixture('x-lure-p1.eml'), member: 'p1' },
    { raw: intelFixture('x-lure-p2.eml'), member: 'p2' },
    { raw: intelFixture('y-lure-p3.eml'), member: 'p3' },
    { raw: intelFixture('x-lure-p1.eml'), member: 'x' },
  ];
  // Without the samples, the fixtures themselves are copied the same way: a burst of a handful of
  // reports would not show what batching saves.
  const sources = HAVE_SAMPLES
    ? readdirSync(sample('email'))
        .filter((f) => f.endsWith('.eml'))
        .sort()
        .map((f) => readFileSync(join(sample('email'), f)))
    : Array.from({ length: 4 }, () => out.map((m) => m.raw)).flat();
  for (let copy = 0; copy < 3; copy++) {
    for (const [i, raw] of sources.entries()) {
      const text = raw
        .toString('latin1')
        .replace(
          /(https?:\/\/)([a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)+)/i,
          (_m, p: string, h: string) => `${p}${copy === 2 ? 'c2.' : ''}${h}`,
        );
      out.push({ raw: Buffer.from(text, 'latin1'), member: members[(i + copy) % members.length]! });
    }
  }
  return out;
}

/** Each message as intake would store it, received one second after the previous one. */
async function items(t: TestIntel, cast: Cast): Promise<StoreItem[]> {
  const list = await WarningList.load(t.db);
  const out: StoreItem[] = [];
  for (const [i, m] of messages().entries()) {
    const who = cast[m.member];
    const p = await prepareEmail(
      m.raw,
      { reporterDomains: who.org.domains, reporterAddresses: [who.user.email] },
      list,
    );
    const receivedMs = T0 + i * 1000;
    out.push({
      actor: who.actor,
      report: {
        kind: 'email',
        org: who.org,
        tlp: 'AMBER',
        consent: false,
        audience: { orgIds: [], userIds: [] },
        title: p.title,
        receivedMs,
        observedMs: plausibleDate(p.date ?? undefined, receivedMs),
        sharedJson: p.sharedJson,
        privateJson: p.privateJson,
        evidence: { sha256: p.sha256, sizeBytes: p.sizeBytes, mediaType: 'message/rfc822' },
        candidates: p.candidates,
      },
      candidates: dedupe(p.candidates),
    });
  }
  return out;
}

async function centerOf(t: TestIntel): Promise<number> {
  return (await t.intel.orgs.centerOrgId())!;
}

/** What intake did before batching: each report stored and correlated alone, in one transaction. */
async function oneByOne(t: TestIntel, all: readonly StoreItem[], db = t.db): Promise<CorrelationResult[]> {
  const list = await WarningList.load(t.db);
  const store = new IndicatorStore(db);
  const centerOrgId = await centerOf(t);
  const out: CorrelationResult[] = [];
  for (const it of all) {
    const r = it.report;
    out.push(
      await db.transaction().execute(async (tx) => {
        const id = await insertReport(tx, it.actor, r);
        await t.intel.evidence.keep(tx, it.actor, { ...r.evidence!, reportId: id }, r.receivedMs);
        const sighted = await store.record(
          tx,
          {
            id,
            orgId: r.org.id,
            sector: r.org.sector,
            prefecture: r.org.prefecture,
            tlp: r.tlp,
            observedMs: r.observedMs,
            addedBy: it.actor.userId,
            addedMs: r.receivedMs,
          },
          it.candidates,
          list,
        );
        const c = await correlate(tx, id, sighted, {
          nowMs: r.receivedMs,
          fanOut: FAN_OUT,
          centerOrgId,
          isNew: true,
        });
        const details = {
          kind: r.kind,
          orgId: r.org.id,
          consent: r.consent,
          evidence: r.evidence!.sha256,
          indicators: sighted.length,
        };
        await appendAudit(
          tx,
          it.actor,
          {
            action: 'report.create',
            targetType: 'report',
            targetId: id,
            tlp: r.tlp,
            details: { ...details, ...correlationSummary(c) },
          },
          r.receivedMs,
        );
        return c;
      }),
    );
  }
  return out;
}

/** Everything intake writes, with indicator ids replaced by their values (ids are the engine's). */
async function snapshot(t: TestIntel) {
  const db = t.db;
  const values = new Map(
    (await db.selectFrom('indicators').select(['id', 'type', 'value']).execute()).map((r) => [
      Number(r.id),
      `${r.type}:${r.value}`,
    ]),
  );
  const named = (json: string) => (JSON.parse(json) as number[]).map((id) => values.get(id));
  const rows = async (table: keyof Database, order: string) =>
    (
      await sql<
        Record<string, unknown>
      >`select * from ${sql.table(table)} order by ${sql.raw(order)}`.execute(db)
    ).rows;
  const strip = (r: Record<string, unknown>, ...cols: string[]) =>
    Object.fromEntries(Object.entries(r).filter(([k]) => !cols.includes(k)));
  const audit = (await listAudit(db, { limit: 10_000 }))
    .filter((r) => r.action === 'report.create')
    .map((r) => ({ at: r.atMs, actor: r.actorLabel, target: r.targetId, details: r.details }))
    .reverse();
  return {
    reports: (await rows('reports', 'id')).map((r) => strip(r, 'triage_ms')),
    indicators: (await rows('indicators', 'type, value')).map((r) => strip(r, 'id')),
    reportIndicators: (await rows('report_indicators', 'report_id, indicator_id'))
      .map(
        (r): Record<string, unknown> => ({
          ...strip(r, 'indicator_id'),
          value: values.get(Number(r.indicator_id)),
        }),
      )
      .sort(
        (x, y) => Number(x.report_id) - Number(y.report_id) || String(x.value).localeCompare(String(y.value)),
      ),
    facets: (await rows('indicator_facets', 'indicator_id, facet, value'))
      .map((r) => `${values.get(Number(r.indicator_id))} ${r.facet}=${r.value}`)
      .sort(),
    links: (await rows('report_links', 'report_id, linked_report_id')).map((r) => ({
      ...r,
      indicator_ids: named(String(r.indicator_ids)),
    })),
    campaigns: await rows('campaigns', 'id'),
    bridges: (await rows('campaign_bridges', 'id')).map((r) => strip(r, 'id')),
    evidence: await rows('evidence', 'sha256'),
    custody: (await rows('custody', 'id')).map((r) => strip(r, 'hash', 'prev_hash')),
    audit,
    queued: (await rows('report_correlation_queue', 'report_id')).length,
  };
}

async function pipeline(t: TestIntel, maxBatch?: number, db = t.db): Promise<IntakePipeline> {
  const list = await WarningList.load(t.db);
  const centerOrgId = await centerOf(t);
  return new IntakePipeline(db, {
    fanOut: FAN_OUT,
    centerOrgId: async () => centerOrgId,
    warningList: () => list,
    ...(maxBatch ? { maxBatch } : {}),
  });
}

describe('batched intake', () => {
  it('stores and correlates a burst in batches exactly as one report at a time: rows, links, campaigns, audit', async () => {
    const reference = await oneByOne(a, await items(a, castA));
    const all = await items(b, castB);
    const p = await pipeline(b, 7);
    // Submitted together: the first round takes them 7 at a time.
    const results = await Promise.all(all.map((it) => p.submit(it)));
    const expected = await snapshot(a);
    const got = await snapshot(b);
    expect(got).toEqual(expected);
    const byValue = async (t: TestIntel, cs: readonly CorrelationResult[]) => {
      const values = new Map(
        (await t.db.selectFrom('indicators').select(['id', 'value']).execute()).map((r) => [
          Number(r.id),
          r.value,
        ]),
      );
      return cs.map((c) => ({
        ...c,
        links: c.links.map((l) => ({ ...l, indicatorIds: l.indicatorIds.map((id) => values.get(id)) })),
      }));
    };
    expect(
      await byValue(
        b,
        results.map((r) => r.correlation!),
      ),
    ).toEqual(await byValue(a, reference));
    // The input is one that links and groups: the comparison is not of empty tables.
    expect(expected.links.length).toBeGreaterThan(HAVE_SAMPLES ? 40 : 1);
    expect(expected.campaigns.length).toBeGreaterThan(HAVE_SAMPLES ? 2 : 0);
    expect(got.queued).toBe(0);
  });

  it('correlates after a restart what was stored and not yet correlated, losing nothing', async () => {
    await oneByOne(a, await items(a, castA));
    const all = await items(b, castB);
    // The process stores two batches and dies before correlating them.
    const list = await WarningList.load(b.db);
    await b.db.transaction().execute((tx) => storeBatch(tx, all.slice(0, 5), list));
    await b.db.transaction().execute((tx) => storeBatch(tx, all.slice(5), list));
    expect((await snapshot(b)).queued).toBe(all.length);
    expect((await snapshot(b)).links).toEqual([]);
    // The next process's pipeline drains the queue on start.
    await (await pipeline(b, 4)).drain();
    const got = await snapshot(b);
    const expected = await snapshot(a);
    // After a restart a report's values are read back in id order, not in the order it listed
    // them: a link keeps its weight, and its first shared ids may be others among those shared.
    const unordered = (ls: typeof got.links) =>
      ls.map((l) => ({ ...l, indicator_ids: (l.indicator_ids as string[]).length }));
    expect(unordered(got.links)).toEqual(unordered(expected.links));
    expect(got.campaigns).toEqual(expected.campaigns);
    expect(got.reports).toEqual(expected.reports);
    expect(got.audit).toEqual(expected.audit);
    expect(got.queued).toBe(0);
    // Correlating again finds nothing to do: no duplicate links, bridges or audit rows.
    await (await pipeline(b, 4)).drain();
    expect(await snapshot(b)).toEqual(got);
  });

  it('answers a report whose linking fails as stored and pending, keeps it queued and links it on the retry', async () => {
    const all = await items(b, castB);
    // Linking fails while `broken` holds: every insert of a link throws, as a full disk would.
    let broken = true;
    const db = b.db.withPlugin({
      transformQuery: (args) => {
        const node = args.node as { kind: string; into?: { table?: { identifier?: { name?: string } } } };
        if (
          broken &&
          node.kind === 'InsertQueryNode' &&
          node.into?.table?.identifier?.name === 'report_links'
        )
          throw new Error('disk full (simulated)');
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const list = await WarningList.load(b.db);
    const centerOrgId = await centerOf(b);
    const p = new IntakePipeline(db, {
      fanOut: FAN_OUT,
      centerOrgId: async () => centerOrgId,
      warningList: () => list,
      maxBatch: 7,
      retryMs: 5,
    });
    try {
      const results = await Promise.all(all.map((it) => p.submit(it)));
      const pending = results.filter((r) => r.correlation === null);
      // Every submission resolved with its stored report, none twice; those that link are pending.
      expect(new Set(results.map((r) => r.stored.reportId)).size).toBe(all.length);
      expect(pending.length).toBeGreaterThan(0);
      expect(pending.length).toBeLessThan(all.length);
      for (const r of pending) expect(r.pendingReason).toContain('disk full (simulated)');
      let s = await snapshot(b);
      expect(s.reports.length).toBe(all.length);
      expect(s.queued).toBe(pending.length);
      expect(s.links).toEqual([]);
      // The disk is freed: the retry timer links them without another submission.
      broken = false;
      await vi.waitFor(async () => expect((await snapshot(b)).queued).toBe(0), {
        timeout: 60_000,
        interval: 20,
      });
      s = await snapshot(b);
      expect(s.links.length).toBeGreaterThan(0);
      expect(s.reports.length).toBe(all.length);
      expect(s.audit.length).toBe(all.length);
    } finally {
      p.close();
    }
  });

  it('writes a burst with a few statements per batch, where one report at a time took a dozen each', async () => {
    const counter = (t: TestIntel) => {
      const n = { statements: 0 };
      const db = t.db.withPlugin({
        transformQuery: (args) => {
          n.statements++;
          return args.node;
        },
        transformResult: async (args) => args.result,
      });
      return { n, db };
    };
    const before = counter(a);
    const fromA = await items(a, castA);
    await oneByOne(a, fromA, before.db);
    const after = counter(b);
    const p = await pipeline(b, undefined, after.db);
    const fromB = await items(b, castB);
    await Promise.all(fromB.map((it) => p.submit(it)));
    expect(before.n.statements).toBeGreaterThanOrEqual(12 * fromA.length);
    expect(after.n.statements * 5).toBeLessThan(before.n.statements);
  });
});

describe('intake through the service', () => {
  it('answers each of many concurrent submissions with its own report and correlation', async () => {
    const msgs = messages();
    const results = await Promise.all(
      msgs.map((m) => b.intel.intake.submitEmail(castB[m.member].actor, m.raw)),
    );
    expect(results.map((r) => r.reportId).sort((x, y) => x - y)).toEqual(msgs.map((_, i) => i + 1));
    const audit = new Map(
      (await listAudit(b.db, { limit: 10_000 }))
        .filter((r) => r.action === 'report.create')
        .map((r) => [Number(r.targetId), r.details]),
    );
    for (const r of results) {
      expect(audit.get(r.reportId)).toMatchObject({
        links: r.correlation!.links.length,
        campaign: r.correlation!.campaignId,
        evidence: r.evidenceSha256,
        indicators: r.indicators.length,
      });
      const stored = await b.db
        .selectFrom('report_links')
        .select(({ fn }) => fn.countAll<number>().as('n'))
        .where('report_id', '=', r.reportId)
        .executeTakeFirstOrThrow();
      expect(Number(stored.n)).toBe(r.correlation!.links.length);
    }
    expect((await snapshot(b)).queued).toBe(0);
  });
});
