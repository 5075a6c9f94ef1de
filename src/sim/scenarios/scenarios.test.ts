/**
 * Each scenario is visible in the written files where truth.json says, counted through the parsers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprintToString, isLargeScan, type ObservationEvent } from '../../core/index.js';
import { Enricher } from '../../observe/index.js';
import { buildRun } from '../generate.js';
import { resolveOptions, type SimulationOptions } from '../options.js';
import { readBack } from '../read-back.js';
import { simulate } from '../simulate.js';
import type { TruthEpisode } from '../truth.js';
import type { ScenarioKind } from './index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const base = { sensors: 16, days: 4, ratePerSensorPerDay: 1000 };

/** The first seed whose single episode of `kind` satisfies `accept` (planning only, no generation). */
function seedWhere(kind: ScenarioKind, accept: (subject: Record<string, unknown>) => boolean): number {
  for (let seed = 1; seed < 200; seed++) {
    const run = buildRun(
      resolveOptions({ ...base, outDir: '/nonexistent', seed, scenarios: [{ kind, strength: 1 }] }),
    );
    if (accept(run.plans[0]!.subject as Record<string, unknown>)) return seed;
  }
  throw new Error(`no seed gives the wanted ${kind} episode`);
}

async function run(
  kind: ScenarioKind,
  options: Partial<SimulationOptions> = {},
): Promise<{ episode: TruthEpisode; events: ObservationEvent[] }> {
  const dir = mkdtempSync(join(tmpdir(), `koban-sim-${kind}-`));
  dirs.push(dir);
  const r = await simulate({ ...base, outDir: dir, scenarios: [{ kind, strength: 1 }], ...options });
  const events: ObservationEvent[] = [];
  const files = await readBack(dir, (e) => events.push(e));
  for (const f of files) expect(f.rejections, f.path).toEqual([]);
  return { episode: r.truth.episodes[0]!, events };
}

const inEpisode = (e: ObservationEvent, ep: TruthEpisode): boolean =>
  e.timeMs >= Date.parse(ep.start) && e.timeMs < Date.parse(ep.end);

