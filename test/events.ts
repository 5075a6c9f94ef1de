/** Hand-built events for store and analysis tests (written by the project). */
import type { EnrichedEvent, ObservationEvent } from '../src/core/index.js';

export function ev(over: Partial<EnrichedEvent> & { timeMs: number }): EnrichedEvent {
  const base: ObservationEvent = {
    timeMs: over.timeMs,
    sensor: 's1',
    kind: 'firewall',
    protocol: 'tcp',
    protocolNumber: 6,
    src: '198.51.100.1',
    dst: '203.0.113.1',
    srcPort: 40000,
    dstPort: 445,
    tcpFlags: 2,
    icmpType: null,
    icmpCode: null,
    length: 48,
    ttl: 113,
    ids: null,
    payload: null,
    quoted: null,
  };
  return { ...base, srcCountry: 'JP', srcAsn: 2497, srcScope: 'public', ...over } as EnrichedEvent;
}
