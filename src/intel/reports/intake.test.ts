import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isKobanError } from '../../core/index.js';
import { attachmentPart, BASIC_HEADERS, message, multipart } from '../../mail/_testkit.js';
import { type Cast, intelFixture, openTestIntel, seedCast, type TestIntel } from '../_testkit.js';
import { listAudit } from '../audit/audit.js';

let t: TestIntel;
let cast: Cast;

beforeEach(async () => {
  t = await openTestIntel({ emailLimits: { maxRawBytes: 4 * 1024 * 1024 } });
  cast = await seedCast(t);
});
afterEach(async () => {
  await t.close();
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return isKobanError(e) ? e.code : `not a KobanError: ${String(e)}`;
  }
}

describe('evidence', () => {
  it('keeps the raw file once, content-addressed and read-only for its owner only, with a custody entry per report', async () => {
    const raw = intelFixture('x-lure-p1.eml');
    const a = await t.intel.intake.submitEmail(cast.p1.actor, raw);
    const b = await t.intel.intake.submitEmail(cast.p1.actor, raw);
    const sha = a.evidenceSha256!;
    expect(b.evidenceSha256).toBe(sha);
    const path = join(t.dir, 'evidence', sha.slice(0, 2), sha);
    expect(readFileSync(path).equals(raw)).toBe(true);
    // Written once, then readable by the center's account alone (members' private parts).
    expect(statSync(path).mode & 0o777).toBe(0o400);
    expect(statSync(join(t.dir, 'evidence')).mode & 0o777).toBe(0o700);
    expect(statSync(join(t.dir, 'evidence', sha.slice(0, 2))).mode & 0o777).toBe(0o700);
    const custody = await t.intel.evidence.custody(cast.p1.actor, sha);
    expect(custody.map((c) => [c.action, c.reportId, c.actorLabel])).toEqual([
      ['received', a.reportId, `user:${cast.p1.user.id}`],
      ['received', b.reportId, `user:${cast.p1.user.id}`],
    ]);
  });

  it('gives the raw file to the reporting organisation and the center, recording each view, and to nobody else', async () => {
    const r = await t.intel.intake.submitEmail(cast.p1.actor, intelFixture('x-lure-p1.eml'), {
      tlp: 'GREEN',
    });
    const sha = r.evidenceSha256!;
    expect((await t.intel.evidence.read(cast.analyst.actor, sha)).length).toBe(5897);
    await expect(t.intel.evidence.read(cast.p2.actor, sha)).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    await t.intel.evidence.read(cast.p1.actor, sha, 'exported', 'sent to the prefectural police');
    const custody = await t.intel.evidence.custody(cast.p1.actor, sha);
    expect(custody.map((c) => c.action)).toEqual(['received', 'viewed', 'exported']);
    expect(custody[2]!.details).toEqual({ purpose: 'sent to the prefectural police' });
    const audit = (await listAudit(t.db, { targetType: 'evidence' })).map((a) => a.action);
    expect(audit).toEqual(['evidence.export', 'evidence.read']);
  });

  it('refuses to hand out a raw file that no longer matches its hash', async () => {
    const r = await t.intel.intake.submitEmail(cast.p1.actor, intelFixture('x-lure-p1.eml'));
    const sha = r.evidenceSha256!;
    const path = join(t.dir, 'evidence', sha.slice(0, 2), sha);
    chmodSync(path, 0o644);
    writeFileSync(path, 'altered');
    await expect(t.intel.evidence.read(cast.p1.actor, sha)).rejects.toMatchObject({ code: 'E_INTERNAL' });
  });
});

