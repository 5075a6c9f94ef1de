/**
 * The access matrix: roles × organisations × TLP labels, each cell checked three ways — the pure
 * decision (`mayRead`), the list query (`readableWhere` through `ReportService.list`) and the
 * single read (`ReportService.get`) — plus the private part with and without consent. The expected
 * table is written out by hand from the TLP 2.0 definitions in access.ts, not computed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, openTestIntel, type TestIntel } from '../_testkit.js';
import { type Actor, ANONYMOUS, userActor } from '../identity/actor.js';
import { canReadPrivate, mayRead, readReason } from './access.js';
import { loadLabelled } from './labelled.js';
import { TLP_LABELS, type Tlp } from './tlp.js';

const ACTORS = [
  'anonymous',
  'system',
  'centerAdmin',
  'analyst',
  'reporter',
  'ownerAdmin',
  'sameOrg',
  'audienceOrg',
  'namedUser',
  'otherMember',
  'provider',
  'valuesOnlyToken',
] as const;
type ActorName = (typeof ACTORS)[number];

const READERS: Readonly<Record<Tlp, readonly ActorName[]>> = {
  CLEAR: [
    'anonymous',
    'system',
    'centerAdmin',
    'analyst',
    'reporter',
    'ownerAdmin',
    'sameOrg',
    'audienceOrg',
    'namedUser',
    'otherMember',
    'provider',
  ],
  GREEN: [
    'system',
    'centerAdmin',
    'analyst',
    'reporter',
    'ownerAdmin',
    'sameOrg',
    'audienceOrg',
    'namedUser',
    'otherMember',
    'provider',
  ],
  AMBER: [
    'system',
    'centerAdmin',
    'analyst',
    'reporter',
    'ownerAdmin',
    'sameOrg',
    'audienceOrg',
    'namedUser',
  ],
  'AMBER+STRICT': ['system', 'centerAdmin', 'analyst', 'reporter', 'ownerAdmin', 'sameOrg'],
  RED: ['system', 'reporter', 'namedUser'],
};
/** Who reads the private part without consent (among the readers); with consent every reader but the public does. */
const PRIVATE_WITHOUT_CONSENT: readonly ActorName[] = [
  'system',
  'centerAdmin',
  'analyst',
  'reporter',
  'ownerAdmin',
  'sameOrg',
];

let t: TestIntel;
const actors = new Map<ActorName, Actor>();
const reportIds = new Map<string, number>();

beforeAll(async () => {
  t = await openTestIntel();
  const center = { name: 'Center', kind: 'center' as const };
  const owner = {
    name: 'Owner Co',
    kind: 'member-company' as const,
    sector: 'manufacturing',
    prefecture: 'hiroshima',
  };
  const audience = { name: 'Audience Co', kind: 'member-company' as const };
  const other = { name: 'Other Co', kind: 'local-government' as const };
  actors.set('anonymous', ANONYMOUS);
  actors.set('system', t.system);
  actors.set(
    'centerAdmin',
    (await addMember(t, center, { email: 'admin@c.example', role: 'center-admin' })).actor,
  );
  actors.set('analyst', (await addMember(t, center, { email: 'analyst@c.example', role: 'analyst' })).actor);
  const reporter = await addMember(t, owner, { email: 'reporter@owner.example', role: 'org-member' });
  actors.set('reporter', reporter.actor);
  actors.set(
    'ownerAdmin',
    (await addMember(t, owner, { email: 'admin@owner.example', role: 'org-admin' })).actor,
  );
  actors.set(
    'sameOrg',
    (await addMember(t, owner, { email: 'colleague@owner.example', role: 'org-member' })).actor,
  );
  const aud = await addMember(t, audience, { email: 'm@audience.example', role: 'org-member' });
  actors.set('audienceOrg', aud.actor);
  const named = await addMember(t, other, { email: 'named@other.example', role: 'org-member' });
  actors.set('namedUser', named.actor);
  actors.set(
    'otherMember',
    (await addMember(t, other, { email: 'else@other.example', role: 'org-admin' })).actor,
  );
  actors.set(
    'provider',
    (
      await addMember(
        t,
        { name: 'MSSP', kind: 'security-service-provider' },
        { email: 'soc@mssp.example', role: 'service-provider' },
      )
    ).actor,
  );
  const member = await addMember(t, other, { email: 'feed@other.example', role: 'org-member' });
  actors.set(
    'valuesOnlyToken',
    userActor(
      { userId: member.user.id, orgId: member.org.id, role: 'org-member' },
      ['indicators:read'],
      'token:9',
    ),
  );
  for (const tlp of TLP_LABELS) {
    for (const consent of [false, true]) {
      const r = await t.intel.intake.submitReport(
        reporter.actor,
        { kind: 'text', title: `${tlp} report`, text: `seen from 27.254.40.${consent ? 1 : 2}` },
        { tlp, consent, audience: { orgIds: [aud.org.id], userIds: [named.user.id] } },
      );
      reportIds.set(`${tlp}/${consent}`, r.reportId);
    }
  }
});
afterAll(async () => {
  await t?.close();
});

