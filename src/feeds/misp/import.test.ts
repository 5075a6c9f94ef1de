// MISP in: the shared samples (CIRCL OSINT events, PyMISP's test events, two warninglists) through
// `SharingImporter` — the one entry of `koban intel import` — attribute by attribute, with every
// skip and rejection explained; the same event twice is one report; warninglists become Koban's
// warning-list entries.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HAVE_SAMPLES, sample } from '../../../test/samples.js';
import { openTestIntel, type TestIntel } from '../../intel/_testkit.js';
import { type SharingImport, SharingImporter } from '../index.js';

let t: TestIntel;
let dir: string;
beforeEach(async () => {
  t = await openTestIntel();
  await t.intel.orgs.add(t.system, { name: 'Center', kind: 'center' });
  dir = mkdtempSync(join(tmpdir(), 'koban-misp-in-'));
});
afterEach(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

type Misp = Extract<SharingImport, { format: 'misp-event' | 'misp-feed' }>;
const importer = () => new SharingImporter(t.intel, () => t.clock.ms);
async function imp(path: string): Promise<Misp> {
  const r = await importer().importPath(t.system, path);
  if (r.format !== 'misp-event' && r.format !== 'misp-feed') throw new Error(`not MISP: ${r.format}`);
  return r;
}
const reasons = (r: Misp) => {
  const m = new Map<string, number>();
  for (const s of r.skipped) m.set(`${s.type}: ${s.reason}`, (m.get(`${s.type}: ${s.reason}`) ?? 0) + 1);
  return Object.fromEntries([...m].sort());
};
async function valuesOf(reportId: number) {
  const rows = await t.db
    .selectFrom('report_indicators as ri')
    .innerJoin('indicators as i', 'i.id', 'ri.indicator_id')
    .select(['i.type', 'i.value'])
    .where('ri.report_id', '=', reportId)
    .execute();
  return rows.map((r) => `${r.type}:${r.value}`).sort();
}

describe.skipIf(!HAVE_SAMPLES)('MISP events in (shared samples)', () => {
  it('imports the SunOrcal event: 50 indicators kept, 25 attributes skipped with reasons, none rejected', async () => {
    const r = await imp(sample('misp/pymisp-reportlab-to_delete1-sunorcal.json'));
    expect(r.counts).toEqual({
      reports: 1,
      campaigns: 0,
      attributes: 50,
      unchanged: 0,
      updated: 0,
      withdrawn: 0,
      added: 0,
    });
    expect(r.rejected).toEqual([]);
    expect(reasons(r)).toEqual({
      'misp-attribute:comment: a comment is prose, not an indicator': 1,
      'misp-attribute:filename: MISP type filename has no Koban equivalent': 4,
      'misp-attribute:link: a link is a reference to a source, not an indicator': 15,
      'misp-attribute:regkey: MISP type regkey has no Koban equivalent': 5,
    });
    const values = await valuesOf(r.reportIds[0]!);
    expect(values.length).toBe(50);
    expect(values).toContain('ipv4:98.126.156.210');
    expect(values).toContain('domain:www.olinaodi.com');
    expect(values).toContain('sha256:d560f44188fb56d3abb11d9508e1167329470de19b811163eb1167534722e666');
    const report = await t.db
      .selectFrom('reports')
      .selectAll()
      .where('id', '=', r.reportIds[0]!)
      .executeTakeFirstOrThrow();
    expect([report.tlp, report.title, report.kind]).toEqual([
      'CLEAR',
      'OSINT -  New Malware with Ties to SunOrcal Discovered',
      'imported',
    ]);
    expect(JSON.parse(report.shared)).toMatchObject({
      format: 'misp',
      source: 'CIRCL',
      externalId: '5a0a9aa9-23a4-4607-b6df-41a9950d210f',
      labels: ['type:OSINT', 'circl:incident-classification="malware"', 'osint:source-type="blog-post"'],
    });
  });

  it('imports the objects’ attributes too (Qakbot: 24 ip-port objects)', async () => {
    const r = await imp(sample('misp/pymisp-reportlab-to_delete3-qakbot.json'));
    expect(r.counts.attributes).toBe(58);
    expect(r.rejected).toEqual([]);
    expect(reasons(r)['misp-attribute:port: a port alone is not an indicator']).toBe(24);
    const values = await valuesOf(r.reportIds[0]!);
    expect(values.filter((v) => v.startsWith('ipv4:')).length).toBe(43);
    expect(values).toContain('ipv4:64.183.173.170');
  });

  it('counts sightings and skips what they call a false positive', async () => {
    const r = await imp(sample('misp/pymisp-reportlab-sighting_2.json'));
    expect(r.sightings).toEqual({ seen: 1, falsePositive: 1 });
    expect(reasons(r)).toEqual({
      'misp-attribute:comment: its sightings call it a false positive': 1,
      'misp-attribute:target-external: MISP type target-external has no Koban equivalent': 1,
    });
    expect(r.counts.reports).toBe(1);
  });

  it('reads an event without its Event wrapper, string-typed numbers included', async () => {
    const r = await imp(sample('misp/pymisp-misp_event.json'));
    expect(r.format).toBe('misp-event');
    expect(await valuesOf(r.reportIds[0]!)).toEqual(['url:http://fake.website.com/malware/is/here']);
  });

  it('imports the same event once: a second import changes nothing', async () => {
    const file = sample('misp/pymisp-reportlab-to_delete1-sunorcal.json');
    await imp(file);
    const again = await imp(file);
    expect(again.counts).toEqual({
      reports: 0,
      campaigns: 0,
      attributes: 0,
      unchanged: 1,
      updated: 0,
      withdrawn: 0,
      added: 0,
    });
    expect(await t.db.selectFrom('reports').select('id').execute()).toHaveLength(1);
  });

  it('turns warninglists into warning-list entries, bare addresses as /32 and /128, once', async () => {
    const i = importer();
    const censys = await i.importPath(t.system, sample('misp/warninglists/censys-scanning/list.json'));
    expect(censys).toMatchObject({
      format: 'misp-warninglist',
      added: 13,
      unchanged: 0,
      rejected: [],
      skipped: null,
    });
    const circl = await i.importPath(t.system, sample('misp/warninglists/circl-security-scanning/list.json'));
    expect(circl).toMatchObject({ added: 20, rejected: [] });
    const again = await i.importPath(t.system, sample('misp/warninglists/censys-scanning/list.json'));
    expect(again).toMatchObject({ added: 0, unchanged: 13 });
    const list = await t.intel.warningEntries.list();
    expect(list.map((e) => e.value)).toContain('185.194.94.175/32');
    expect(list.map((e) => e.value)).toContain('2602:80d:1003::/112');
    expect(list[0]!.reason).toBe('MISP warninglist: Censys IP Ranges Used for Scanning (version 3)');
  });
});

describe('MISP events in (written here)', () => {
  const event = (attrs: unknown[], extra: Record<string, unknown> = {}) => ({
    Event: {
      uuid: '11111111-2222-4333-8444-555555555555',
      info: 'test',
      date: '2012-02-09',
      timestamp: '1328745600',
      Tag: [{ name: 'tlp:amber' }],
      Attribute: attrs,
      ...extra,
    },
  });

  it('rejects bad attributes one by one with reasons and keeps the rest', async () => {
    const f = join(dir, 'e.json');
    writeFileSync(
      f,
      JSON.stringify(
        event([
          { uuid: 'aaaaaaaa-2222-4333-8444-555555555555', type: 'ip-dst', value: '300.1.2.3' },
          { type: 'domain' },
          { type: 'ip-dst', value: '45.77.12.34', Tag: [{ name: 'tlp:red' }] },
          { type: 'domain|ip', value: 'evil.example|45.77.12.35', to_ids: true },
        ]),
      ),
    );
    const r = await imp(f);
    expect(r.rejected).toEqual([
      {
        index: 1,
        id: 'aaaaaaaa-2222-4333-8444-555555555555',
        type: 'misp-attribute:ip-dst',
        reason: 'Attribute[0]: "300.1.2.3" is not a valid ipv4 (ip-dst)',
      },
      {
        index: 1,
        id: null,
        type: 'misp-attribute',
        reason: 'Attribute[1]: value: an attribute needs a value',
      },
    ]);
    expect(r.skipped).toEqual([
      { id: 'Attribute[2]', type: 'misp-attribute:ip-dst', reason: 'labelled stricter than its event' },
    ]);
    expect(await valuesOf(r.reportIds[0]!)).toEqual(['domain:evil.example', 'ipv4:45.77.12.35']);
  });

  it('rejects an event without a uuid and imports the others of a response', async () => {
    const f = join(dir, 'r.json');
    const good = event([{ type: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427f' }]).Event;
    writeFileSync(f, JSON.stringify({ response: [{ Event: { info: 'no id' } }, { Event: good }] }));
    const r = await imp(f);
    expect(r.rejected).toEqual([
      { index: 1, id: null, type: 'misp-event', reason: 'uuid: an event needs a uuid' },
    ]);
    expect(r.counts.reports).toBe(1);
  });

  it('adds the values of a newer timestamp of an event to its report, and ignores an older one', async () => {
    const f = join(dir, 'v.json');
    writeFileSync(f, JSON.stringify(event([{ type: 'ip-dst', value: '45.77.12.34' }])));
    const first = await imp(f);
    const newer = [
      { type: 'ip-dst', value: '45.77.12.34' },
      { type: 'domain', value: 'added.example' },
    ];
    writeFileSync(f, JSON.stringify(event(newer, { timestamp: '1328745700' })));
    expect((await imp(f)).counts).toMatchObject({ reports: 0, updated: 1 });
    expect(await valuesOf(first.reportIds[0]!)).toEqual(['domain:added.example', 'ipv4:45.77.12.34']);
    writeFileSync(
      f,
      JSON.stringify(event([{ type: 'ip-dst', value: '45.77.12.99' }], { timestamp: '1328745000' })),
    );
    expect((await imp(f)).counts).toMatchObject({ reports: 0, updated: 0, unchanged: 1 });
    expect(await valuesOf(first.reportIds[0]!)).toEqual(['domain:added.example', 'ipv4:45.77.12.34']);
  });

  it('withdraws what a newer version of an event dropped, and shares it again when a later one has it back', async () => {
    const f = join(dir, 'w.json');
    const ip = { type: 'ip-dst', value: '45.77.12.34', to_ids: true };
    const dom = { type: 'domain', value: 'kept.example', to_ids: true };
    writeFileSync(f, JSON.stringify(event([ip, dom])));
    const reportId = (await imp(f)).reportIds[0]!;
    const withdrawn = async () =>
      (
        await t.db
          .selectFrom('stix_withdrawals')
          .select(['type', 'value'])
          .where('report_id', '=', reportId)
          .execute()
      ).map((w) => `${w.type}:${w.value}`);
    // The producer deleted the address (a feed carries only what stands).
    writeFileSync(f, JSON.stringify(event([dom], { timestamp: '1328745700' })));
    expect((await imp(f)).counts).toMatchObject({ updated: 1, withdrawn: 1, added: 0 });
    expect(await withdrawn()).toEqual(['ipv4:45.77.12.34']);
    // The report keeps it (history); what this center shares does not.
    expect(await valuesOf(reportId)).toEqual(['domain:kept.example', 'ipv4:45.77.12.34']);
    // Back in a later version: shared again, the lift audited.
    writeFileSync(f, JSON.stringify(event([ip, dom], { timestamp: '1328745800' })));
    expect((await imp(f)).counts).toMatchObject({ updated: 1, withdrawn: 0, added: 1 });
    expect(await withdrawn()).toEqual([]);
    const lifted = await t.intel.auditLog(t.system, { action: 'report.withdrawal-lifted' });
    expect(lifted.map((r) => r.details.values)).toEqual([['ipv4:45.77.12.34']]);
  });
});
