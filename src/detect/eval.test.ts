// Hand-made operator alerts and a hand-made ground truth (shaped like the simulator's truth.json);
// no real data.
import { describe, expect, it } from 'vitest';
import type { OperatorAlert } from './alerts.js';
import type { DetectorName } from './detectors.js';
import { type DetectorScore, scoreAlerts, subjectMatches, type TruthEpisodeLike } from './eval.js';

const T0 = Date.UTC(2024, 9, 1);
const MIN = 60_000;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

let nextId = 1;
function alert(
  detector: DetectorName | string,
  subject: Record<string, unknown>,
  detectedMs: number | undefined,
  over: Partial<OperatorAlert> = {},
): OperatorAlert {
  const evidence: Record<string, unknown> = { detector, subject };
  if (detectedMs !== undefined) evidence.detected_ms = detectedMs;
  return {
    id: nextId++,
    kind: detector,
    dedupKey: `k${nextId}`,
    severity: 'medium',
    title: `alert ${nextId}`,
    status: 'open',
    firstMs: detectedMs ?? T0,
    lastMs: detectedMs ?? T0,
    updatedMs: T0,
    evidence,
    ackedBy: null,
    ackedMs: null,
    closedBy: null,
    closedMs: null,
    ...over,
  };
}

function episode(
  id: string,
  kind: string,
  startMs: number,
  endMs: number,
  subject: Record<string, unknown>,
): TruthEpisodeLike {
  return {
    id,
    kind,
    start: iso(startMs),
    end: iso(endMs),
    strength: 1,
    magnitude: 10,
    subject,
    observed: { events: 100, alerts: 0, sources: 10 },
  };
}

const byName = (scores: DetectorScore[], name: DetectorName) => scores.find((s) => s.name === name)!;

const START = T0 + 10 * HOUR;
const END = START + 2 * HOUR;