describe('the access matrix', () => {
  for (const tlp of TLP_LABELS) {
    for (const name of ACTORS) {
      const allowed = READERS[tlp].includes(name);
      it(`${allowed ? 'lets' : 'keeps'} ${name} ${allowed ? 'read' : 'from reading'} a TLP:${tlp} report (decision, list and single read agree)`, async () => {
        const actor = actors.get(name)!;
        for (const consent of [false, true]) {
          const id = reportIds.get(`${tlp}/${consent}`)!;
          const label = (await loadLabelled(t.db, id))!;
          expect(mayRead(actor, 'report', label)).toBe(allowed);
          const listed = (await t.intel.reports.list(actor, { limit: 1000 })).map((r) => r.id);
          expect(listed.includes(id)).toBe(allowed);
          if (allowed) expect((await t.intel.reports.get(actor, id)).id).toBe(id);
          else await expect(t.intel.reports.get(actor, id)).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
        }
      });
      const privateWithout = allowed && PRIVATE_WITHOUT_CONSENT.includes(name);
      const privateWith = allowed && name !== 'anonymous';
      it(`${privateWithout ? 'lets' : 'keeps'} ${name} ${privateWithout ? 'read' : 'from reading'} the private part of a TLP:${tlp} report without consent, and ${privateWith ? 'lets' : 'keeps'} it with consent`, async () => {
        const actor = actors.get(name)!;
        for (const [consent, expected] of [
          [false, privateWithout],
          [true, privateWith],
        ] as const) {
          const id = reportIds.get(`${tlp}/${consent}`)!;
          expect(canReadPrivate(actor, (await loadLabelled(t.db, id))!)).toBe(expected);
          if (expected) await expect(t.intel.reports.privatePart(actor, id)).resolves.toEqual({ values: [] });
          else
            await expect(t.intel.reports.privatePart(actor, id)).rejects.toMatchObject({
              code: allowed ? 'E_FORBIDDEN' : 'E_NOT_FOUND',
            });
          const view = allowed ? await t.intel.reports.get(actor, id) : null;
          if (view) expect(view.reporter === null).toBe(!expected);
        }
      });
    }
  }

  it('names the rule that let each reader in', async () => {
    const amber = (await loadLabelled(t.db, reportIds.get('AMBER/false')!))!;
    const red = (await loadLabelled(t.db, reportIds.get('RED/false')!))!;
    const reasons = (label: typeof amber) => ACTORS.map((n) => `${n}:${readReason(actors.get(n)!, label)}`);
    expect(reasons(amber)).toEqual([
      'anonymous:denied',
      'system:system',
      'centerAdmin:center',
      'analyst:center',
      'reporter:owner-org',
      'ownerAdmin:owner-org',
      'sameOrg:owner-org',
      'audienceOrg:audience-org',
      'namedUser:audience-user',
      'otherMember:denied',
      'provider:denied',
      'valuesOnlyToken:denied',
    ]);
    expect(reasons(red).filter((r) => !r.endsWith(':denied'))).toEqual([
      'system:system',
      'reporter:reporter',
      'namedUser:audience-user',
    ]);
  });

  it('lets a token with indicators:read alone read values through readable reports, never the reports', async () => {
    const token = actors.get('valuesOnlyToken')!;
    await expect(t.intel.reports.list(token)).resolves.toEqual([]);
    const green = await t.intel.indicators.lookup(token, '27.254.40.2');
    // Five reports hold it; the token's holder may read the CLEAR and GREEN ones and counts only those.
    expect(green).toMatchObject({ value: '27.254.40.2', readAs: 'CLEAR', reportCount: 2 });
    await expect(t.intel.indicators.lookup(actors.get('centerAdmin')!, '27.254.40.2')).resolves.toMatchObject(
      {
        reportCount: 5,
      },
    );
    await expect(t.intel.indicators.lookup(actors.get('anonymous')!, '27.254.40.1')).resolves.toMatchObject({
      readAs: 'CLEAR',
    });
  });

  it('hides values that only AMBER+STRICT and RED reports hold from organisations outside', async () => {
    const r = await t.intel.intake.submitReport(
      actors.get('reporter')!,
      { kind: 'text', title: 'strict', text: 'c2 at 74.208.142.99' },
      { tlp: 'AMBER+STRICT' },
    );
    expect(r.indicators.map((i) => i.value)).toEqual(['74.208.142.99']);
    await expect(t.intel.indicators.lookup(actors.get('otherMember')!, '74.208.142.99')).resolves.toBeNull();
    await expect(t.intel.indicators.lookup(actors.get('analyst')!, '74.208.142.99')).resolves.toMatchObject({
      readAs: 'AMBER+STRICT',
    });
  });
});
