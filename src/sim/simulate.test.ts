import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readBack } from './read-back.js';
import { simulate } from './simulate.js';
import { TruthSchema } from './truth.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'koban-sim-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function listFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, p));
    else out.push(p);
  }
  return out.sort();
}

const small = { sensors: 8, days: 2, ratePerSensorPerDay: 3000, scenarios: ['all'] as const, episodes: 2 };

describe('simulate', () => {
  it('writes byte-identical output for the same seed and options', async () => {
    const a = tmp();
    const b = tmp();
    await simulate({ ...small, outDir: a, seed: 5 });
    await simulate({ ...small, outDir: b, seed: 5 });
    const fa = listFiles(a);
    expect(fa).toEqual(listFiles(b));
    expect(fa).toContain('truth.json');
    expect(fa).toContain('manifest.json');
    for (const f of fa) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), f).toBe(true);
  });

  it('writes different data for another seed', async () => {
    const a = tmp();
    const b = tmp();
    await simulate({ ...small, outDir: a, seed: 5 });
    await simulate({ ...small, outDir: b, seed: 6 });
    const f = 'sensors/fw-hokkaido/simulated-iptables.log';
    expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f)))).toBe(false);
  });

  it('names every file and the manifest as simulated, and lists each sensor’s blocks and files', async () => {
    const d = tmp();
    const r = await simulate({ ...small, outDir: d, seed: 1 });
    const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
    expect(m.simulated).toBe(true);
    expect(m.seed).toBe(1);
    expect(m.options.sensors).toBe(8);
    expect(m.sensors).toHaveLength(8);
    for (const s of m.sensors) {
      expect(s.blocks[0]).toMatch(/^\d+\.\d+\.\d+\.\d+\/(24|28)$/);
      for (const f of s.files) {
        expect(f.path).toMatch(/^sensors\/[a-z0-9-]+\/simulated-(iptables\.log|eve\.json|darknet\.pcap)$/);
        expect(existsSync(join(d, f.path))).toBe(true);
        expect(f.index[0].offset).toBeGreaterThan(0);
      }
    }
    expect(m.sensors.filter((s: { site: string }) => s.site === 'darknet')).toHaveLength(2);
    expect(
      readFileSync(join(d, 'sensors/fw-hokkaido/simulated-iptables.log'), 'latin1').split('\n')[0],
    ).toContain('SIMULATED DATA');
    expect(readFileSync(join(d, 'sensors/fw-hokkaido/simulated-eve.json'), 'utf8').split('\n')[0]).toContain(
      '"simulated":true',
    );
    expect(readFileSync(join(d, 'README.txt'), 'utf8')).toMatch(/^SIMULATED DATA/);
    expect(r.events).toBe(m.totals.events);
  });

  it('writes a truth.json that validates, with episodes of varied strength after the warm-up', async () => {
    const d = tmp();
    await simulate({ ...small, outDir: d, seed: 2, episodes: 3 });
    const truth = TruthSchema.parse(JSON.parse(readFileSync(join(d, 'truth.json'), 'utf8')));
    expect(truth.simulated).toBe(true);
    expect(truth.episodes).toHaveLength(24);
    expect(new Set(truth.episodes.map((e) => e.id)).size).toBe(24);
    const warmupEnd = Date.parse(truth.start) + 0.5 * 86_400_000;
    for (const e of truth.episodes) {
      expect(Date.parse(e.start)).toBeGreaterThanOrEqual(warmupEnd);
      expect(Date.parse(e.end)).toBeLessThanOrEqual(Date.parse(truth.end));
      expect(Date.parse(e.end)).toBeGreaterThan(Date.parse(e.start));
    }
    for (const kind of [
      'port-surge',
      'backscatter',
      'scan',
      'worm-outbreak',
      'messenger-spam',
      'botnet-infection',
      'sensor-outage',
      'inbound-flood',
    ]) {
      const ep = truth.episodes.filter((e) => e.kind === kind);
      expect(ep.map((e) => e.strength).sort()).toEqual([0, 0.5, 1]);
      const mags = ep.map((e) => e.magnitude);
      expect(Math.max(...mags) / Math.min(...mags), kind).toBeGreaterThan(2);
    }
  });

  it("leaves a hole in an outage sensor's files, and only there", async () => {
    const d = tmp();
    await simulate({
      ...small,
      outDir: d,
      seed: 4,
      scenarios: [{ kind: 'sensor-outage', episodes: 1, strength: 0.5 }],
    });
    const truth = TruthSchema.parse(JSON.parse(readFileSync(join(d, 'truth.json'), 'utf8')));
    const [outage] = truth.episodes;
    if (outage?.kind !== 'sensor-outage') throw new Error('expected one sensor-outage episode');
    const [a, b] = [Date.parse(outage.start), Date.parse(outage.end)];
    expect(b - a).toBeGreaterThan(3_600_000);
    const inside = new Map<string, number>();
    const around = new Map<string, number>();
    await readBack(d, (e, _file, sensor) => {
      const m =
        e.timeMs >= a && e.timeMs < b ? inside : e.timeMs >= a - (b - a) && e.timeMs < a ? around : null;
      m?.set(sensor.name, (m.get(sensor.name) ?? 0) + 1);
    });
    expect(inside.get(outage.subject.sensor) ?? 0).toBe(0);
    expect(around.get(outage.subject.sensor) ?? 0).toBeGreaterThan(20);
    // The rest of the fleet went on recording through the outage.
    expect(inside.size).toBeGreaterThanOrEqual(small.sensors - 1);
    expect(outage.observed.events).toBe(0);
  });

  it("leaves a hole in every sensor's files for a data gap", async () => {
    const d = tmp();
    await simulate({
      ...small,
      outDir: d,
      seed: 4,
      scenarios: [{ kind: 'data-gap', episodes: 1, strength: 0.5 }],
    });
    const truth = TruthSchema.parse(JSON.parse(readFileSync(join(d, 'truth.json'), 'utf8')));
    const [gap] = truth.episodes;
    if (gap?.kind !== 'data-gap') throw new Error('expected one data-gap episode');
    expect(gap.subject).toEqual({ problem: 'gap' });
    // A condition of the data, not an event: nothing is expected to alert on it.
    expect(gap.alert).toBe(false);
    expect(gap.magnitude).toBe(8.49);
    const [a, b] = [Date.parse(gap.start), Date.parse(gap.end)];
    const inside = new Map<string, number>();
    const around = new Map<string, number>();
    await readBack(d, (e, _file, sensor) => {
      const m =
        e.timeMs >= a && e.timeMs < b ? inside : e.timeMs >= a - (b - a) && e.timeMs < a ? around : null;
      m?.set(sensor.name, (m.get(sensor.name) ?? 0) + 1);
    });
    expect(inside.size).toBe(0);
    expect(around.size).toBe(small.sensors);
    expect(gap.observed.events).toBe(0);
    // (`all` leaves it out: the test above counts seven kinds of episodes.)
  });

  it('writes only the requested formats, and every file parses with zero rejections', async () => {
    const d = tmp();
    const r = await simulate({ ...small, outDir: d, seed: 3, formats: ['eve', 'pcap'] });
    const formats = new Set(r.manifest.sensors.flatMap((s) => s.files.map((f) => f.format)));
    expect([...formats].sort()).toEqual(['eve', 'pcap']);
    const back = await readBack(d);
    for (const f of back) {
      expect(f.rejections, f.path).toEqual([]);
      expect(f.detected, f.path).toBe(f.path.endsWith('.pcap') ? 'pcap' : 'eve');
      expect(f.events).toBe(
        r.manifest.sensors.flatMap((s) => s.files).find((x) => x.path === f.path)!.records,
      );
    }
  });

  it('refuses a non-empty directory that holds no simulation, and replaces an earlier simulation', async () => {
    const d = tmp();
    writeFileSync(join(d, 'notes.txt'), 'mine');
    await expect(simulate({ ...small, outDir: d })).rejects.toThrow(/not empty/);
    const e = tmp();
    await simulate({ ...small, outDir: e, sensors: 3, scenarios: [] });
    mkdirSync(join(e, 'sensors', 'stale'));
    await simulate({ ...small, outDir: e, sensors: 2, scenarios: [] });
    expect(readdirSync(join(e, 'sensors')).sort()).toEqual(['fw-aomori', 'fw-hokkaido']);
  });
});
