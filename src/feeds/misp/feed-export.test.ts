// Koban → MISP feed: the layout PyMISP writes (manifest.json, <uuid>.json, hashes.csv), checked
// field by field against CIRCL feed events (the shared samples), labels as TLP tags, private parts
// and unreadable reports never out, the same data giving the same bytes.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HAVE_SAMPLES, sample } from '../../../test/samples.js';
import { type Cast, openTestIntel, seedCast, type TestIntel } from '../../intel/_testkit.js';
import { MispService } from '../index.js';

let t: TestIntel;
let cast: Cast;
let dir: string;
beforeEach(async () => {
  t = await openTestIntel();
  cast = await seedCast(t);
  dir = mkdtempSync(join(tmpdir(), 'koban-misp-'));
});
afterEach(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

const typeOf = (v: unknown) => (Array.isArray(v) ? 'array' : typeof v);
const shape = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeOf(v)]));

async function seed() {
  await t.intel.intake.submitReport(
    cast.p1.actor,
    {
      kind: 'c2',
      destinations: [{ value: '45.77.12.34' }, { value: 'hxxp://gate.evil-c2[.]example/p.php' }],
    },
    { tlp: 'GREEN' },
  );
  await t.intel.intake.submitReport(
    cast.y.actor,
    { kind: 'c2', destinations: [{ value: '91.92.109.17' }] },
    { tlp: 'AMBER+STRICT' },
  );
}

describe('MISP feed export', () => {
  it('writes manifest, one event file per event and hashes.csv as PyMISP does', async () => {
    await seed();
    const misp = new MispService(t.intel, () => t.clock.ms);
    const feed = await misp.exportFeed(t.system, 'members');
    expect(await MispService.writeFeed(dir, feed)).toBe(1);
    const [uuid] = Object.keys(feed.manifest);
    expect(readdirSync(dir).sort()).toEqual([`${uuid}.json`, 'hashes.csv', 'manifest.json']);
    const file = readFileSync(join(dir, `${uuid}.json`), 'utf8');
    const event = JSON.parse(file).Event;
    expect(event).toMatchObject({
      uuid,
      info: 'C2 destinations (2)',
      analysis: '2',
      threat_level_id: '4',
      published: true,
      Tag: [
        { name: 'tlp:green', colour: '#339900' },
        { name: 'koban:kind="c2"', colour: '#0b3d91' },
      ],
      Orgc: { name: 'Cyber Intelligence Center' },
    });
    expect(
      event.Attribute.map((a: { type: string; value: string; category: string }) => [
        a.type,
        a.category,
        a.value,
      ]),
    ).toEqual([
      ['domain', 'Network activity', 'gate.evil-c2.example'],
      ['ip-dst', 'Network activity', '45.77.12.34'],
      ['url', 'Network activity', 'http://gate.evil-c2.example/p.php'],
    ]);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest[uuid!]).toEqual({
      Orgc: event.Orgc,
      Tag: event.Tag,
      info: event.info,
      date: event.date,
      analysis: 2,
      threat_level_id: 4,
      timestamp: Number(event.timestamp),
      koban_sha256: createHash('sha256').update(file).digest('hex'),
    });
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    expect(readFileSync(join(dir, 'hashes.csv'), 'utf8')).toBe(
      `${md5('gate.evil-c2.example')},${uuid}\n${md5('45.77.12.34')},${uuid}\n${md5('http://gate.evil-c2.example/p.php')},${uuid}\n`,
    );
    // AMBER+STRICT stays with Y and the center: the members' feed does not carry it.
    expect(file).not.toContain('91.92.109.17');
  });

  it('gives the same bytes for the same data and removes events that left the feed', async () => {
    await seed();
    const misp = new MispService(t.intel, () => t.clock.ms);
    const one = await misp.exportFeed(t.system);
    await MispService.writeFeed(dir, one);
    const two = await misp.exportFeed(t.system);
    expect(JSON.stringify(two.manifest)).toBe(JSON.stringify(one.manifest));
    writeFileSync(join(dir, '00000000-0000-4000-8000-000000000000.json'), '{}');
    await MispService.writeFeed(dir, two);
    expect(readdirSync(dir).filter((f) => f.startsWith('00000000'))).toEqual([]);
    expect(
      Object.values(two.manifest)
        .map((m) => m.Tag[0]!.name)
        .sort(),
    ).toEqual(['tlp:amber+strict', 'tlp:green']);
  });

  it.skipIf(!HAVE_SAMPLES)(
    'writes events of the shape of CIRCL’s feed events (field names and JSON types)',
    async () => {
      await seed();
      const feed = await new MispService(t.intel, () => t.clock.ms).exportFeed(t.system);
      const circl = JSON.parse(
        readFileSync(sample('misp/pymisp-reportlab-to_delete1-sunorcal.json'), 'utf8'),
      ).Event;
      const want = { ...shape(circl), extends_uuid: 'string' };
      const wantAttr = { ...shape(circl.Attribute[0]), deleted: 'boolean', disable_correlation: 'boolean' };
      delete (wantAttr as Record<string, string>).object_relation;
      for (const text of feed.files.values()) {
        const e = JSON.parse(text).Event;
        expect(shape(e)).toEqual(want);
        expect(shape(e.Orgc)).toEqual(shape(circl.Orgc));
        for (const a of e.Attribute) expect(shape(a)).toEqual(wantAttr);
        expect(e.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(e.timestamp).toMatch(/^\d+$/);
      }
    },
  );
});
