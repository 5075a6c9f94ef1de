// `koban alerts show` rendering, on a hand-built alert written for this test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { HAVE_BUILD, runKoban } from '../../test/cli.js';
import { openRelational } from '../db/index.js';
import { AlertStore, episodeState, type OperatorAlert } from '../detect/index.js';
import { addressesToEnrich, renderAlertReport } from './alert-report.js';
import { renderList } from './alerts.js';

const T = Date.UTC(2006, 7, 18, 5, 0);

const alert: OperatorAlert = {
  id: 7,
  kind: 'port-surge',
  dedupKey: 'port-surge:139/tcp:1',
  severity: 'high',
  title: 'Surge on 139/tcp (netbios-ssn): 8× baseline distinct sources (all)',
  status: 'acknowledged',
  firstMs: T,
  lastMs: T + 3_600_000,
  updatedMs: T + 3_600_000,
  evidence: {
    detector: 'port-surge',
    subject: { proto: 'tcp', port: 139, splits: ['all'] },
    episode_start: '2006-08-18T04:40:00.000Z',
    detected: '2006-08-18T05:00:00.000Z',
    detected_ms: T,
    phase: 'updated',
    service: 'netbios-ssn',
    trigger: { by: 'z', z: 7.2 },
    magnitude: 8,
    splits: { all: { sources: 40, baseline: 5, scale: 1.2, z: 7.2, peak_ratio: 8, baseline_method: 'mad' } },
    day: {},
    top_sources: [
      { src: '198.51.100.7', packets: 12 },
      { src: '203.0.113.9', packets: 3, country: 'JP', asn: 2516 },
    ],
    series: [{ hour: '2006-08-18T03:00:00.000Z', sources: 40, in_baseline: true }],
    countries: [
      { country: 'JP', sources: 30 },
      { country: 'CN', sources: 10 },
    ],
    sensors: [
      { sensor: 'fw-tokyo', sources: 25 },
      { sensor: 'dn-ibaraki', sources: 15 },
    ],
    window_min: 60,
    ended: null,
    method: 'distinct sources per 60 min vs seasonal median/MAD baseline',
  },
  ackedBy: 'analyst1',
  ackedMs: T + 60_000,
  closedBy: null,
  closedMs: null,
};

describe('episodeState', () => {
  it("says whether the reported episode goes on, from the detector's last phase", () => {
    expect(episodeState({ ...alert, evidence: { phase: 'updated' } })).toBe('ongoing');
    expect(episodeState({ ...alert, evidence: { phase: 'ended' } })).toBe('ended');
    expect(episodeState({ ...alert, evidence: {} })).toBe('-');
  });
});

