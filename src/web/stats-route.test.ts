/**
 * `GET /api/v1/stats/{view}` checks every query parameter against its schema: a bad one is a 400
 * naming it (it used to reach string-built SQL, `?kind=bogus` answering 500), and an unknown one
 * is refused rather than ignored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, type ErrorBody, openApiWorld, rotateOperatorToken } from '../../test/api-world.js';

let w: ApiWorld;
let operator: string;
beforeAll(async () => {
  w = await openApiWorld();
  operator = rotateOperatorToken(w.center.dataDir);
});
afterAll(async () => {
  await w.close();
});

async function error(path: string): Promise<{ status: number; error: ErrorBody['error'] }> {
  const r = await w.request(path, { token: operator });
  return { status: r.status, error: ((await r.json()) as ErrorBody).error };
}

describe('the stats route’s parameters', () => {
  it('answers an unknown event kind with 400 and the kinds there are', async () => {
    expect(await error('/api/v1/stats/total?kind=bogus')).toEqual({
      status: 400,
      error: {
        code: 'E_USAGE',
        message: 'query: kind.0: Invalid option: expected one of "firewall"|"ids"|"darknet"',
      },
    });
  });

  it('answers every other malformed parameter with 400 naming it', async () => {
    const cases: [string, string][] = [
      ['bucket=year', 'query: bucket: Invalid option: expected one of "hour"|"day"|"week"|"month"'],
      ['proto=icmp', 'query: proto: Invalid option: expected one of "tcp"|"udp"'],
      ['port=70000/tcp', 'query: port: a port is at most 65535'],
      ['port=445', 'query: port: PORT/PROTO, e.g. 139/tcp'],
      ['top=ten', 'query: top: a whole number (0 = all rows)'],
      ['tz=%2B99:00', 'query: tz: a UTC offset such as +09:00 or Z'],
      ['from=yesterday', 'query: from: YYYY-MM-DD or ISO 8601 (e.g. 2006-08-18T09:00+09:00)'],
      ['to=2012-02-30', 'query: to: YYYY-MM-DD or ISO 8601 (e.g. 2006-08-18T09:00+09:00)'],
      ['domestic=JPN', 'query: domestic: an ISO 3166-1 alpha-2 country code'],
      ['kinds=ids', 'query: Unrecognized key: "kinds"'],
    ];
    for (const [q, message] of cases) {
      expect(await error(`/api/v1/stats/ports?${q}`), q).toEqual({
        status: 400,
        error: { code: 'E_USAGE', message },
      });
    }
    expect((await error('/api/v1/stats/nope')).status).toBe(400);
  });

  it('answers good parameters', async () => {
    const r = await w.request('/api/v1/stats/port-series?port=445/tcp&kind=firewall,darknet&tz=Z&top=3', {
      token: operator,
    });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ view: 'port-series', rows: [] });
  });
});