describe('hostile e-mail input', () => {
  it('refuses an oversized upload with E_LIMIT, stores nothing and audits the rejection', async () => {
    const raw = message(BASIC_HEADERS, Buffer.alloc(5 * 1024 * 1024, 0x41));
    await expect(t.intel.intake.submitEmail(cast.p1.actor, raw)).rejects.toMatchObject({
      code: 'E_LIMIT',
      message: `the message is ${raw.length} bytes; the limit is 4194304 bytes`,
    });
    expect(await t.db.selectFrom('reports').select('id').execute()).toEqual([]);
    expect(existsSync(join(t.dir, 'evidence'))).toBe(false);
    const [reject] = await listAudit(t.db, { action: 'report.reject' });
    expect(reject?.details).toMatchObject({ kind: 'email', code: 'E_LIMIT', sizeBytes: raw.length });
  });

  it('stops a message that runs out of time with E_LIMIT', async () => {
    const slow = await openTestIntel({ emailLimits: { timeoutMs: 0 } });
    try {
      const c = await seedCast(slow);
      expect(await codeOf(slow.intel.intake.submitEmail(c.p1.actor, intelFixture('x-lure-p1.eml')))).toBe(
        'E_LIMIT',
      );
    } finally {
      await slow.close();
    }
  });

  it('refuses binary garbage as not an e-mail with E_FORMAT, stores nothing and audits the rejection', async () => {
    const noise = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    await expect(t.intel.intake.submitEmail(cast.p1.actor, noise)).rejects.toMatchObject({
      code: 'E_FORMAT',
      message:
        'not an e-mail message: it does not begin with a header block ("Name: value" lines, RFC 5322 §2.2)',
    });
    expect(await t.db.selectFrom('reports').select('id').execute()).toEqual([]);
    expect(existsSync(join(t.dir, 'evidence'))).toBe(false);
    const [reject] = await listAudit(t.db, { action: 'report.reject' });
    expect(reject?.details).toMatchObject({ kind: 'email', code: 'E_FORMAT', sizeBytes: 4096 });
  });

  it('bounds a 10,000-part message and says so', async () => {
    const parts = Array.from({ length: 10_000 }, (_, i) =>
      attachmentPart(`f${i}.txt`, Buffer.from(`part ${i}`)),
    );
    const raw = message(
      { ...BASIC_HEADERS, 'Content-Type': 'multipart/mixed; boundary="b"' },
      multipart('b', parts),
    );
    const r = await t.intel.intake.submitEmail(cast.p1.actor, raw);
    expect(r.warnings.some((w) => w.startsWith('[limit]'))).toBe(true);
  });

  it('refuses a message that is not given as bytes', async () => {
    expect(await codeOf(t.intel.intake.submitEmail(cast.p1.actor, 'From: x' as unknown as Buffer))).toBe(
      'E_USAGE',
    );
  });
});

