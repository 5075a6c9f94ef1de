/**
 * The timeline's marks from the center, read with a member's token through the API (the center in
 * process, its app called without a socket): the STIX export gives the C2 destinations the
 * organisation may see — not another member's AMBER one — and the anonymizer check says whether an
 * address was a Tor exit at the connection's time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, C2_TH, C2_US, openApiWorld } from '../../test/api-world.js';
import type { CenterAccess } from '../recorder/index.js';
import {
  anonymizerMarker,
  centerAnonymizer,
  centerIndicators,
  indicatorsFromFile,
} from './_recorder-marks.js';

let w: ApiWorld;
let access: CenterAccess;
let work: string;
const EXIT = '203.0.113.5';
const HIDDEN = '192.0.2.77';

async function postC2(token: string, value: string, tlp: string): Promise<void> {
  const r = await w.request('/api/v1/reports', {
    token,
    json: { report: { kind: 'c2', destinations: [{ value }] }, sharing: { tlp } },
  });
  expect(r.status).toBe(201);
}

beforeAll(async () => {
  w = await openApiWorld();
  work = mkdtempSync(join(tmpdir(), 'koban-recorder-marks-'));
  access = {
    center: 'http://center.test',
    token: w.cast.x.token,
    fetch: async (url, init) => w.app.request(url, init),
  };
  await postC2(w.cast.x.token, C2_TH, 'AMBER');
  await postC2(w.cast.y.token, C2_US, 'GREEN');
  await postC2(w.cast.y.token, HIDDEN, 'AMBER');
  const published = new Date(w.clock.ms - 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
  await w.center.anonymizer.importList({
    source: 'details.json',
    text: JSON.stringify({
      relays_published: published,
      relays: [
        {
          fingerprint: 'D'.repeat(40),
          or_addresses: [`${EXIT}:443`],
          flags: ['Exit'],
          exit_policy_summary: { accept: ['443'] },
        },
      ],
    }),
  });
});
afterAll(async () => {
  await w.close();
  rmSync(work, { recursive: true, force: true });
});

describe('marks from the center', () => {
  it("gives the C2 destinations the member may see, marked as C2, not another member's AMBER one", async () => {
    const parsed = await centerIndicators(access);
    expect(parsed.rejected).toEqual([]);
    // The export labels each indicator with its roles: these were reported as C2 destinations.
    expect(parsed.indicators.map((i) => [i.value, i.kind]).sort()).toEqual([
      [C2_TH, 'c2'],
      [C2_US, 'c2'],
    ]);
  });

  it('reads the same from a bundle saved by an export, and a text list otherwise', async () => {
    const bundle = await (
      await w.request('/api/v1/intel/export?format=stix', { token: w.cast.x.token })
    ).text();
    const file = join(work, 'bundle.json');
    writeFileSync(file, bundle);
    expect(
      indicatorsFromFile(file)
        .indicators.map((i) => i.value)
        .sort(),
    ).toEqual([C2_TH, C2_US]);
    const broken = JSON.parse(bundle) as { objects: Record<string, unknown>[] };
    broken.objects.push({
      type: 'indicator',
      id: 'indicator--x',
      pattern_type: 'stix',
      pattern: "[ipv4-addr:value = '1.2.3.4'",
    });
    writeFileSync(file, JSON.stringify(broken));
    expect(indicatorsFromFile(file).rejected).toEqual([
      { line: broken.objects.length, reason: 'object indicator--x: pattern has unbalanced brackets' },
    ]);
    writeFileSync(join(work, 'list.txt'), `${C2_TH}\n`);
    expect(indicatorsFromFile(join(work, 'list.txt')).indicators).toEqual([
      { value: C2_TH, kind: 'c2', detail: `${join(work, 'list.txt')} line 1` },
    ]);
  });

  it("marks a Tor exit at the connection's time and counts the times the database cannot answer", async () => {
    const refused: string[] = [];
    const m = anonymizerMarker(centerAnonymizer(access), refused);
    const marks = await m.mark(EXIT, w.clock.ms);
    expect(marks.map((x) => [x.source, x.kind])).toEqual([['anonymizer', 'tor-exit']]);
    expect(await m.mark('203.0.113.6', w.clock.ms)).toEqual([]);
    expect(await m.mark(EXIT, w.clock.ms + 48 * 3_600_000)).toEqual([]);
    expect(refused.length).toBe(1);
    expect(refused[0]).toMatch(/^203\.0\.113\.5 at .*: \/api\/v1\/anonymizer\/check\?.*: HTTP 503: /);
  });
});
