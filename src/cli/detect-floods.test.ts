// Floods at a sensor's own addresses, end to end: the project's capture (test/fixtures/pcap-floods,
// written from the pcap specification by the project) through `koban import` and `koban detect`;
// and the simulator's inbound-flood episodes (SIMULATED) imported, detected and scored against
// their truth, as `koban detect --eval` does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { HAVE_BUILD, runKoban } from '../../test/cli.js';
import { fixture, HAVE_SAMPLES, sample } from '../../test/samples.js';
import { ConfigSchema } from '../core/index.js';
import { openRelational } from '../db/index.js';
import {
  AlertSink,
  AlertStore,
  addressCounts,
  DetectorSet,
  runHistory,
  scoreAlerts,
} from '../detect/index.js';
import { importFiles, openEnricher, openEventStore } from '../observe/index.js';
import { simulate } from '../sim/index.js';

const tmp = (label: string): string => {
  const d = mkdtempSync(join(tmpdir(), label));
  onTestFinished(() => rmSync(d, { recursive: true, force: true }));
  return d;
};

describe.skipIf(!HAVE_BUILD)(
  'koban import, then koban detect, on a capture at the sensor’s own addresses',
  () => {
    it('raises one alert per flood: the spoofed SYN flood, the SYN-ACK reflection, the NTP reflection', async () => {
      const data = tmp('koban-floods-');
      const imp = await runKoban([
        'import',
        fixture('pcap-floods/floods.pcap.gz'),
        '--sensor',
        'dn-floods',
        '--history',
        '--data',
        data,
        '--json',
      ]);
      expect(imp.code, imp.out).toBe(0);
      expect(JSON.parse(imp.stdout)).toMatchObject({ read: 4530, stored: 4530, rejected: 0 });
      const det = await runKoban(['detect', '--data', data, '--json']);
      expect(det.code, det.out).toBe(0);
      const opened = (
        JSON.parse(det.stdout) as {
          opened: { kind: string; severity: string; title: string; first: string }[];
        }
      ).opened;
      expect(opened).toEqual([
        {
          id: 1,
          kind: 'inbound-flood',
          severity: 'low',
          title:
            'Spoofed SYN flood on 203.0.113.9 port 80/tcp: 150 pps from 1,501 sources/min since 2024-05-01 10:00:05 UTC',
          first: '2024-05-01T10:00:23.301Z',
        },
        {
          id: 2,
          kind: 'inbound-flood',
          severity: 'low',
          title:
            'SYN-ACK reflection on 203.0.113.10 (SYN-ACKs from port 443/tcp): 300 pps from 300 reflectors/min since 2024-05-01 10:02:10 UTC',
          first: '2024-05-01T10:02:14.996Z',
        },
        {
          id: 3,
          kind: 'inbound-flood',
          severity: 'low',
          title:
            'NTP reflection on 203.0.113.11 (UDP from port 123): 300 pps from 200 reflectors/min since 2024-05-01 10:04:20 UTC',
          first: '2024-05-01T10:04:24.996Z',
        },
      ]);
      // The report names what was seen, the source ports, and what to do.
      const show = await runKoban(['alerts', 'show', '2', '--data', data]);
      expect(show.code, show.out).toBe(0);
      expect(show.stdout).toContain(
        [
          'What was seen',
          '  SYN-ACK reflection at 203.0.113.10, port 443',
          '  peak 300 packets/s, 0.106 Mbit/s, 1,500 packets in 1 min',
          '  300 reflectors in the busiest minute',
          '  top source ports (packets): 443 (1,500)',
          '  normal: none yet (raised on the signature)',
          '',
          'What to do next',
          '  1. Tell the operator of 203.0.113.10 now: upstream filtering or blackholing is theirs to ask for.',
          '  2. The sources are reflectors answering requests forged in the victim’s name: block the service port upstream, and report open reflectors to their networks.',
        ].join('\n'),
      );
    }, 60_000);
  },
);

describe.skipIf(!HAVE_BUILD || !HAVE_SAMPLES)(
  'koban import, then koban detect, on a real SYN scan capture (shared samples, pcap/synscan.pcapng)',
  () => {
    it('raises the one scan alert and no inbound flood: 1,994 SYNs in 23 s at one address come from one source', async () => {
      const data = tmp('koban-synscan-');
      const imp = await runKoban([
        'import',
        sample('pcap/synscan.pcapng'),
        '--sensor',
        'scanner-host',
        '--history',
        '--data',
        data,
        '--json',
      ]);
      expect(imp.code, imp.out).toBe(0);
      const det = await runKoban(['detect', '--data', data, '--json']);
      expect(det.code, det.out).toBe(0);
      const out = JSON.parse(det.stdout) as {
        opened: { kind: string; title: string }[];
        run: { rows: Record<string, number> };
      };
      // The scanned address's SYNs are read as one inbound row (one minute, one vector)…
      expect(out.run.rows.inbound).toBe(1);
      // …and left to scan detection: one source is a scan, not a flood.
      expect(out.opened.map((a) => [a.kind, a.title])).toEqual([
        ['scan', 'Large new scan campaign from 172.16.0.8 (vertical): 1000 ports of 64.13.134.52'],
      ]);
    }, 60_000);
  },
);

describe('simulated inbound floods scored against their truth', () => {
  it('finds the spoofed SYN flood, the SYN-ACK reflection and the UDP reflection, and nothing else', async () => {
    const dir = tmp('koban-sim-floods-');
    const r = await simulate({
      outDir: join(dir, 'set'),
      sensors: 8,
      days: 2,
      ratePerSensorPerDay: 1000,
      seed: 3,
      scenarios: [{ kind: 'inbound-flood', episodes: 3, strength: 0 }],
    });
    const store = await openEventStore({ dataDir: join(dir, 'work') });
    const db = await openRelational(':memory:');
    try {
      const config = ConfigSchema.parse({ utcOffset: '+09:00' });
      const enricher = await openEnricher(config);
      for (const s of r.manifest.sensors) {
        for (const f of s.files) {
          await importFiles(store, enricher, [join(dir, 'set', f.path)], {
            format: 'auto',
            sensor: s.name,
            config,
          });
        }
      }
      const blocks = Object.fromEntries(r.manifest.sensors.map((s) => [s.name, s.blocks]));
      const alerts = new AlertStore(db);
      const sink = new AlertSink(alerts);
      await runHistory(
        store,
        { fromMs: Date.parse(r.truth.start), toMs: Date.parse(r.truth.end) },
        new DetectorSet({ addresses: addressCounts(blocks) }),
        sink.accept,
      );
      const scores = scoreAlerts(await alerts.list({ limit: 1000 }), r.truth);
      const flood = scores.find((s) => s.name === 'inbound-flood')!;
      expect(flood).toMatchObject({ tp: 3, fp: 0, fn: 0, duplicates: 0 });
      // Detected at the end of each flood's first minute (event time): within a minute of its start.
      expect(flood.delays_s.every((d) => d >= 0 && d <= 60)).toBe(true);
      // No other detector raises a false alarm because of them.
      for (const s of scores) expect(s.fp, s.name).toBe(0);
    } finally {
      await db.destroy();
      await store.close();
    }
  }, 120_000);
});