describe('other report kinds', () => {
  it('keeps an incident’s internal addresses and own domains private and out of the shared text', async () => {
    const r = await t.intel.intake.submitReport(cast.x.actor, {
      kind: 'incident',
      title: 'PC on fileserver.x-sangyo.example infected',
      description:
        'Host 192.168.3.14 (pc-0314.x-sangyo.example) beaconed to hxxp://update-check[.]example/gate.php and 27.254.40.5.',
      fields: { 'first seen': '2012-02-09 20:45 JST' },
      occurredAt: '2012-02-09T11:45:00Z',
    });
    expect(r.indicators.map((i) => `${i.type}:${i.value}:${i.role}`).sort()).toEqual([
      'domain:update-check.example:mentioned',
      'ipv4:27.254.40.5:mentioned',
      'url:http://update-check.example/gate.php:mentioned',
    ]);
    expect(r.warnings).toEqual([
      '1 value(s) identifying the reporter were kept private and replaced by [private]',
    ]);
    const view = await t.intel.reports.get(cast.analyst.actor, r.reportId);
    expect(view.title).toBe('PC on [private] infected');
    expect(view.observedMs).toBe(Date.UTC(2012, 1, 9, 11, 45));
    expect(JSON.stringify(view.shared)).not.toMatch(/192\.168|x-sangyo/);
    // Bare names under `.example` are not read as domains in prose (no real TLD); names within the
    // organisation's own domains are cut from the shared text all the same, whole (a host label
    // names a machine).
    expect(JSON.stringify(view.shared)).toContain('([private])');
    expect(JSON.stringify(view.shared)).not.toMatch(/pc-0314|fileserver/);
    expect(await t.intel.reports.privatePart(cast.analyst.actor, r.reportId)).toEqual({
      values: [{ kind: 'ipv4', value: '192.168.3.14', reason: 'private-address' }],
    });
  });

  it('records C2 destinations with their ports, and a URL’s host as a destination too', async () => {
    const r = await t.intel.intake.submitReport(cast.mssp.actor, {
      kind: 'c2',
      destinations: [
        { value: '27.254.40.5:443' },
        { value: 'hxxp://gate.c2-node[.]example:8080/p', protocol: 'http' },
      ],
    });
    const view = await t.intel.reports.get(cast.mssp.actor, r.reportId);
    expect(view.title).toBe('C2 destinations (2)');
    expect(view.indicators.map((i) => [i.type, i.value, i.role, i.context])).toEqual([
      ['domain', 'gate.c2-node.example', 'c2', { protocol: 'http', from: 'url' }],
      ['ipv4', '27.254.40.5', 'c2', { port: 443 }],
      ['url', 'http://gate.c2-node.example:8080/p', 'c2', { protocol: 'http' }],
    ]);
  });

  it('refuses a C2 destination that is not an address, network, domain or URL', async () => {
    await expect(
      t.intel.intake.submitReport(cast.mssp.actor, {
        kind: 'c2',
        destinations: [{ value: 'd41d8cd98f00b204e9800998ecf8427e' }],
      }),
    ).rejects.toMatchObject({
      code: 'E_USAGE',
      message: 'destination 1: "d41d8cd98f00b204e9800998ecf8427e" is not an address, network, domain or URL',
    });
  });

  it('records malware sample hashes as payloads that link the e-mails that carried them', async () => {
    const lure = await t.intel.intake.submitEmail(cast.p1.actor, intelFixture('x-lure-p1.eml'));
    const zipSha = lure.indicators.find((i) => i.type === 'sha256')!.value;
    const r = await t.intel.intake.submitReport(cast.analyst.actor, {
      kind: 'malware',
      hashes: [zipSha.toUpperCase()],
      family: 'PlugX-like',
      c2: [{ value: '27.254.40.5', port: 443 }],
    });
    expect(r.correlation!.links).toEqual([
      { reportId: lure.reportId, weight: 1, indicatorIds: [expect.any(Number)] },
    ]);
    expect(r.correlation!.createdCampaign).toBe(true);
  });

  it('rejects an unknown report kind and a bad TLP label at the boundary', async () => {
    await expect(
      t.intel.intake.submitReport(cast.p1.actor, { kind: 'rumour' } as never),
    ).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(
      t.intel.intake.submitReport(
        cast.p1.actor,
        { kind: 'text', title: 't', text: 'x' },
        { tlp: 'WHITE' as 'CLEAR' },
      ),
    ).rejects.toMatchObject({ code: 'E_USAGE' });
  });

  it('lets a user report for its own organisation only', async () => {
    await expect(
      t.intel.intake.submitReport(
        cast.p1.actor,
        { kind: 'text', title: 't', text: 'x' },
        { orgId: cast.p2.org.id },
      ),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
  });
});

describe('analysis', () => {
  it('lets the center and the owning organisation add indicators, and nobody else', async () => {
    const r = await t.intel.intake.submitEmail(cast.p1.actor, intelFixture('x-lure-p1.eml'));
    await expect(
      t.intel.intake.addIndicators(cast.p2.actor, r.reportId, [{ value: '27.254.40.5' }]),
    ).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    await expect(
      t.intel.intake.addIndicators(cast.p1.actor, r.reportId, [{ value: '27.254.40.5' }]),
    ).resolves.toMatchObject({ reportId: r.reportId });
    await expect(
      t.intel.intake.addIndicators(cast.analyst.actor, r.reportId, [{ value: 'not an indicator' }]),
    ).rejects.toMatchObject({
      code: 'E_USAGE',
      message: 'indicator 1: "not an indicator" is not a valid indicator',
    });
  });

  it('does not count a value twice when it is added to a report that already holds it', async () => {
    const r = await t.intel.intake.submitEmail(cast.p1.actor, intelFixture('x-lure-p1.eml'));
    await t.intel.intake.addIndicators(cast.analyst.actor, r.reportId, [
      { value: 'tanaka@x-sangyo.example', role: 'sender' },
    ]);
    const i = await t.intel.indicatorStore.lookup('email', 'tanaka@x-sangyo.example');
    expect(i).toMatchObject({ reportCount: 1, orgCount: 1 });
  });
});
