// The built `koban` over a netfilter log written for this test from the kernel's documented LOG
// format (documentation addresses): `koban import` learns the sensor's block from the destinations,
// a later `koban detect` scales the DDoS it finds by it, and blocks given with --blocks are
// remembered by later runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_BUILD, runKoban } from '../../test/cli.js';

const stamp = (minute: number, second: number) =>
  `2026-03-20T${String(12 + Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:${String(second).padStart(2, '0')}.000000+00:00`;

/** Two hours of probes to 203.0.113.16–31 from 40 sources, and in minutes 90–94 a victim's SYN-ACKs to 8 of them a minute. */
function log(): string {
  const lines: string[] = [];
  for (let m = 0; m < 120; m++) {
    for (let k = 0; k < 6; k++) {
      const src = `198.51.100.${((m * 6 + k) % 40) + 1}`;
      const dst = `203.0.113.${16 + ((m + k * 3) % 16)}`;
      lines.push(
        `${stamp(m, k * 9)} fw1 kernel: [UFW BLOCK] IN=eth0 OUT= MAC= SRC=${src} DST=${dst} LEN=44 TOS=0x00 ` +
          `PREC=0x00 TTL=50 ID=${m * 10 + k} PROTO=TCP SPT=${40000 + k} DPT=445 WINDOW=1024 RES=0x00 SYN URGP=0`,
      );
    }
    if (m >= 90 && m < 95) {
      for (let k = 0; k < 8; k++) {
        lines.push(
          `${stamp(m, 30 + k)} fw1 kernel: [UFW BLOCK] IN=eth0 OUT= MAC= SRC=192.0.2.80 DST=203.0.113.${16 + ((m * 8 + k) % 16)} ` +
            `LEN=44 TOS=0x00 PREC=0x00 TTL=50 ID=${5000 + m * 10 + k} PROTO=TCP SPT=80 DPT=${30000 + k} WINDOW=5840 RES=0x00 ACK SYN URGP=0`,
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

describe.skipIf(!HAVE_BUILD)('the monitored space across koban commands (the built command)', () => {
  let dir: string;
  let data: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'koban-space-'));
    data = join(dir, 'data');
    writeFileSync(join(dir, 'fw1.log'), log());
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('learns blocks at import and uses them in a later detect run; --blocks is remembered', async () => {
    const imported = await runKoban(['import', join(dir, 'fw1.log'), '--history', '--json', '--data', data]);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout).monitored_space).toEqual({
      given: [],
      learned: 1,
      widened: 0,
      ignored: 0,
    });

    const blocks = await runKoban(['sensor', 'blocks', '--json', '--data', data]);
    expect(JSON.parse(blocks.stdout).sensors).toEqual([
      { sensor: 'fw1', origin: 'learned', blocks: ['203.0.113.16/28'], addresses: 16 },
    ]);

    // Opened on the first minute: 8 replies (at least 60 s) to 16 addresses, 8 / 60 × 2^32 / 16 ≈ 35.8 M/s.
    const detected = await runKoban(['detect', '--only', 'backscatter', '--json', '--data', data]);
    expect(detected.code).toBe(0);
    const doc = JSON.parse(detected.stdout);
    expect(doc.monitored_space).toEqual([
      { sensor: 'fw1', origin: 'learned', blocks: ['203.0.113.16/28'], addresses: 16 },
    ]);
    expect(doc.opened.map((a: { title: string; severity: string }) => [a.severity, a.title])).toEqual([
      ['critical', 'DDoS on 192.0.2.80 (syn-flood, 80/tcp): ≥ 36,000,000 replies/s'],
    ]);

    const file = join(dir, 'blocks.json');
    writeFileSync(file, JSON.stringify({ fw1: ['203.0.113.0/24'] }));
    expect(
      (await runKoban(['detect', '--only', 'backscatter', '--blocks', file, '--json', '--data', data])).code,
    ).toBe(0);
    const later = await runKoban(['sensor', 'blocks', '--json', '--data', data]);
    expect(JSON.parse(later.stdout).sensors).toEqual([
      { sensor: 'fw1', origin: 'given', blocks: ['203.0.113.0/24'], addresses: 256 },
    ]);
  });
});