describe('scoreAlerts', () => {
  it('scores scans only on the episodes that deserve an alert: an alert for a small scan is false', () => {
    const truth = {
      episodes: [
        { ...episode('scan-1', 'scan', START, END, { source: '192.0.2.1' }), alert: true },
        // Kept as data, not an alert (docs/methods.md#what-deserves-an-alert).
        { ...episode('scan-2', 'scan', START, END, { source: '192.0.2.2' }), alert: false },
        { ...episode('scan-3', 'scan', START, END, { source: '192.0.2.3' }), alert: false },
        // Truth files without the flag: every episode deserves an alert.
        episode('scan-4', 'scan', START, END, { source: '192.0.2.4' }),
      ],
    };
    const s = byName(
      scoreAlerts(
        [
          alert('scan', { source: '192.0.2.1' }, START + 20 * MIN),
          alert('scan', { source: '192.0.2.2' }, START + 5 * MIN),
        ],
        truth,
      ),
      'scan',
    );
    expect(s).toMatchObject({ tp: 1, fp: 1, fn: 1, episodes: 2, precision: 0.5, recall: 0.5, explained: 0 });
    expect(s.missed.map((m) => m.id)).toEqual(['scan-4']);
    expect(s.delays_s).toEqual([1200]);
  });

  it('counts true positives, false positives, false negatives and the delay', () => {
    const truth = {
      episodes: [
        episode('ps1', 'port-surge', START, END, { proto: 'tcp', port: 445 }),
        episode('ps2', 'port-surge', START, END, { proto: 'udp', port: 1434 }),
        episode('ps3', 'port-surge', START + 5 * HOUR, END + 5 * HOUR, { proto: 'tcp', port: 23 }),
      ],
    };
    const alerts = [
      alert('port-surge', { proto: 'tcp', port: 445, splits: ['all'] }, START + 10 * MIN),
      alert('port-surge', { proto: 'udp', port: 1434 }, START + 30 * MIN),
      // Wrong protocol: not ps1.
      alert('port-surge', { proto: 'udp', port: 445 }, START + 10 * MIN),
    ];
    const s = byName(scoreAlerts(alerts, truth), 'port-surge');
    expect(s).toMatchObject({ tp: 2, fp: 1, fn: 1, episodes: 3, alerts: 3, duplicates: 0, explained: 0 });
    expect(s.precision).toBeCloseTo(2 / 3, 12);
    expect(s.recall).toBeCloseTo(2 / 3, 12);
    expect(s.delays_s).toEqual([600, 1800]);
    expect(s.median_delay_s).toBe(1200);
    expect(s.missed).toEqual([{ id: 'ps3', strength: 1, magnitude: 10, observed_events: 100 }]);
    expect(s.false_positives).toEqual([
      { id: alerts[2]!.id, title: alerts[2]!.title, detected: iso(START + 10 * MIN) },
    ]);
  });

  it('counts a second alert on an already matched episode as a duplicate, and the earliest as the delay', () => {
    const truth = { episodes: [episode('b1', 'backscatter', START, END, { victim: '198.51.100.10' })] };
    const alerts = [
      alert('backscatter', { victim: '198.51.100.10' }, START + 40 * MIN),
      alert('backscatter', { victim: '198.51.100.10' }, START + 5 * MIN),
      alert('backscatter', { victim: '198.51.100.10' }, START + 90 * MIN),
    ];
    const s = byName(scoreAlerts(alerts, truth), 'backscatter');
    expect(s).toMatchObject({ tp: 1, fp: 0, fn: 0, duplicates: 2, precision: 1, recall: 1 });
    expect(s.delays_s).toEqual([300]);
  });

  it('applies the window [start − 10 min, end + 1 h] at its edges', () => {
    const truth = { episodes: [episode('s1', 'scan', START, END, { source: '192.0.2.5' })] };
    const at = (ms: number) =>
      byName(scoreAlerts([alert('scan', { source: '192.0.2.5' }, ms)], truth), 'scan');
    expect(at(START - 10 * MIN)).toMatchObject({ tp: 1, fp: 0 });
    expect(at(START - 10 * MIN).delays_s).toEqual([-600]);
    expect(at(START - 10 * MIN - 1)).toMatchObject({ tp: 0, fp: 1, fn: 1 });
    expect(at(END + HOUR)).toMatchObject({ tp: 1, fp: 0 });
    expect(at(END + HOUR + 1)).toMatchObject({ tp: 0, fp: 1, fn: 1 });
  });

  it('uses the detection time, not the first time, and falls back to firstMs without it', () => {
    const truth = { episodes: [episode('s1', 'scan', START, END, { source: '192.0.2.5' })] };
    // detected_ms in the window although the alert was first stored long after.
    const late = alert('scan', { source: '192.0.2.5' }, START + MIN, { firstMs: END + 5 * HOUR });
    expect(byName(scoreAlerts([late], truth), 'scan').tp).toBe(1);
    const noDetected = alert('scan', { source: '192.0.2.5' }, undefined, { firstMs: START + 2 * MIN });
    const s = byName(scoreAlerts([noDetected], truth), 'scan');
    expect(s.tp).toBe(1);
    expect(s.delays_s).toEqual([120]);
  });

  it('counts alerts explained by another kind of episode as neither true nor false', () => {
    const truth = {
      episodes: [
        episode('spam', 'messenger-spam', START, END, {
          ports: [1026, 1027],
          sources: ['203.0.113.9'],
          payload_fingerprints: ['480:0badf00d'],
        }),
        episode('bot', 'botnet-infection', START, END, { ports: [445, 139], sources: ['203.0.113.20'] }),
        episode('w', 'worm-outbreak', START, END, {
          proto: 'udp',
          port: 1434,
          payload_fingerprint: '376:deadbeef',
          signature_id: 2003,
        }),
      ],
    };
    const alerts = [
      alert('port-surge', { proto: 'udp', port: 1026 }, START + 5 * MIN),
      alert('port-surge', { proto: 'tcp', port: 139 }, START + 5 * MIN),
      alert('port-surge', { proto: 'udp', port: 1434 }, START + 5 * MIN),
      alert('scan', { source: '203.0.113.20' }, START + 5 * MIN),
      alert('scan', { source: '203.0.113.9' }, START + 5 * MIN),
      alert('worm', { fingerprints: ['480:0badf00d'], signatures: [] }, START + 5 * MIN),
      // Not explained: the spam is over for more than an hour.
      alert('port-surge', { proto: 'udp', port: 1027 }, END + HOUR + MIN),
      // Not explained: Messenger spam is UDP.
      alert('port-surge', { proto: 'tcp', port: 1026 }, START + 5 * MIN),
    ];
    const scores = scoreAlerts(alerts, truth);
    expect(byName(scores, 'port-surge')).toMatchObject({ tp: 0, fp: 2, fn: 0, explained: 3, precision: 0 });
    expect(byName(scores, 'scan')).toMatchObject({
      tp: 0,
      fp: 0,
      explained: 2,
      precision: null,
      recall: null,
    });
    expect(byName(scores, 'worm')).toMatchObject({ tp: 0, fp: 0, fn: 1, explained: 1, recall: 0 });
  });

  it('matches worm alerts by fingerprint or signature id', () => {
    const truth = {
      episodes: [
        episode('w1', 'worm-outbreak', START, END, {
          payload_fingerprint: '376:deadbeef',
          signature_id: 2003,
        }),
        episode('w2', 'worm-outbreak', START, END, {
          payload_fingerprint: '62:00c0ffee',
          signature_id: 9999,
        }),
      ],
    };
    const alerts = [
      alert('worm', { fingerprints: [], signatures: [2003] }, START),
      alert('worm', { fingerprints: ['1:00000001', '62:00c0ffee'], signatures: [] }, START),
      alert('worm', { fingerprints: ['376:deadbee0'], signatures: [2004] }, START),
    ];
    expect(byName(scoreAlerts(alerts, truth), 'worm')).toMatchObject({ tp: 2, fp: 1, fn: 0 });
  });

  it('scores sensor-health alerts against sensor outages; a jump where an episode sends traffic is explained', () => {
    const truth = {
      episodes: [
        episode('out1', 'sensor-outage', START, END, { sensor: 's1', problem: 'silent' }),
        episode('out2', 'sensor-outage', START, END, { sensor: 's9', problem: 'silent' }),
        {
          ...episode('sc1', 'scan', START, END, { source: '192.0.2.5' }),
          observed: { events: 9, alerts: 0, sources: 1, sensors: ['s3'] },
        },
      ],
    };
    const alerts = [
      // Both streams of s1 report the outage: one true positive and a duplicate.
      alert('sensor-health', { sensor: 's1', stream: 'firewall', problem: 'silent' }, START + 20 * 60_000),
      alert('sensor-health', { sensor: 's1', stream: 'ids', problem: 'silent' }, START + 30 * 60_000),
      alert('sensor-health', { sensor: 's3', stream: 'firewall', problem: 'jump' }, START + HOUR),
      alert('sensor-health', { sensor: 's4', stream: 'firewall', problem: 'drop' }, START),
    ];
    expect(byName(scoreAlerts(alerts, truth), 'sensor-health')).toMatchObject({
      tp: 1,
      fp: 1,
      fn: 1,
      duplicates: 1,
      explained: 1,
      precision: 0.5,
      recall: 0.5,
      median_delay_s: 1200,
    });
  });

  it('reports sensor-health alerts as false positives when the truth has no outage, and ignores unknown detectors', () => {
    const alerts = [
      alert('sensor-health', { sensor: 's1', stream: 'firewall', problem: 'silent' }, START),
      alert('not-a-detector', { source: '192.0.2.5' }, START),
    ];
    const scores = scoreAlerts(alerts, { episodes: [] });
    expect(scores.map((s) => s.name)).toEqual([
      'port-surge',
      'backscatter',
      'scan',
      'worm',
      'sensor-health',
      'inbound-flood',
    ]);
    expect(byName(scores, 'sensor-health')).toMatchObject({
      tp: 0,
      fp: 1,
      fn: 0,
      precision: 0,
      recall: null,
      median_delay_s: null,
      alerts: 1,
    });
    for (const name of ['port-surge', 'backscatter', 'scan', 'worm'] as const) {
      expect(byName(scores, name)).toMatchObject({
        alerts: 0,
        tp: 0,
        fp: 0,
        fn: 0,
        precision: null,
        recall: null,
      });
    }
  });

  it('lets one alert match two overlapping episodes of the same subject', () => {
    const truth = {
      episodes: [
        episode('a', 'backscatter', START, END, { victim: '198.51.100.1' }),
        episode('b', 'backscatter', END, END + HOUR, { victim: '198.51.100.1' }),
      ],
    };
    const s = byName(
      scoreAlerts([alert('backscatter', { victim: '198.51.100.1' }, END)], truth),
      'backscatter',
    );
    expect(s).toMatchObject({ tp: 2, fp: 0, fn: 0, duplicates: 0 });
  });
});

