import { describe, expect, it } from 'vitest';
import { KobanError } from '../core/index.js';
import type { TruthLike } from './eval.js';
import {
  belowFloor,
  type EvalResult,
  type MatrixCell,
  parseEvalResult,
  summarizeMatrix,
} from './eval-matrix.js';

type Episode = TruthLike['episodes'][number];

function episode(id: string, kind: string, strength: number, extra: Partial<Episode> = {}): Episode {
  return {
    id,
    kind,
    start: '2006-08-03T00:00:00.000Z',
    end: '2006-08-03T06:00:00.000Z',
    strength,
    magnitude: 1,
    subject: {},
    observed: { events: 100, alerts: 0, sources: 5 },
    ...extra,
  };
}

type DetectorResult = EvalResult['detectors'][number];

function det(name: string, r: Partial<DetectorResult> = {}): DetectorResult {
  return {
    name,
    tp: 0,
    fp: 0,
    fn: 0,
    precision: null,
    recall: null,
    median_delay_s: null,
    missed: [],
    false_positives: [],
    ...r,
  };
}

function cell(label: string, episodes: Episode[], detectors: DetectorResult[]): MatrixCell {
  return { label, config: { label }, truth: { episodes }, result: { detectors } };
}

describe('summarizeMatrix', () => {
  // Cell A: two strong port surges, one found, one missed; a weak one missed; one false alert.
  const a = cell(
    'A',
    [episode('ps-1', 'port-surge', 1), episode('ps-2', 'port-surge', 0.5), episode('ps-3', 'port-surge', 0)],
    [
      det('port-surge', {
        tp: 1,
        fp: 1,
        fn: 2,
        median_delay_s: 600,
        missed: [{ id: 'ps-2' }, { id: 'ps-3' }],
        false_positives: [{ title: 'surge on 80/tcp', detected: '2006-08-02T09:00:00.000Z' }],
      }),
    ],
  );
  // Cell B: every strong surge found, a weak one found too, no false alert.
  const b = cell(
    'B',
    [episode('ps-1', 'port-surge', 1), episode('ps-2', 'port-surge', 0)],
    [det('port-surge', { tp: 2, median_delay_s: 1200 })],
  );
  // Cell C: only a weak surge (missed) and a strong one that left no trace: recall undefined.
  const c = cell(
    'C',
    [
      episode('ps-1', 'port-surge', 0),
      episode('ps-2', 'port-surge', 1, { observed: { events: 0, alerts: 0, sources: 0 } }),
    ],
    [det('port-surge', { fn: 2, missed: [{ id: 'ps-1' }, { id: 'ps-2' }] })],
  );

  it('gives worst and median precision and recall over the cells, above the floor only', () => {
    const [ps] = summarizeMatrix([a, b, c]).detectors;
    expect(ps!.name).toBe('port-surge');
    // A: 1/(1+1) = 0.5; B: 2/2 = 1; C: no alert, precision n/a.
    expect(ps!.precision).toEqual({ worst: 0.5, median: 0.75, cells: 2 });
    // A: ps-1 found, ps-2 missed → 0.5 (ps-3 is weak); B: ps-1 → 1; C: none above the floor → n/a.
    expect(ps!.recall).toEqual({ worst: 0.5, median: 0.75, cells: 2 });
    expect(ps!.recall_na).toEqual(['C']);
    expect(ps!.median_delay_s).toBe(900);
    expect(ps!.totals).toEqual({ tp: 2, fp: 1, fn: 1 });
    // ps-3 of A (missed), ps-2 of B (found), ps-1 (weak) and ps-2 (no trace) of C, both missed.
    expect(ps!.below_floor).toEqual({ episodes: 4, detected: 1 });
    expect(ps!.cells.find((x) => x.label === 'C')!.below_floor).toEqual([
      { id: 'ps-1', reason: 'weak', detected: false },
      { id: 'ps-2', reason: 'no-trace', detected: false },
    ]);
  });

  it('names the worst cell and says why', () => {
    const [ps] = summarizeMatrix([b, a, c]).detectors;
    expect(ps!.worst!.label).toBe('A');
    expect(ps!.worst!.config).toEqual({ label: 'A' });
    expect(ps!.worst!.why).toBe(
      '1 false: "surge on 80/tcp" at 2006-08-02T09:00:00.000Z; missed ps-2 (strength 0.5, 100 events)',
    );
  });

  it('never counts a cell without positives as recall 1.0', () => {
    const [ps] = summarizeMatrix([c]).detectors;
    expect(ps!.recall).toEqual({ worst: null, median: null, cells: 0 });
    expect(ps!.precision).toEqual({ worst: null, median: null, cells: 0 });
    expect(ps!.worst).toBeNull();
  });

  it('leaves episodes that deserve no alert out of recall', () => {
    const small = episode('scan-1', 'scan', 1, { alert: false });
    const large = episode('scan-2', 'scan', 1);
    const [, , scan] = summarizeMatrix([
      cell('S', [small, large], [det('port-surge'), det('backscatter'), det('scan', { tp: 1 })]),
    ]).detectors;
    expect(scan!.name).toBe('scan');
    expect(scan!.recall).toEqual({ worst: 1, median: 1, cells: 1 });
    expect(scan!.below_floor).toEqual({ episodes: 0, detected: 0 });
  });

  it('moves the floor with the option', () => {
    const [ps] = summarizeMatrix([a], { noiseFloor: 0.6 }).detectors;
    // ps-2 (0.5) is now below the floor too: ps-1 found → recall 1.
    expect(ps!.recall.worst).toBe(1);
    expect(ps!.below_floor).toEqual({ episodes: 2, detected: 0 });
    expect(() => summarizeMatrix([a], { noiseFloor: 2 })).toThrow(KobanError);
  });
});

describe('belowFloor', () => {
  const gap = episode('data-gap-1', 'data-gap', 1, {
    start: '2006-08-02T00:00:00.000Z',
    end: '2006-08-04T00:00:00.000Z',
  });
  const outage = episode('sensor-outage-1', 'sensor-outage', 1, {
    observed: { events: 0, alerts: 0, sources: 0 },
  });

  it('keeps an outage (no events by definition) unless a gap of every sensor hides it', () => {
    expect(belowFloor(outage, { episodes: [outage] }, 0.25)).toBeNull();
    expect(belowFloor(outage, { episodes: [outage, gap] }, 0.25)).toBe('no-trace');
  });

  it('marks weak episodes and those with IDS alerts only as targets', () => {
    const idsOnly = episode('worm-1', 'worm-outbreak', 1, { observed: { events: 0, alerts: 3, sources: 1 } });
    expect(belowFloor(idsOnly, { episodes: [idsOnly] }, 0.25)).toBeNull();
    expect(belowFloor(episode('w', 'worm-outbreak', 0.2), { episodes: [] }, 0.25)).toBe('weak');
  });
});

describe('parseEvalResult', () => {
  it('rejects what is not an eval result, naming the source', () => {
    expect(() => parseEvalResult({ detectors: [{ name: 'scan' }] }, 'x.json')).toThrow(
      /x\.json: not a koban detect --eval result \(detectors\.0\.tp: /,
    );
    expect(parseEvalResult({ detectors: [], set: {} }, 'y.json')).toEqual({ detectors: [] });
  });
});
