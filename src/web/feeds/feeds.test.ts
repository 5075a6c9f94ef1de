// /api/v1/feeds/ through HTTP: blocklists for the provider council (token, provider kind, what the
// caller may see, ETag/304, expiry and `since`), sightings back (pseudonymised, counted, newly
// infected customers named back to their provider only), and the MISP feed files.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiWorld, C2_TH, C2_US, openApiWorld } from '../../../test/api-world.js';

let w: ApiWorld;
beforeEach(async () => {
  w = await openApiWorld();
});
afterEach(async () => {
  await w.close();
});

const DAY = 86_400_000;

async function postC2(token: string, value: string, tlp: string): Promise<void> {
  const r = await w.request('/api/v1/reports', {
    token,
    json: { report: { kind: 'c2', destinations: [{ value }] }, sharing: { tlp } },
  });
  expect(r.status).toBe(201);
}

const values = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

describe('GET /api/v1/feeds/blocklist.*', () => {
  it('lists what the provider may see, answers 304 to its ETag, and refuses members and the anonymous', async () => {
    await postC2(w.cast.x.token, C2_TH, 'GREEN');
    await postC2(w.cast.y.token, C2_US, 'AMBER');
    const txt = await w.request('/api/v1/feeds/blocklist.txt', { token: w.cast.mssp.token });
    expect(txt.status).toBe(200);
    expect(txt.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(values(await txt.text())).toEqual([C2_TH]);
    const etag = txt.headers.get('etag')!;
    const again = await w.request('/api/v1/feeds/blocklist.txt', {
      token: w.cast.mssp.token,
      headers: { 'if-none-match': etag },
    });
    expect([again.status, again.headers.get('etag'), await again.text()]).toEqual([304, etag, '']);
    const center = await w.request('/api/v1/feeds/blocklist.txt', { token: w.cast.analyst.token });
    expect(values(await center.text())).toEqual([C2_TH, C2_US]);
    expect((await w.request('/api/v1/feeds/blocklist.txt', { token: w.cast.x.token })).status).toBe(403);
    expect((await w.request('/api/v1/feeds/blocklist.txt', { token: null })).status).toBe(401);
  });

  it('serves Suricata rules and an RPZ zone of the same destinations', async () => {
    await postC2(w.cast.x.token, C2_TH, 'GREEN');
    const rules = await (
      await w.request('/api/v1/feeds/blocklist.rules', { token: w.cast.mssp.token })
    ).text();
    expect(values(rules)).toEqual([
      `alert ip $HOME_NET any -> [${C2_TH}] any (msg:"Koban C2 destination ${C2_TH}"; classtype:trojan-activity; metadata:koban_confidence 80, koban_valid_until 2012-03-11; sid:1023796358; rev:1;)`,
    ]);
    const rpz = await w.request('/api/v1/feeds/blocklist.rpz', { token: w.cast.mssp.token });
    const zone = await rpz.text();
    expect(zone.split('\n').filter((l) => !l.startsWith(';'))).toEqual([
      '$TTL 300',
      `@ IN SOA localhost. hostmaster.invalid. ${Math.floor(w.clock.ms / 1000)} 3600 600 604800 300`,
      '@ IN NS localhost.',
      '32.5.40.254.27.rpz-ip CNAME .',
      '',
    ]);
  });

  it('drops a destination past its expiry, and lists it as removed since an earlier time', async () => {
    await postC2(w.cast.x.token, C2_TH, 'GREEN');
    const before = w.clock.ms;
    w.clock.ms += 31 * DAY;
    const txt = await w.request('/api/v1/feeds/blocklist.txt', { token: w.cast.mssp.token });
    expect(values(await txt.text())).toEqual([]);
    const since = await w.request(`/api/v1/feeds/blocklist.csv?since=${Math.floor(before / 1000)}`, {
      token: w.cast.mssp.token,
    });
    const rows = (await since.text()).trim().split('\r\n');
    expect(rows[0]).toBe('action,value,type,confidence,valid_until,first_seen,last_seen,campaigns');
    expect(rows.slice(1).map((r) => r.split(',').slice(0, 3))).toEqual([['remove', C2_TH, 'ipv4']]);
  });
});

describe('sightings back', () => {
  const hash = 'ab'.repeat(32);

  it('keeps only a re-hashed customer, counts it, and tells the provider once that it is newly infected', async () => {
    await postC2(w.cast.x.token, C2_TH, 'GREEN');
    const seen = new Date(w.clock.ms - 3600_000).toISOString();
    const post = () =>
      w.request('/api/v1/feeds/sightings', {
        token: w.cast.mssp.token,
        json: {
          sightings: [
            { value: C2_TH, customer_hash: hash, seen },
            { value: '198.51.100.7', customer_hash: hash, seen },
            { value: C2_TH, customer_hash: 'alice@example.com', seen },
          ],
        },
      });
    const r = await post();
    expect(r.status).toBe(200);
    const receipt = (await r.json()) as {
      accepted: number;
      rejected: { index: number; reason: string }[];
      newInfected: { customer_hash: string; customer_key: string; value: string }[];
    };
    expect(receipt.accepted).toBe(1);
    expect(receipt.rejected).toEqual([
      { index: 2, reason: '198.51.100.7 is not a C2 destination on your list' },
      {
        index: 3,
        reason:
          'customer_hash: customer_hash must be the provider’s hash of its customer (hex or base64, ≥128 bits), never the customer itself',
      },
    ]);
    expect(receipt.newInfected).toHaveLength(1);
    const key = receipt.newInfected[0]!.customer_key;
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toBe(hash);
    const stored = await w.center.intel.db.selectFrom('provider_sightings').selectAll().execute();
    expect(stored.map((s) => [s.customer_key, s.value, Number(s.count)])).toEqual([[key, C2_TH, 1]]);
    const salt = await w.center.intel.db.selectFrom('provider_salts').selectAll().execute();
    expect(salt[0]!.salt_sealed).not.toMatch(/^[0-9a-f]{64}$/);

    const second = (await (await post()).json()) as { newInfected: unknown[] };
    expect(second.newInfected).toEqual([]);
    const summary = await w.request('/api/v1/feeds/sightings', { token: w.cast.analyst.token });
    expect(((await summary.json()) as { destinations: unknown[] }).destinations).toEqual([
      { type: 'ipv4', value: C2_TH, customers: 1, providers: 1, campaigns: [] },
    ]);
    const mine = await w.request('/api/v1/feeds/sightings/mine', { token: w.cast.mssp.token });
    expect(
      ((await mine.json()) as { customers: { customer_key: string; count: number }[] }).customers,
    ).toMatchObject([{ customer_key: key, count: 2 }]);
  });

  it('reads CSV and refuses members that are no provider', async () => {
    await postC2(w.cast.x.token, C2_TH, 'GREEN');
    const csv = `value,customer_hash,seen\n${C2_TH},${hash},${Math.floor(w.clock.ms / 1000) - 60}\n`;
    const r = await w.request('/api/v1/feeds/sightings', {
      token: w.cast.mssp.token,
      body: csv,
      type: 'text/csv',
    });
    expect(((await r.json()) as { accepted: number }).accepted).toBe(1);
    const member = await w.request('/api/v1/feeds/sightings', {
      token: w.cast.x.token,
      body: csv,
      type: 'text/csv',
    });
    expect(member.status).toBe(403);
  });
});

describe('GET /api/v1/feeds/misp/{file}', () => {
  it('serves the manifest, each event and hashes.csv of what the caller may see', async () => {
    await postC2(w.cast.x.token, C2_TH, 'GREEN');
    await postC2(w.cast.y.token, C2_US, 'AMBER');
    const m = await w.request('/api/v1/feeds/misp/manifest.json', { token: w.cast.mssp.token });
    expect(m.status).toBe(200);
    const manifest = (await m.json()) as Record<string, { info: string }>;
    const uuids = Object.keys(manifest);
    expect(uuids).toHaveLength(1);
    const e = await w.request(`/api/v1/feeds/misp/${uuids[0]}.json`, { token: w.cast.mssp.token });
    const event = ((await e.json()) as { Event: { Attribute: { value: string }[] } }).Event;
    expect(event.Attribute.map((a) => a.value)).toEqual([C2_TH]);
    const hashes = await (
      await w.request('/api/v1/feeds/misp/hashes.csv', { token: w.cast.mssp.token })
    ).text();
    expect(hashes.trim().split('\n')).toHaveLength(1);
    const other = await w.request('/api/v1/feeds/misp/00000000-0000-4000-8000-000000000000.json', {
      token: w.cast.mssp.token,
    });
    expect(other.status).toBe(404);
  });
});
