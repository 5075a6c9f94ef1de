/**
 * A small simulated store for the public site's tests (written by the project): December 2011 and
 * January 2012 in JST, hand-countable. Per JST day of January: 30 firewall accesses to 445/tcp
 * from JP (3 sources), 10 darknet accesses to 23/tcp from CN (2 sources), 6 darknet accesses to
 * 1434/udp from US (1 source), 8 IDS Worm detections; on odd days 2 IDS Scan detections (below the
 * public threshold of 5); on 3 January 2 accesses to 31337/tcp (below it for the whole month). Per
 * day of December: 12 accesses to 445/tcp from JP and 20 to 23/tcp from CN, 6 IDS Worm. Sensor s1
 * monitors 203.0.113.0/24 (256 addresses); 3 backscatter alerts are raised on 5 January JST.
 */
import type { EnrichedEvent, IdsAlert } from '../src/core/index.js';
import { MonitoredSpace } from '../src/observe/index.js';
import type { ApiWorld } from './api-world.js';
import { ev } from './events.js';

const HOUR = 3_600_000;
/** 2012-01-01T00:00+09:00 and 2011-12-01T00:00+09:00. */
export const JAN_2012 = Date.UTC(2011, 11, 31, 15);
export const DEC_2011 = Date.UTC(2011, 10, 30, 15);

const ids = (technique: 'Worm' | 'Scan'): IdsAlert => ({
  generatorId: 1,
  signatureId: technique === 'Worm' ? 2003 : 469,
  signatureRev: 1,
  signature: technique === 'Worm' ? 'MS-SQL Worm propagation attempt' : 'ICMP PING NMAP',
  classtype: technique === 'Worm' ? 'misc-attack' : 'attempted-recon',
  technique,
  priority: 2,
});

function repeat(n: number, make: (i: number) => EnrichedEvent): EnrichedEvent[] {
  return Array.from({ length: n }, (_, i) => make(i));
}

function january(): EnrichedEvent[] {
  const out: EnrichedEvent[] = [];
  for (let d = 0; d < 31; d++) {
    const t = JAN_2012 + d * 24 * HOUR + 2 * HOUR;
    out.push(
      ...repeat(30, (i) =>
        ev({ timeMs: t + i, dstPort: 445, src: `198.51.100.${(i % 3) + 1}`, srcCountry: 'JP' }),
      ),
      ...repeat(10, (i) =>
        ev({
          timeMs: t + 100 + i,
          kind: 'darknet',
          dstPort: 23,
          src: `61.1.1.${(i % 2) + 1}`,
          srcCountry: 'CN',
        }),
      ),
      ...repeat(6, (i) =>
        ev({
          timeMs: t + 200 + i,
          kind: 'darknet',
          protocol: 'udp',
          protocolNumber: 17,
          tcpFlags: null,
          dstPort: 1434,
          src: '192.0.2.77',
          srcCountry: 'US',
        }),
      ),
      ...repeat(8, (i) =>
        ev({ timeMs: t + 300 + i, kind: 'ids', ids: ids('Worm'), srcCountry: 'CN', src: '61.1.1.9' }),
      ),
      ...(d % 2 === 0 ? repeat(2, (i) => ev({ timeMs: t + 400 + i, kind: 'ids', ids: ids('Scan') })) : []),
    );
    if (d === 2) out.push(...repeat(2, (i) => ev({ timeMs: t + 500 + i, dstPort: 31337 })));
  }
  return out;
}

function december(): EnrichedEvent[] {
  const out: EnrichedEvent[] = [];
  for (let d = 0; d < 31; d++) {
    const t = DEC_2011 + d * 24 * HOUR + 2 * HOUR;
    out.push(
      ...repeat(12, (i) => ev({ timeMs: t + i, dstPort: 445, srcCountry: 'JP' })),
      ...repeat(20, (i) =>
        ev({ timeMs: t + 100 + i, kind: 'darknet', dstPort: 23, src: '61.1.1.1', srcCountry: 'CN' }),
      ),
      ...repeat(6, (i) =>
        ev({ timeMs: t + 300 + i, kind: 'ids', ids: ids('Worm'), srcCountry: 'CN', src: '61.1.1.9' }),
      ),
    );
  }
  return out;
}

/** Fills the world's stores; the world's clock (2012-02-10) has January published, February not. */
export async function seedReleaseMonths(w: ApiWorld): Promise<void> {
  await w.center.observatory.store.append([...december(), ...january()]);
  await new MonitoredSpace(w.center.db).give({ s1: ['203.0.113.0/24'] }, w.clock.ms);
  for (let i = 0; i < 3; i++)
    await w.center.alerts.raise({
      kind: 'backscatter',
      dedupKey: `backscatter:192.0.2.${i}`,
      severity: 'medium',
      title: `DDoS on 192.0.2.${i}`,
      atMs: JAN_2012 + 4 * 24 * HOUR + i * HOUR,
      evidence: { phase: 'opened' },
    });
}