describe('subjectMatches', () => {
  const ep = (kind: string, subject: Record<string, unknown>) => episode('x', kind, START, END, subject);
  it('matches each detector on its subject', () => {
    expect(
      subjectMatches('port-surge', { proto: 'tcp', port: 23 }, ep('port-surge', { proto: 'tcp', port: 23 })),
    ).toBe(true);
    expect(
      subjectMatches(
        'port-surge',
        { proto: 'tcp', port: 23 },
        ep('port-surge', { proto: 'tcp', port: 2323 }),
      ),
    ).toBe(false);
    expect(
      subjectMatches('backscatter', { victim: '192.0.2.1' }, ep('backscatter', { victim: '192.0.2.1' })),
    ).toBe(true);
    expect(subjectMatches('backscatter', { victim: '192.0.2.1' }, ep('scan', { source: '192.0.2.1' }))).toBe(
      false,
    );
    expect(subjectMatches('scan', { source: '192.0.2.1' }, ep('scan', { source: '192.0.2.2' }))).toBe(false);
    expect(
      subjectMatches('scan', { source: '192.0.2.1' }, ep('botnet-infection', { sources: ['192.0.2.1'] })),
    ).toBe(true);
    expect(
      subjectMatches(
        'worm',
        { fingerprints: 'not a list' },
        ep('worm-outbreak', { payload_fingerprint: 'x' }),
      ),
    ).toBe(false);
    expect(subjectMatches('sensor-health', {}, ep('port-surge', {}))).toBe(false);
  });
});