describe('renderAlertReport', () => {
  it('reads as a report: times in the operator offset, figures, sources with country and AS, next steps', () => {
    const looked: string[] = [];
    const lookup = (address: string) => {
      looked.push(address);
      return { country: 'US', asn: 64500 };
    };
    expect(addressesToEnrich(alert)).toEqual(['198.51.100.7']);
    expect(renderAlertReport(alert, { offsetMinutes: 540, lookup })).toBe(
      [
        'Alert 7 · HIGH · port-surge · acknowledged · episode ongoing',
        'Surge on 139/tcp (netbios-ssn): 8× baseline distinct sources (all)',
        '',
        'When (UTC+09:00)',
        '  began        2006-08-18 13:40',
        '  detected     2006-08-18 14:00 (20 min after it began)',
        '  last seen    2006-08-18 15:00',
        '  duration     80 min, still going on',
        '  acknowledged by analyst1, 2006-08-18 14:01',
        '',
        'What was seen',
        '  port 139/tcp (netbios-ssn)',
        '  all: 40 distinct sources in 60 min against a baseline of 5 (8× at the peak, z 7.2)',
        '',
        'Top sources',
        '  address       packets  country  AS',
        '  ------------  -------  -------  -------',
        '  198.51.100.7       12  US       AS64500',
        '  203.0.113.9         3  JP       AS2516',
        '',
        'Countries   JP 30, CN 10',
        'Sensors     fw-tokyo 25, dn-ibaraki 15',
        '',
        'What to do next',
        '  1. Look for what drives it: a new exploit or worm for 139/tcp (vendor advisories, IDS alerts on the port).',
        '  2. If the top sources sit in a member’s or a domestic network, tell their operator (their country and AS are above).',
        '  3. Follow the port: koban stats port-series --port 139/tcp',
        '  koban alerts close 7 · koban alerts show 7 --json (the full evidence)',
      ].join('\n'),
    );
    // Only the source the detector recorded nothing for is looked up.
    expect(looked).toEqual(['198.51.100.7']);
  });

  it('reports a scan alert: why it is one, its source with country and AS, and how the episode ended', () => {
    const scan: OperatorAlert = {
      ...alert,
      id: 12,
      kind: 'scan',
      severity: 'medium',
      status: 'open',
      title: 'Scan from 192.0.2.44 (horizontal): 400 addresses on 23/tcp',
      firstMs: T,
      lastMs: T + 2 * 3_600_000,
      ackedBy: null,
      ackedMs: null,
      evidence: {
        detector: 'scan',
        episode_start: '2006-08-18T05:00:00.000Z',
        detected: '2006-08-18T05:10:00.000Z',
        phase: 'ended',
        source: '192.0.2.44',
        country: null,
        asn: null,
        type: 'horizontal',
        ports: [{ port: '23/tcp', packets: 410 }],
        distinct_ports: 1,
        targets: 400,
        packets: 410,
        targets_per_minute: 3.33,
        alert_reasons: ['large new campaign: 400 of 912 monitored addresses (threshold 92)'],
        tags: [],
        neighbour: { neighbour16: false },
        end: '2006-08-18T07:00:00.000Z',
      },
    };
    expect(renderAlertReport(scan, { offsetMinutes: 0, lookup: () => ({ country: 'CN', asn: 4134 }) })).toBe(
      [
        'Alert 12 · MEDIUM · scan · open · episode ended',
        'Scan from 192.0.2.44 (horizontal): 400 addresses on 23/tcp',
        '',
        'When (UTC+00:00)',
        '  began        2006-08-18 05:00',
        '  detected     2006-08-18 05:10 (10 min after it began)',
        '  ended        2006-08-18 07:00',
        '  duration     2 h',
        '',
        'What was seen',
        '  horizontal scan: 400 monitored addresses, 1 ports (23/tcp)',
        '  3.33 new addresses a minute',
        '  why an alert: large new campaign: 400 of 912 monitored addresses (threshold 92)',
        '',
        'Source',
        '  address     packets  country  AS',
        '  ----------  -------  -------  ------',
        '  192.0.2.44      410  CN       AS4134',
        '',
        'What to do next',
        '  1. If the source is in a domestic or member network, tell its operator: the host is likely compromised.',
        '  2. If it probed registered critical-infrastructure blocks, warn their owners of the ports probed.',
        '  3. See its history and similar scanners: koban scanners',
        '  koban alerts ack 12 · koban alerts close 12 · koban alerts show 12 --json (the full evidence)',
      ].join('\n'),
    );
  });
});

describe('renderList', () => {
  it('opens with the counts per severity and per kind, and says how to get the next page', () => {
    const counts = {
      total: 14,
      severity: { info: 0, low: 9, medium: 3, high: 1, critical: 1 },
      kind: { scan: 8, 'port-surge': 4, backscatter: 2 },
    } as const;
    const text = renderList(
      [alert, { ...alert, id: 3, severity: 'low', lastMs: T }],
      counts,
      `1-${T}-3`,
      540,
    );
    expect(text.split('\n')).toEqual([
      '14 alerts: 1 critical, 1 high, 3 medium, 9 low',
      'by kind: scan 8, port-surge 4, backscatter 2',
      '',
      'id  severity  kind        status        episode  last seen (UTC+09:00)  title',
      '--  --------  ----------  ------------  -------  ---------------------  ------------------------------------------------------------------',
      ' 7  high      port-surge  acknowledged  ongoing  2006-08-18 15:00       Surge on 139/tcp (netbios-ssn): 8× baseline distinct sources (all)',
      ' 3  low       port-surge  acknowledged  ongoing  2006-08-18 14:00       Surge on 139/tcp (netbios-ssn): 8× baseline distinct sources (all)',
      `more: koban alerts --cursor 1-${T}-3 (same filters)`,
    ]);
    expect(renderList([], { ...counts, total: 0 }, null, 0)).toBe('no alerts');
  });
});

