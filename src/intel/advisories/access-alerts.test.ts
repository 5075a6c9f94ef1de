/**
 * The access matrix for alerts (access.ts, `addressed` objects): who reads a sent alert under each
 * TLP label, and a draft — each cell checked three ways, as for reports: the decision
 * (`mayRead`), the list query (`readableWhere`) and the single read, plus the inbox. The expected
 * table is written out by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, openTestIntel, type TestIntel } from '../_testkit.js';
import { type Actor, ANONYMOUS, userActor } from '../identity/actor.js';
import { mayRead } from '../labels/access.js';
import { TLP_LABELS, type Tlp } from '../labels/tlp.js';
import { advisoryLabel, loadAdvisoryRow } from './rows.js';

const ACTORS = [
  'anonymous',
  'system',
  'centerAdmin',
  'analyst',
  'recipient',
  'recipientColleague',
  'namedUser',
  'otherMember',
  'valuesOnlyToken',
] as const;
type ActorName = (typeof ACTORS)[number];

const SENT_READERS: Readonly<Record<Tlp, readonly ActorName[]>> = {
  CLEAR: [
    'anonymous',
    'system',
    'centerAdmin',
    'analyst',
    'recipient',
    'recipientColleague',
    'namedUser',
    'otherMember',
  ],
  GREEN: ['system', 'centerAdmin', 'analyst', 'recipient', 'recipientColleague', 'namedUser'],
  AMBER: ['system', 'centerAdmin', 'analyst', 'recipient', 'recipientColleague', 'namedUser'],
  'AMBER+STRICT': ['system', 'centerAdmin', 'analyst', 'recipient', 'recipientColleague', 'namedUser'],
  RED: ['system', 'analyst', 'namedUser'],
};
const DRAFT_READERS: Readonly<Record<Tlp, readonly ActorName[]>> = {
  CLEAR: ['system', 'centerAdmin', 'analyst'],
  GREEN: ['system', 'centerAdmin', 'analyst'],
  AMBER: ['system', 'centerAdmin', 'analyst'],
  'AMBER+STRICT': ['system', 'centerAdmin', 'analyst'],
  RED: ['system', 'analyst'],
};
/** Whose inbox lists a sent alert: the recipients only, never center staff or the public. */
const INBOX: readonly ActorName[] = ['recipient', 'recipientColleague', 'namedUser'];

let t: TestIntel;
const actors = new Map<ActorName, Actor>();
const sent = new Map<Tlp, number>();
const drafts = new Map<Tlp, number>();

beforeAll(async () => {
  t = await openTestIntel();
  const center = { name: 'Center', kind: 'center' as const };
  actors.set('anonymous', ANONYMOUS);
  actors.set('system', t.system);
  actors.set(
    'centerAdmin',
    (await addMember(t, center, { email: 'admin@c.example', role: 'center-admin' })).actor,
  );
  const analyst = await addMember(t, center, { email: 'analyst@c.example', role: 'analyst' });
  actors.set('analyst', analyst.actor);
  const recipientOrg = { name: 'Recipient Co', kind: 'member-company' as const, sector: 'gas' };
  const recipient = await addMember(t, recipientOrg, { email: 'a@recipient.example', role: 'org-member' });
  actors.set('recipient', recipient.actor);
  actors.set(
    'recipientColleague',
    (await addMember(t, recipientOrg, { email: 'b@recipient.example', role: 'org-admin' })).actor,
  );
  const named = await addMember(
    t,
    { name: 'Named Co', kind: 'local-government' },
    { email: 'n@named.example', role: 'org-member' },
  );
  actors.set('namedUser', named.actor);
  const other = await addMember(
    t,
    { name: 'Other Co', kind: 'bank' },
    { email: 'o@other.example', role: 'org-member' },
  );
  actors.set('otherMember', other.actor);
  actors.set(
    'valuesOnlyToken',
    userActor(
      { userId: recipient.user.id, orgId: recipient.org.id, role: 'org-member' },
      ['indicators:read'],
      'token:9',
    ),
  );
  const source = await t.intel.intake.submitReport(
    other.actor,
    { kind: 'c2', destinations: [{ value: '27.254.40.5', port: 443 }] },
    { tlp: 'CLEAR' },
  );
  for (const tlp of TLP_LABELS) {
    const draft = async () =>
      (
        await t.intel.advisories.draft(analyst.actor, {
          source: { type: 'report', id: source.reportId },
          title: `${tlp} alert`,
          tlp,
        })
      ).alertId;
    const id = await draft();
    const audience =
      tlp === 'RED' ? { userIds: [named.user.id] } : { orgIds: [recipient.org.id], userIds: [named.user.id] };
    await t.intel.advisories.send(analyst.actor, id, { audience });
    sent.set(tlp, id);
    drafts.set(tlp, await draft());
  }
});
afterAll(async () => {
  await t?.close();
});

async function check(name: ActorName, id: number, allowed: boolean) {
  const actor = actors.get(name)!;
  const row = (await loadAdvisoryRow(t.db, id))!;
  expect(mayRead(actor, 'alert', await advisoryLabel(t.db, row, actor))).toBe(allowed);
  const listed = (await t.intel.advisories.list(actor, { limit: 1000 })).map((a) => a.id);
  expect(listed.includes(id)).toBe(allowed);
  if (allowed) expect((await t.intel.advisories.get(actor, id)).id).toBe(id);
  else await expect(t.intel.advisories.get(actor, id)).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
}

describe('the access matrix for alerts', () => {
  for (const tlp of TLP_LABELS) {
    for (const name of ACTORS) {
      const allowed = SENT_READERS[tlp].includes(name);
      it(`${allowed ? 'lets' : 'keeps'} ${name} ${allowed ? 'read' : 'from reading'} a sent TLP:${tlp} alert (decision, list and single read agree)`, async () => {
        await check(name, sent.get(tlp)!, allowed);
        const inbox = (await t.intel.advisories.inbox(actors.get(name)!)).map((a) => a.id);
        expect(inbox.includes(sent.get(tlp)!)).toBe(INBOX.includes(name) && allowed);
      });
      const draftAllowed = DRAFT_READERS[tlp].includes(name);
      it(`${draftAllowed ? 'lets' : 'keeps'} ${name} ${draftAllowed ? 'read' : 'from reading'} a TLP:${tlp} draft`, async () => {
        await check(name, drafts.get(tlp)!, draftAllowed);
      });
    }
  }
});
