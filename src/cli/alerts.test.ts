// `koban alerts show` rendering, on a hand-built alert written for this test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { HAVE_BUILD, runKoban } from '../../test/cli.js';
import { openRelational } from '../db/index.js';
import { AlertStore, episodeState, type OperatorAlert } from '../detect/index.js';
import { renderAlert } from './alerts.js';

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
    magnitude: 8,
    ended: null,
    trigger: { by: 'z', z: 7.2 },
    top_sources: [
      { src: '198.51.100.7', packets: 12 },
      { src: '198.51.100.8', packets: 3 },
    ],
    series: [
      { hour: '2006-08-18T03:00:00.000Z', sources: 40, in_baseline: true },
      { hour: '2006-08-18T04:00:00.000Z', sources: null, in_baseline: false },
    ],
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
    expect(episodeState(alert)).toBe('-');
  });
});

describe('renderAlert', () => {
  it('prints the header, scalar evidence, and lists of records as tables', () => {
    const text = renderAlert(alert);
    const lines = text.split('\n');
    expect(lines[0]).toBe('alert 7  port-surge  high  acknowledged');
    expect(renderAlert({ ...alert, evidence: { phase: 'ended' } }).split('\n')[0]).toBe(
      'alert 7  port-surge  high  acknowledged  (episode ended)',
    );
    expect(lines[1]).toBe(alert.title);
    expect(text).toContain('acknowledged by analyst1 at 2006-08-18T05:01:00.000Z');
    expect(text).toContain('magnitude: 8');
    expect(text).toContain('ended: -');
    expect(text).toContain('trigger: {"by":"z","z":7.2}');
    const sources = text.slice(text.indexOf('top_sources:'));
    expect(sources.split('\n')[1]).toMatch(/^src\s+packets$/);
    expect(sources).toMatch(/198\.51\.100\.7\s+12/);
    const series = text.slice(text.indexOf('series:'));
    expect(series.split('\n')[1]).toMatch(/^hour\s+sources\s+in_baseline$/);
    expect(series).toMatch(/2006-08-18T04:00:00\.000Z\s+-\s+false/);
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