describe.skipIf(!HAVE_BUILD)('koban alerts ack / show (the built command)', () => {
  it('acknowledges and shows an alert of the data directory given after the subcommand', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koban-alerts-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const db = await openRelational(dir);
    const { alert: raised } = await new AlertStore(db).raise({
      kind: 'backscatter',
      dedupKey: 'backscatter:192.0.2.80:1',
      severity: 'high',
      title: 'DDoS on 192.0.2.80 (syn-flood, 80/tcp)',
      atMs: T,
      evidence: { victim: '192.0.2.80' },
    });
    await db.destroy();
    const ack = await runKoban(['alerts', 'ack', String(raised.id), '--data', dir], {
      KOBAN_OPERATOR: 'analyst2',
    });
    expect(ack.out).toBe(`alert ${raised.id} acknowledged by analyst2\n`);
    expect(ack.code).toBe(0);
    const show = await runKoban(['alerts', 'show', String(raised.id), '--data', dir, '--json']);
    expect(JSON.parse(show.out)).toMatchObject({
      id: raised.id,
      status: 'acknowledged',
      acked_by: 'analyst2',
    });
    const missing = await runKoban(['alerts', 'show', '999', '--data', dir]);
    expect(missing.code).not.toBe(0);
    expect(missing.out).toContain('no alert 999');
  });
});

describe.skipIf(!HAVE_BUILD)('koban alerts / alerts show (the built command)', () => {
  it('lists the most severe first with counts, and shows a report with the sources looked up in the geo databases', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koban-alerts-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const db = await openRelational(dir);
    const store = new AlertStore(db);
    const low = await store.raise({
      kind: 'scan',
      dedupKey: 'scan:a',
      severity: 'low',
      title: 'a low one',
      atMs: T + 3_600_000,
      evidence: { phase: 'updated' },
    });
    const { alert: surge } = await store.raise({
      kind: 'port-surge',
      dedupKey: 'port-surge:23/tcp:1',
      severity: 'high',
      title: 'Surge on 23/tcp (telnet): 6× baseline distinct sources (all)',
      atMs: T,
      evidence: {
        detector: 'port-surge',
        subject: { proto: 'tcp', port: 23, splits: ['all'] },
        episode_start: '2006-08-18T04:00:00.000Z',
        detected: '2006-08-18T05:00:00.000Z',
        phase: 'opened',
        service: 'telnet',
        splits: { all: { sources: 30, baseline: 5, z: 9, peak_ratio: 6 } },
        // As stored before the detector recorded country and AS with its top sources.
        top_sources: [
          { src: '8.8.8.8', packets: 9 },
          { src: '133.11.0.1', packets: 4 },
        ],
        window_min: 60,
      },
    });
    await db.destroy();
    const list = await runKoban(['alerts', '--data', dir]);
    expect(list.code).toBe(0);
    expect(list.out.split('\n').slice(0, 2)).toEqual([
      '2 alerts: 1 high, 1 low',
      'by kind: port-surge 1, scan 1',
    ]);
    expect(list.out.split('\n')[5]).toMatch(new RegExp(`^ ${surge.id}  high +port-surge  open  `));
    expect(list.out.split('\n')[6]).toMatch(new RegExp(`^ ${low.alert.id}  low +scan +open  `));
    const show = await runKoban(['alerts', 'show', String(surge.id), '--data', dir]);
    expect(show.code).toBe(0);
    const text = show.out;
    expect(text.slice(0, text.indexOf('\nWhat to do next'))).toBe(
      [
        `Alert ${surge.id} · HIGH · port-surge · open · episode ongoing`,
        'Surge on 23/tcp (telnet): 6× baseline distinct sources (all)',
        '',
        'When (UTC+09:00)',
        '  began        2006-08-18 13:00',
        '  detected     2006-08-18 14:00 (60 min after it began)',
        '  last seen    2006-08-18 14:00',
        '  duration     60 min, still going on',
        '',
        'What was seen',
        '  port 23/tcp (telnet)',
        '  all: 30 distinct sources in 60 min against a baseline of 5 (6× at the peak, z 9)',
        '',
        'Top sources',
        '  address     packets  country  AS',
        '  ----------  -------  -------  -------',
        '  8.8.8.8           9  US       AS15169',
        '  133.11.0.1        4  JP       AS2501',
        '',
      ].join('\n'),
    );
  });
});

