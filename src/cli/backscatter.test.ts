// `koban backscatter`: its filters and its text, on invented victims.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { HAVE_BUILD, runKoban } from '../../test/cli.js';
import { openRelational } from '../db/index.js';
import { BackscatterStatistics, type VictimStatistic } from '../detect/index.js';
import { renderVictims, victimFilter } from './backscatter.js';

const T = Date.UTC(2006, 7, 18, 5, 0);
const H = 3_600_000;

const victim = (over: Partial<VictimStatistic> = {}): VictimStatistic => ({
  episodeKey: `backscatter:192.0.2.80:${T}`,
  victim: '192.0.2.80',
  attackType: 'syn-flood',
  ports: ['80/tcp', '443/tcp'],
  firstMs: T,
  lastMs: T + H,
  packets: 31,
  addressesHit: 29,
  ratePps: 4_812.4,
  title: 'DDoS on 192.0.2.80 (syn-flood, 80/tcp 443/tcp): ≥ 4,810 replies/s',
  ...over,
});

describe('victimFilter', () => {
  it('turns the flags into a filter, and names a wrong one', () => {
    expect(victimFilter({ limit: '10', victim: '192.0.2.80', since: '2006-08-18' }, T, 540)).toEqual({
      victim: '192.0.2.80',
      sinceMs: Date.UTC(2006, 7, 17, 15),
    });
    expect(victimFilter({ limit: '10', since: '24h' }, T, 0)).toEqual({ sinceMs: T - 24 * H });
    expect(() => victimFilter({ limit: '1', victim: 'example.org' }, T, 0)).toThrow(
      /^--victim must be an IPv4 address/,
    );
  });
});

describe('renderVictims', () => {
  it('prints one line per victim in the operator offset, with its estimated rate', () => {
    const unknown = { ...victim({ victim: '198.51.100.9', ratePps: null, ports: [] }) };
    expect(renderVictims([victim(), unknown], 3, '1-YQ', 540).split('\n')).toEqual([
      '3 DDoS victims below the alerting rate (listed, not alerted), the most recent first',
      '',
      expect.stringMatching(
        /^victim\s+attack\s+rate \(replies\/s\)\s+addresses hit\s+replies\s+ports\s+first seen \(UTC\+09:00\)\s+last seen$/,
      ),
      expect.stringMatching(/^-+/),
      expect.stringMatching(
        /^192\.0\.2\.80\s+syn-flood\s+≈ 4,812\s+29\s+31\s+80\/tcp 443\/tcp\s+2006-08-18 14:00\s+2006-08-18 15:00$/,
      ),
      expect.stringMatching(
        /^198\.51\.100\.9\s+syn-flood\s+unknown\s+29\s+31\s+-\s+2006-08-18 14:00\s+2006-08-18 15:00$/,
      ),
      'more: koban backscatter --cursor 1-YQ (same filters)',
    ]);
    expect(renderVictims([], 0, null, 0)).toBe('no DDoS victims below the alerting rate');
  });
});

describe.skipIf(!HAVE_BUILD)('koban backscatter (the built command)', () => {
  it('lists the victims of the data directory, filtered, as text and JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koban-backscatter-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const db = await openRelational(dir);
    const store = new BackscatterStatistics(db);
    for (const [v, hours] of [
      ['192.0.2.1', 1],
      ['192.0.2.2', 3],
    ] as const)
      await store.record(victim({ episodeKey: `backscatter:${v}`, victim: v, lastMs: T + hours * H }));
    await db.destroy();
    const json = await runKoban(['backscatter', '--victim', '192.0.2.1', '--data', dir, '--json']);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.out) as { victims: { victim: string }[]; total: number; nextCursor: null };
    expect(doc).toMatchObject({ total: 1, nextCursor: null });
    expect(doc.victims.map((v) => v.victim)).toEqual(['192.0.2.1']);
    const text = await runKoban(['backscatter', '--limit', '1', '--data', dir]);
    expect(text.code).toBe(0);
    const lines = text.out.trimEnd().split('\n');
    expect(lines[0]).toBe(
      '2 DDoS victims below the alerting rate (listed, not alerted), the most recent first',
    );
    expect(lines[4]!.split(/\s+/)[0]).toBe('192.0.2.2');
    expect(lines[5]).toMatch(/^more: koban backscatter --cursor \d+-[A-Za-z0-9_-]+ \(same filters\)$/);
    const bad = await runKoban(['backscatter', '--victim', 'x', '--data', dir]);
    expect(bad.code).not.toBe(0);
    expect(bad.out).toContain('--victim must be an IPv4 address');
  });
});
