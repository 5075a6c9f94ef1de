import { describe, expect, it } from 'vitest';
import { ev } from '../../test/events.js';
import type { ObservationEvent } from '../core/index.js';
import { decodeEvent, encodeEvent, type WireEvent } from './event.js';

const T0 = Date.UTC(2026, 2, 20, 14, 0, 0);

/** The observation part of an enriched test event. */
function observed(over: Parameters<typeof ev>[0]): ObservationEvent {
  const { srcCountry: _c, srcAsn: _a, srcScope: _s, ...e } = ev(over);
  return e;
}

describe('events on the wire', () => {
  it('are compact arrays in the order of the tuple’s labels', () => {
    const e = observed({
      timeMs: T0,
      kind: 'ids',
      ids: {
        generatorId: 1,
        signatureId: 2003,
        signatureRev: 8,
        signature: 'MS-SQL Worm propagation attempt',
        classtype: null,
        technique: 'Worm',
        priority: 2,
      },
      payload: { length: 376, hash: 0x1234 },
    });
    const wire: WireEvent = encodeEvent(e, T0 + 5, 'relay-1');
    expect(wire).toEqual([
      T0,
      'ids',
      6,
      '198.51.100.1',
      '203.0.113.1',
      40000,
      445,
      2,
      null,
      null,
      48,
      113,
      [1, 2003, 8, 'MS-SQL Worm propagation attempt', null, 'Worm', 2],
      [376, 0x1234],
      null,
      T0 + 5,
      'relay-1',
    ]);
    expect(encodeEvent(e, null)).toHaveLength(16);
  });

  it('decode to the event they encode, with its receive time and relayed sensor name', () => {
    const e = observed({
      timeMs: T0,
      protocol: 'icmp',
      protocolNumber: 1,
      srcPort: null,
      dstPort: null,
      tcpFlags: null,
      icmpType: 3,
      icmpCode: 3,
      src: '2001:db8::1',
      quoted: { src: '203.0.113.1', dst: '192.0.2.99', protocol: 'udp', srcPort: 5353, dstPort: 53 },
    });
    const back = decodeEvent(JSON.parse(JSON.stringify(encodeEvent(e, T0 + 9, 'relay-1'))), 'agent');
    expect(back).toEqual({ event: { ...e, sensor: 'agent' }, receivedMs: T0 + 9, sensor: 'relay-1' });
    expect(decodeEvent(encodeEvent(e, null), 'agent')).toMatchObject({ receivedMs: null, sensor: null });
  });

  it('refuse each malformed field with its reason', () => {
    const good = encodeEvent(observed({ timeMs: T0 }), null);
    const bad = (i: number, v: unknown) =>
      decodeEvent(
        good.map((x, j) => (j === i ? v : x)),
        'agent',
      );
    expect(decodeEvent({}, 'agent')).toBe('event is not a 16/17-element array');
    expect(bad(0, -1)).toBe('invalid time');
    expect(bad(1, 'router')).toBe('invalid kind');
    expect(bad(3, '999.1.1.1')).toBe('invalid source address');
    expect(bad(6, 70000)).toBe('invalid port');
    expect(bad(12, [1, 2])).toBe('invalid ids');
    expect(bad(13, [1])).toBe('invalid payload');
    expect(bad(14, ['x', 'y', 6, 1, 2])).toBe('invalid quoted packet');
  });
});