describe('scenarios', () => {
  it('port-surge: distinct sources on 139/TCP rise several-fold from the episode start', async () => {
    const { episode, events } = await run('port-surge', { days: 8, warmupDays: 4 });
    expect(episode.kind).toBe('port-surge');
    if (episode.kind !== 'port-surge') return;
    expect(episode.subject).toMatchObject({ proto: 'tcp', port: 139 });
    const start = Date.parse(episode.start);
    const end = Date.parse(episode.end);
    const before = new Set<string>();
    const during = new Set<string>();
    const span = Math.min(end - start, 86_400_000);
    for (const e of events) {
      if (e.kind === 'ids' || e.protocol !== 'tcp' || e.dstPort !== 139) continue;
      if (e.timeMs >= start - span - 86_400_000 && e.timeMs < start - 86_400_000) before.add(e.src);
      else if (e.timeMs >= start + 6 * 3_600_000 && e.timeMs < start + 6 * 3_600_000 + span)
        during.add(e.src);
    }
    expect(before.size).toBeGreaterThan(50);
    expect(during.size / before.size).toBeGreaterThan(3);
    expect(episode.observed.events).toBeGreaterThan(0);
  });

  it('backscatter: SYN-ACKs from the victim land on random sensor addresses at the expected rate', async () => {
    const seed = seedWhere('backscatter', (s) => s.attack_type === 'syn-flood');
    const { episode, events } = await run('backscatter', { seed });
    if (episode.kind !== 'backscatter') throw new Error('wrong kind');
    const replies = events.filter((e) => e.kind !== 'ids' && e.src === episode.subject.victim);
    expect(replies.length).toBe(episode.observed.events);
    expect(replies.every((e) => inEpisode(e, episode))).toBe(true);
    expect(replies.every((e) => e.protocol === 'tcp' && (e.tcpFlags === 0x12 || e.tcpFlags === 0x14))).toBe(
      true,
    );
    expect(replies.every((e) => episode.subject.ports.includes(e.srcPort!))).toBe(true);
    expect(replies.filter((e) => e.tcpFlags === 0x12).length).toBeGreaterThan(replies.length / 2);
    const expected = episode.details.expected_observed as number;
    expect(replies.length).toBeGreaterThan(expected * 0.8);
    expect(replies.length).toBeLessThan(expected * 1.2);
    // Uniform spoofing: darknet /24s get about 16 times the replies of a firewall /28.
    const dark = replies.filter((e) => e.kind === 'darknet').length;
    expect(dark / replies.length).toBeGreaterThan(0.75);
  });

  it('backscatter: a UDP flood shows as port unreachables quoting the spoofed sensor address', async () => {
    const seed = seedWhere('backscatter', (s) => s.attack_type === 'udp-flood');
    const { episode, events } = await run('backscatter', { seed });
    if (episode.kind !== 'backscatter') throw new Error('wrong kind');
    const errors = events.filter(
      (e) => e.kind !== 'ids' && e.quoted?.src === e.dst && e.quoted.dst === episode.subject.victim,
    );
    expect(errors.length).toBe(episode.observed.events);
    expect(errors.every((e) => e.protocol === 'icmp' && e.icmpType === 3)).toBe(true);
    expect(errors.every((e) => e.quoted!.dstPort === episode.subject.ports[0])).toBe(true);
    // Some come from the victim's router, not the victim.
    expect(errors.some((e) => e.src !== episode.subject.victim)).toBe(true);
  });

  it('scan: a horizontal scan probes one port on `targets` distinct addresses, once each', async () => {
    const seed = seedWhere('scan', (s) => s.type === 'horizontal');
    const { episode, events } = await run('scan', { seed });
    if (episode.kind !== 'scan') throw new Error('wrong kind');
    const probes = events.filter((e) => e.kind !== 'ids' && e.src === episode.subject.source);
    expect(probes.length).toBe(episode.subject.targets);
    expect(new Set(probes.map((e) => e.dst)).size).toBe(episode.subject.targets);
    expect(new Set(probes.map((e) => e.dstPort))).toEqual(new Set(episode.subject.ports));
    expect(new Set(probes.map((e) => e.sensor))).toEqual(new Set(episode.subject.target_sensors));
    expect(probes.every((e) => inEpisode(e, episode))).toBe(true);
  });

  it('scan: a vertical scan probes every listed port on one address, and the IDS names it', async () => {
    const seed = seedWhere('scan', (s) => s.type === 'vertical');
    const { episode, events } = await run('scan', { seed });
    if (episode.kind !== 'scan') throw new Error('wrong kind');
    const probes = events.filter((e) => e.kind !== 'ids' && e.src === episode.subject.source);
    expect(new Set(probes.map((e) => e.dst))).toEqual(new Set([episode.subject.target]));
    expect(probes.map((e) => e.dstPort).sort((a, b) => a! - b!)).toEqual(episode.subject.ports);
    const alerts = events.filter((e) => e.kind === 'ids' && e.src === episode.subject.source);
    if (probes[0]!.kind === 'firewall') {
      expect(alerts.length).toBeGreaterThan(0);
      expect(alerts.every((a) => a.ids!.technique === 'Scan')).toBe(true);
    }
  });

  it('scan: the truth says which scans deserve an alert — large campaigns, by the detector’s definition', () => {
    for (const seed of [1, 2, 3]) {
      const r = buildRun(
        resolveOptions({
          ...base,
          outDir: '/nonexistent',
          seed,
          // Two episodes: strengths 0 and 1.
          scenarios: [{ kind: 'scan', episodes: 2 }],
        }),
      );
      const [weak, strong] = [...r.plans].sort((a, b) => a.strength - b.strength);
      expect([weak!.strength, strong!.strength]).toEqual([0, 1]);
      expect([weak!.alert, strong!.alert]).toEqual([false, true]);
      for (const p of r.plans) {
        const reach =
          p.subject.type === 'vertical'
            ? { targets: 1, ports: p.magnitude }
            : { targets: p.magnitude, ports: 1 };
        expect(p.alert).toBe(isLargeScan(reach, r.env.monitored));
      }
    }
  });

  it('worm-outbreak: a new payload fingerprint and a new rule, from a growing population', async () => {
    const { episode, events } = await run('worm-outbreak');
    if (episode.kind !== 'worm-outbreak') throw new Error('wrong kind');
    const fp = episode.subject.payload_fingerprint;
    const worm = events.filter((e) => e.payload && fingerprintToString(e.payload) === fp);
    expect(worm.length).toBeGreaterThan(100);
    expect(worm.every((e) => inEpisode(e, episode) && e.dstPort === episode.subject.port)).toBe(true);
    expect(worm[0]!.payload!.length).toBe(episode.subject.payload_length);
    const alerts = events.filter((e) => e.ids?.signatureId === episode.subject.signature_id);
    expect(alerts.length).toBeGreaterThan(10);
    expect(alerts.every((a) => a.ids!.technique === 'Worm')).toBe(true);
    // Sources grow: fewer distinct sources in the first fifth of the growth than in the last.
    const start = Date.parse(episode.start);
    const growthMs = (episode.details.growth_hours as number) * 3_600_000;
    const early = new Set(worm.filter((e) => e.timeMs < start + growthMs / 5).map((e) => e.src));
    const late = new Set(
      worm.filter((e) => e.timeMs >= start + growthMs && e.timeMs < start + 1.2 * growthMs).map((e) => e.src),
    );
    if (Date.parse(episode.end) >= start + 1.2 * growthMs) expect(late.size).toBeGreaterThan(3 * early.size);
  });

  it('messenger-spam: bursts to 1026 then 1027/UDP from senders in one country', async () => {
    const { episode, events } = await run('messenger-spam');
    if (episode.kind !== 'messenger-spam') throw new Error('wrong kind');
    expect(episode.subject.country).toBe('US');
    const senders = new Set(episode.subject.sources);
    const spam = events.filter((e) => e.kind !== 'ids' && senders.has(e.src));
    expect(spam.length).toBe(episode.observed.events);
    expect(spam.length).toBeGreaterThan(200);
    expect(spam.every((e) => e.protocol === 'udp' && (e.dstPort === 1026 || e.dstPort === 1027))).toBe(true);
    expect(spam.every((e) => inEpisode(e, episode))).toBe(true);
    const enricher = await Enricher.open();
    for (const s of senders) expect(enricher.lookup(s).country).toBe('US');
  });

  it('botnet-infection: the named bots probe the command’s ports, and only during the episode', async () => {
    const { episode, events } = await run('botnet-infection', { sensors: 24 });
    if (episode.kind !== 'botnet-infection') throw new Error('wrong kind');
    const bots = new Set(episode.subject.sources);
    expect(bots.size).toBeGreaterThan(0);
    expect(bots.size).toBe(episode.observed.sources);
    const seen = new Set<string>();
    let off = 0;
    for (const e of events) {
      if (e.kind === 'ids' || !bots.has(e.src) || !inEpisode(e, episode)) continue;
      seen.add(e.src);
      if (!episode.subject.ports.includes(e.dstPort!) || e.tcpFlags !== 0x02) off++;
    }
    expect(off).toBe(0);
    expect(seen).toEqual(bots);
  });
});