describe.skipIf(!HAVE_BUILD)('koban alerts close-ended (the built command)', () => {
  it('closes the alerts whose episode ended, and only those', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koban-alerts-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const db = await openRelational(dir);
    const store = new AlertStore(db);
    const raise = (key: string, kind: string, phase: string) =>
      store.raise({ kind, dedupKey: key, severity: 'medium', title: key, atMs: T, evidence: { phase } });
    const ended = (await raise('scan:198.51.100.7:1', 'scan', 'ended')).alert;
    const going = (await raise('scan:198.51.100.8:1', 'scan', 'updated')).alert;
    const endedSurge = (await raise('port-surge:445/tcp:1', 'port-surge', 'ended')).alert;
    // An alert whose episode goes on is not closed.
    const silent = (await raise('sensor-silent:fw-1', 'sensor-silent', 'opened')).alert;
    await store.acknowledge(endedSurge.id, 'analyst1');
    await db.destroy();

    const onlyScans = await runKoban(['alerts', 'close-ended', '--kind', 'scan', '--data', dir], {
      KOBAN_OPERATOR: 'analyst2',
    });
    expect(onlyScans.code).toBe(0);
    expect(onlyScans.out).toBe('1 alert closed by analyst2\n');
    const all = await runKoban(['alerts', 'close-ended', '--data', dir, '--json'], {
      KOBAN_OPERATOR: 'analyst2',
    });
    expect((JSON.parse(all.out) as { closed: { id: number }[] }).closed.map((a) => a.id)).toEqual([
      endedSurge.id,
    ]);

    const check = await openRelational(dir);
    const after = new AlertStore(check);
    expect((await after.get(ended.id))?.status).toBe('closed');
    expect((await after.get(ended.id))?.closedBy).toBe('analyst2');
    expect((await after.get(endedSurge.id))?.status).toBe('closed');
    expect((await after.get(going.id))?.status).toBe('open');
    expect((await after.get(silent.id))?.status).toBe('open');
    // Nothing left to close.
    expect(await after.closeEnded({ by: 'x' })).toEqual([]);
    await check.destroy();
  });

  it("closes only the ends recorded before the cut-off (the center's closeEndedAfterHours)", async () => {
    const db = await openRelational(':memory:');
    let now = T;
    const store = new AlertStore(db, () => now);
    const old = (
      await store.raise({
        kind: 'scan',
        dedupKey: 'a',
        severity: 'low',
        title: 'a',
        atMs: T,
        evidence: { phase: 'ended' },
      })
    ).alert;
    now = T + 5 * 3_600_000;
    const recent = (
      await store.raise({
        kind: 'scan',
        dedupKey: 'b',
        severity: 'low',
        title: 'b',
        atMs: T,
        evidence: { phase: 'ended' },
      })
    ).alert;
    const closed = await store.closeEnded({ by: 'koban (episode ended)', endedBeforeMs: T + 3_600_000 });
    expect(closed.map((a) => a.id)).toEqual([old.id]);
    expect((await store.get(recent.id))?.status).toBe('open');
    await db.destroy();
  });
});
