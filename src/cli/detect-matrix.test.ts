// `koban detect --eval DIR DIR…`: the matrix summary, on tiny SIMULATED sets (no real data).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { HAVE_BUILD, runKoban } from '../../test/cli.js';
import { summarizeMatrix } from '../detect/index.js';
import { cellConfig, describeConfig, formatMatrix } from './detect-matrix.js';

describe('cellConfig', () => {
  it('reads the configuration a manifest records', () => {
    const c = cellConfig({
      seed: 7,
      options: {
        sensors: 12,
        days: 14,
        rate_per_sensor_per_day: 5000,
        episodes: 3,
        scenarios: [{ kind: 'port-surge' }, { kind: 'sensor-outage' }],
        daily_cycle: { shape: 'working-day', ratio: 2.3 },
      },
    });
    expect(c).toEqual({
      sensors: 12,
      days: 14,
      rate: 5000,
      daily_cycle: 'working-day:2.3',
      outages: true,
      gaps: false,
      episodes: 3,
      seed: 7,
    });
    expect(describeConfig(c)).toBe('12 sensors, 14 d, rate 5000, working-day:2.3, outages, no gaps, seed 7');
    // A manifest without options (or an older one) still names the seed.
    expect(describeConfig(cellConfig({ seed: 1, options: { sensors: 'x' } }))).toBe(
      'no outages, no gaps, seed 1',
    );
  });
});

describe('formatMatrix', () => {
  it('prints n/a where a figure is undefined, and the worst cell with its reason', () => {
    const episode = {
      id: 'ps-1',
      kind: 'port-surge',
      start: '2006-08-03T00:00:00.000Z',
      end: '2006-08-03T06:00:00.000Z',
      strength: 1,
      magnitude: 8,
      subject: {},
      observed: { events: 10, alerts: 0, sources: 2 },
    };
    const d = (name: string, missed: { id: string }[]) => ({
      name,
      tp: 0,
      fp: 0,
      fn: missed.length,
      precision: null,
      recall: null,
      median_delay_s: null,
      missed,
      false_positives: [],
    });
    const s = summarizeMatrix([
      {
        label: 'A',
        config: {},
        truth: { episodes: [episode] },
        result: { detectors: [d('port-surge', [{ id: 'ps-1' }]), d('scan', [])] },
      },
    ]);
    expect(formatMatrix(s).split('\n').slice(2)).toEqual([
      'port-surge  n/a      n/a       0.000    0.000     n/a             0/0/1     0/0',
      'scan        n/a      n/a       n/a      n/a       n/a             0/0/0     0/0',
      'port-surge worst cell: A: missed ps-1 (strength 1, 10 events)',
      'scan recall n/a (no episode above the floor): A',
      '1 sets; recall over episodes of strength ≥ 0.25 that left a trace in the files (docs/methods.md#the-noise-floor)',
    ]);
  });
});

describe.skipIf(!HAVE_BUILD)('koban detect --eval DIR DIR… (the built command)', () => {
  it('scores several sets and summarises them per detector', { timeout: 300_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koban-matrix-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const sim = (out: string, seed: number, extra: string[]) =>
      runKoban([
        'simulate',
        '--out',
        join(dir, out),
        '--sensors',
        '2',
        '--days',
        '1',
        '--rate',
        '200',
        '--episodes',
        '1',
        '--seed',
        String(seed),
        '--workers',
        '0',
        '--scenario',
        'sensor-outage',
        ...extra,
      ]);
    expect((await sim('a', 1, [])).code).toBe(0);
    expect((await sim('b', 2, ['--scenario', 'data-gap', '--daily-cycle', 'working-day'])).code).toBe(0);
    const a = join(dir, 'a');
    const b = join(dir, 'b');

    const bad = await runKoban(['detect', '--eval', a, b, '--noise-floor', '2']);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('--noise-floor must be a strength in 0–1, not "2"');

    const r = await runKoban(['detect', '--eval', a, b, '--noise-floor', '0.3', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.cells).toBe(2);
    expect(doc.noise_floor).toBe(0.3);
    expect(doc.sets.map((s: { config: unknown }) => s.config)).toEqual([
      { sensors: 2, days: 1, rate: 200, daily_cycle: null, outages: true, gaps: false, episodes: 1, seed: 1 },
      {
        sensors: 2,
        days: 1,
        rate: 200,
        daily_cycle: 'working-day',
        outages: true,
        gaps: true,
        episodes: 1,
        seed: 2,
      },
    ]);
    const byName = new Map(doc.detectors.map((d: { name: string }) => [d.name, d]));
    expect([...byName.keys()]).toEqual([
      'port-surge',
      'backscatter',
      'scan',
      'worm',
      'sensor-health',
      'inbound-flood',
    ]);
    // No scan was injected: recall is undefined in both sets, not 1.0.
    const scan = byName.get('scan') as { recall: unknown; recall_na: string[] };
    expect(scan.recall).toEqual({ worst: null, median: null, cells: 0 });
    expect(scan.recall_na).toEqual(doc.sets.map((s: { label: string }) => s.label));
    // One outage per set (strength ≥ 0.35 with one episode): a recall target unless b's gap hides it.
    const truthB = JSON.parse(readFileSync(join(b, 'truth.json'), 'utf8'));
    const outage = truthB.episodes.find((e: { kind: string }) => e.kind === 'sensor-outage');
    const gap = truthB.episodes.find((e: { kind: string }) => e.kind === 'data-gap');
    const hidden = gap.start <= outage.start && gap.end >= outage.end;
    const health = byName.get('sensor-health') as {
      recall: { cells: number };
      below_floor: { episodes: number };
      totals: { tp: number; fn: number };
    };
    expect(health.recall.cells).toBe(hidden ? 1 : 2);
    expect(health.below_floor.episodes).toBe(hidden ? 1 : 0);
    expect(health.totals.tp + health.totals.fn).toBe(hidden ? 1 : 2);
  });

  it('names a directory that is not a simulated set', { timeout: 60_000 }, async () => {
    const r = await runKoban(['detect', '--eval', '/nonexistent-a', '/nonexistent-b']);
    expect(r.code).toBe(2);
    expect(r.out).toContain('/nonexistent-a: not a koban simulate directory');
  });
});
