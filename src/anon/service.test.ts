import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestRelational, type TestRelational } from '../../test/relational.js';
import { HAVE_SAMPLES, sample } from '../../test/samples.js';
import { AnonymizerService } from './service.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 11, 1, 0);
const FP_A = 'A'.repeat(40);
const FP_B = 'B'.repeat(40);

function exitList(downloadedMs: number, nodes: [string, string][]): string {
  const t = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  const lines = ['@type tordnsel 1.0', `Downloaded ${t(downloadedMs)}`];
  for (const [fp, ip] of nodes)
    lines.push(
      `ExitNode ${fp}`,
      `Published ${t(downloadedMs - H)}`,
      `LastStatus ${t(downloadedMs - H)}`,
      `ExitAddress ${ip} ${t(downloadedMs - H / 2)}`,
    );
  return `${lines.join('\n')}\n`;
}

describe('anonymizer history', () => {
  let rel: TestRelational;
  let now = T0;
  let svc: AnonymizerService;
  beforeEach(async () => {
    rel = await openTestRelational();
    now = T0;
    svc = await AnonymizerService.open(rel.db, { staleHours: 24, clock: () => now });
  });
  afterEach(async () => rel.close());

  it('closes an address absent from a newer list at that list time, and answers for times in between', async () => {
    await svc.importList({
      text: exitList(T0, [
        [FP_A, '192.0.2.1'],
        [FP_B, '192.0.2.2'],
      ]),
      source: 'l1',
    });
    const second = await svc.importList({ text: exitList(T0 + 2 * H, [[FP_A, '192.0.2.1']]), source: 'l2' });
    expect(second).toMatchObject({ opened: 0, kept: 1, closed: 1, rejected: [] });
    const third = await svc.importList({
      text: exitList(T0 + 4 * H, [
        [FP_A, '192.0.2.1'],
        [FP_B, '192.0.2.2'],
      ]),
      source: 'l3',
    });
    expect(third).toMatchObject({ opened: 1, kept: 1, closed: 0 });
    now = T0 + 5 * H;
    // 192.0.2.2: first listed half an hour before the first list (its ExitAddress time), then [l3 …).
    expect(svc.check('192.0.2.2', { atMs: T0 - H / 4 }).listed).toBe(true);
    expect(svc.check('192.0.2.2', { atMs: T0 + H }).listed).toBe(true);
    expect(svc.check('192.0.2.2', { atMs: T0 + 2 * H }).listed).toBe(false);
    expect(svc.check('192.0.2.2', { atMs: T0 + 3 * H }).listed).toBe(false);
    // Its second interval starts at l2's time, not at the earlier ExitAddress measurement in l3.
    expect(svc.check('192.0.2.2', { atMs: T0 + 2 * H + 1 }).listed).toBe(false);
    const later = svc.check('192.0.2.2', { atMs: T0 + 4 * H });
    expect(later.evidence).toEqual([
      {
        list: 'tor-exits',
        kind: 'tor-exit',
        entry: '192.0.2.2',
        fingerprint: FP_B,
        policy: null,
        portAllowed: null,
        reason: null,
        from: new Date(T0 + 3.5 * H).toISOString(),
        to: null,
        firstList: { source: 'l3', published: new Date(T0 + 4 * H).toISOString() },
        lastList: { source: 'l3', published: new Date(T0 + 4 * H).toISOString() },
      },
    ]);
    const a = svc.check('192.0.2.1');
    expect(a.evidence.map((e) => [e.from, e.to, e.firstList.source, e.lastList.source])).toEqual([
      [new Date(T0 - H / 2).toISOString(), null, 'l1', 'l3'],
    ]);
  });

  it('refuses now when the newest list is older than the freshness limit, and times before the history', async () => {
    await svc.importList({ text: exitList(T0, [[FP_A, '192.0.2.1']]), source: 'l1' });
    now = T0 + 24 * H;
    expect(svc.check('192.0.2.1').listed).toBe(true);
    now = T0 + 24 * H + 1;
    expect(() => svc.check('192.0.2.1')).toThrow(/more than 24 h before/);
    // The history still answers for the time it covers.
    expect(svc.check('192.0.2.1', { atMs: T0 }).listed).toBe(true);
    expect(() => svc.check('192.0.2.1', { atMs: T0 - 10 * H })).toThrow(/history starts at/);
  });

  it('refuses an older list after a newer one and takes the same list twice as nothing new', async () => {
    const l2 = exitList(T0 + H, [[FP_A, '192.0.2.1']]);
    await svc.importList({ text: l2, source: 'l2' });
    expect((await svc.importList({ text: l2, source: 'l2' })).duplicate).toBe(true);
    await expect(svc.importList({ text: exitList(T0, [[FP_A, '192.0.2.1']]), source: 'l1' })).rejects.toThrow(
      /history is built in publication order/,
    );
  });

  it('answers an ip-port query from the policy summary, and a changed policy opens a new interval', async () => {
    const doc = (published: string, accept: string[]) =>
      JSON.stringify({
        relays_published: published,
        relays: [
          {
            fingerprint: FP_A,
            or_addresses: ['192.0.2.9:9001'],
            flags: ['Exit'],
            exit_policy_summary: { accept },
          },
        ],
      });
    await svc.importList({ text: doc('2026-12-01 00:00:00', ['80', '443']), source: 'o1' });
    const r = await svc.importList({ text: doc('2026-12-01 06:00:00', ['443']), source: 'o2' });
    expect(r).toMatchObject({ opened: 1, kept: 0, closed: 1 });
    now = T0 + 7 * H;
    expect(svc.check('192.0.2.9', { port: 80 }).listed).toBe(false);
    expect(svc.check('192.0.2.9', { port: 443 }).listed).toBe(true);
    expect(svc.check('192.0.2.9', { port: 80, atMs: T0 + H }).listed).toBe(true);
    expect(svc.check('192.0.2.9', { port: 80, atMs: T0 + H }).evidence[0]!.policy).toEqual({
      accept: ['80', '443'],
    });
  });

  it('exports what is listed now as an rbldnsd zone and matches addresses inside listed blocks', async () => {
    await svc.importList({
      text: '$TIMESTAMP 2026:12:01:00:00:00\n198.51.100.0/24 :127.0.0.2:open proxy $\n192.0.2.4\n',
      source: 'proxies.zone',
      list: 'proxies',
      kind: 'proxy',
    });
    now = T0 + H;
    const a = svc.check('198.51.100.77');
    expect(a.evidence.map((e) => [e.list, e.kind, e.entry, e.reason])).toEqual([
      ['proxies', 'proxy', '198.51.100.0/24', 'open proxy $'],
    ]);
    expect(svc.exportRbldnsd()).toBe(
      '# written by koban anonymizer export --format rbldnsd\n$TIMESTAMP 2026:12:01:00:00:00\n:127.0.0.2:listed as an anonymizer exit: $\n192.0.2.4\n198.51.100.0/24\n',
    );
  });

  it.skipIf(!HAVE_SAMPLES)('answers from the real TorDNSEL sample with its relay and times', async () => {
    const text = readFileSync(sample('tor/metrics-lib-tordnsel-2017-07-17-17-02-00'), 'utf8');
    now = Date.UTC(2017, 6, 17, 18);
    const r = await svc.importList({ text, source: 'tordnsel-2017-07-17' });
    expect(r).toMatchObject({ list: 'tor-exits', format: 'tordnsel', entries: 44, opened: 44, rejected: [] });
    const a = svc.check('162.247.72.201');
    expect(a.evidence).toHaveLength(1);
    expect(a.evidence[0]).toMatchObject({
      fingerprint: '0011BD2485AD45D984EC4159C88FC066E5E3300E',
      from: '2017-07-17T14:11:38.000Z',
      to: null,
      firstList: { source: 'tordnsel-2017-07-17', published: '2017-07-17T17:02:00.000Z' },
    });
    // Before its ExitAddress measurement, the address was not known as an exit.
    expect(svc.check('162.247.72.201', { atMs: Date.UTC(2017, 6, 17, 17) }).listed).toBe(true);
    expect(svc.check('192.0.2.1').listed).toBe(false);
  });
});
