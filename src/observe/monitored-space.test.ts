// The monitored space learned from destinations and given by operators, stored on the run's
// relational dialect (test/relational.ts). Destination rows are hand-built (documentation addresses).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestRelational, type TestRelational } from '../../test/relational.js';
import { parseIPv4 } from '../core/index.js';
import { coveringBlock, MonitoredSpace } from './monitored-space.js';
import type { DestinationBlockRow } from './ports/destinations.js';
import { SensorRegistry } from './sensor-registry.js';

const T = Date.UTC(2026, 2, 20, 14);

function seen(
  sensor: string,
  lowest: string,
  highest: string,
  sources: number,
  events = 10,
): DestinationBlockRow {
  const lo = parseIPv4(lowest);
  return {
    sensor,
    network: (lo & 0xffffff00) >>> 0,
    lowest: lo,
    highest: parseIPv4(highest),
    addresses: 2,
    sources,
    events,
    firstMs: T,
    lastMs: T + 60_000,
  };
}

describe('coveringBlock', () => {
  it('is the smallest block holding both addresses', () => {
    const b = (lo: string, hi: string) => coveringBlock(parseIPv4(lo), parseIPv4(hi));
    expect(b('203.0.113.9', '203.0.113.9')).toBe('203.0.113.9/32');
    expect(b('203.0.113.16', '203.0.113.31')).toBe('203.0.113.16/28');
    expect(b('203.0.113.17', '203.0.113.30')).toBe('203.0.113.16/28');
    expect(b('203.0.113.1', '203.0.113.254')).toBe('203.0.113.0/24');
    expect(b('203.0.113.127', '203.0.113.128')).toBe('203.0.113.0/24');
  });
});

describe('MonitoredSpace', () => {
  let rel: TestRelational;
  let space: MonitoredSpace;
  beforeEach(async () => {
    rel = await openTestRelational({ shared: true });
    space = new MonitoredSpace(rel.db);
  });
  afterEach(async () => {
    await rel.close();
  });

  it('learns, per /24 reached from several sources, the smallest block holding its destinations', async () => {
    const r = await space.learn(
      [
        seen('fw1', '203.0.113.17', '203.0.113.30', 40),
        // One host's conversations (a victim's replies to one spoofed address) are no monitored block.
        seen('fw1', '198.51.100.77', '198.51.100.77', 1),
        seen('dark', '192.0.2.0', '192.0.2.255', 300, 5000),
      ],
      T,
    );
    expect(r).toEqual({ added: 2, updated: 0, ignored: 1 });
    expect(await space.inEffect()).toEqual([
      { sensor: 'dark', origin: 'learned', blocks: ['192.0.2.0/24'], addresses: 256 },
      { sensor: 'fw1', origin: 'learned', blocks: ['203.0.113.16/28'], addresses: 16 },
    ]);
  });

  it('widens a learned block with later evidence, within its /24, and keeps the evidence', async () => {
    await space.learn([seen('fw1', '203.0.113.17', '203.0.113.30', 40)], T);
    // A single-source row still widens a /24 already learned.
    const r = await space.learn([seen('fw1', '203.0.113.2', '203.0.113.20', 1, 5)], T + 1);
    expect(r).toEqual({ added: 0, updated: 1, ignored: 0 });
    expect(await space.stored()).toEqual([
      {
        sensor: 'fw1',
        origin: 'learned',
        block: '203.0.113.0/27',
        addresses: 32,
        sources: 40,
        events: 15,
        firstMs: T,
        lastMs: T + 60_000,
        updatedMs: T + 1,
      },
    ]);
  });

  it('stops learning new /24s for a sensor at its limit', async () => {
    const rows = [0, 1, 2].map((i) => seen('fw1', `203.0.${i}.1`, `203.0.${i}.2`, 5));
    expect(await space.learn(rows, T, { maxPerSensor: 2 })).toEqual({ added: 2, updated: 0, ignored: 1 });
  });

  it('remembers given blocks across opens, each sensor’s replacing those given before', async () => {
    await space.give({ fw1: ['203.0.113.0/28', '203.0.113.200'], fw2: ['198.51.100.0/24'] }, T);
    await space.give({ fw1: ['203.0.113.64/26'] }, T + 1);
    const later = new MonitoredSpace(await rel.another());
    expect(await later.inEffect()).toEqual([
      { sensor: 'fw1', origin: 'given', blocks: ['203.0.113.64/26'], addresses: 64 },
      { sensor: 'fw2', origin: 'given', blocks: ['198.51.100.0/24'], addresses: 256 },
    ]);
    await expect(space.give({ fw3: ['203.0.113.0/33'] })).rejects.toThrow(
      'blocks of "fw3": "203.0.113.0/33" is not an address block (expected CIDR, e.g. 203.0.113.0/24)',
    );
  });

  it('uses the registry’s blocks first, then the given ones, then the learned ones', async () => {
    await new SensorRegistry(rel.db).add({ name: 'fw1', addressBlocks: ['203.0.113.0/29'] });
    await space.learn(
      [seen('fw1', '203.0.113.1', '203.0.113.200', 9), seen('fw2', '198.51.100.1', '198.51.100.9', 9)],
      T,
    );
    await space.give({ fw2: ['198.51.100.0/25'] }, T);
    await space.learn([seen('dark', '192.0.2.1', '192.0.2.254', 9)], T);
    expect(await space.inEffect(new Map([['sim-01', ['10.1.0.0/24']]]))).toEqual([
      { sensor: 'dark', origin: 'learned', blocks: ['192.0.2.0/24'], addresses: 256 },
      { sensor: 'fw1', origin: 'registered', blocks: ['203.0.113.0/29'], addresses: 8 },
      { sensor: 'fw2', origin: 'given', blocks: ['198.51.100.0/25'], addresses: 128 },
      { sensor: 'sim-01', origin: 'given', blocks: ['10.1.0.0/24'], addresses: 256 },
    ]);
  });
});
