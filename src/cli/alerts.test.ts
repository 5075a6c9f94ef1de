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
