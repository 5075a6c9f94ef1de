/**
 * The TLP 2.0 label × audience table, written out by hand from the definitions quoted in
 * label-rules.ts, and the rule against quoting a source under a more permissive label.
 */
import { describe, expect, it } from 'vitest';
import { TLP_LABELS, type Tlp } from '../labels/tlp.js';
import { type AdvisoryAudience, AdvisoryAudienceSchema } from './inputs.js';
import { audienceLabelProblem, floorProblem, labelFloor } from './label-rules.js';

const AUDIENCES = {
  public: { public: true },
  allMembers: { allMembers: true },
  sector: { sectors: ['gas'] },
  prefecture: { prefectures: ['広島県'] },
  namedOrgs: { orgIds: [4, 5] },
  namedUsers: { userIds: [12] },
} as const;
type AudienceName = keyof typeof AUDIENCES;

const ALLOWED: Readonly<Record<Tlp, readonly AudienceName[]>> = {
  CLEAR: ['public', 'allMembers', 'sector', 'prefecture', 'namedOrgs', 'namedUsers'],
  GREEN: ['allMembers', 'sector', 'prefecture', 'namedOrgs', 'namedUsers'],
  AMBER: ['allMembers', 'sector', 'prefecture', 'namedOrgs', 'namedUsers'],
  'AMBER+STRICT': ['namedOrgs', 'namedUsers'],
  RED: ['namedUsers'],
};

const audience = (name: AudienceName): AdvisoryAudience => AdvisoryAudienceSchema.parse(AUDIENCES[name]);

describe('which label may go to which audience', () => {
  for (const tlp of TLP_LABELS) {
    for (const name of Object.keys(AUDIENCES) as AudienceName[]) {
      const ok = ALLOWED[tlp].includes(name);
      it(`${ok ? 'lets' : 'refuses'} TLP:${tlp} ${ok ? 'go' : 'going'} to ${name}`, () => {
        expect(audienceLabelProblem(tlp, audience(name)) === null).toBe(ok);
      });
    }
  }

  it('explains each refusal with the TLP 2.0 definition that forbids it', () => {
    expect(audienceLabelProblem('GREEN', audience('public'))).toBe(
      'TLP:GREEN cannot go to the public: GREEN is shared within the community, "not via publicly ' +
        'accessible channels" (TLP 2.0); only TLP:CLEAR is published',
    );
    expect(audienceLabelProblem('AMBER+STRICT', audience('allMembers'))).toBe(
      'TLP:AMBER+STRICT goes to named organisations or users only: it "restricts sharing to the ' +
        'organization only" (TLP 2.0), so the center names each organisation',
    );
    expect(audienceLabelProblem('RED', audience('namedOrgs'))).toBe(
      'TLP:RED goes to named users only: it is "for the eyes and ears of individual recipients only" ' +
        '(TLP 2.0), not for an organisation or a group',
    );
  });

  it('judges a mixed audience by its broadest part', () => {
    const mixed = AdvisoryAudienceSchema.parse({ orgIds: [4], sectors: ['gas'] });
    expect(audienceLabelProblem('AMBER+STRICT', mixed)).not.toBeNull();
    expect(audienceLabelProblem('AMBER', mixed)).toBeNull();
  });

  it('refuses an empty audience and reads prefectures in any of their names', () => {
    expect(AdvisoryAudienceSchema.safeParse({}).success).toBe(false);
    expect(AdvisoryAudienceSchema.parse({ prefectures: ['34', 'Okayama', '鳥取県'] }).prefectures).toEqual([
      'hiroshima',
      'okayama',
      'tottori',
    ]);
  });
});

describe('the label floor of the quoted sources', () => {
  it('is the most restrictive source label', () => {
    expect(labelFloor(['GREEN', 'AMBER', 'CLEAR'])).toBe('AMBER');
    expect(labelFloor(['RED', 'GREEN'])).toBe('RED');
    expect(labelFloor([])).toBe('CLEAR');
  });

  it('lets a label at or above the floor through, and a lower one only with a reason', () => {
    expect(floorProblem('AMBER', 'AMBER', null)).toBeNull();
    expect(floorProblem('RED', 'AMBER', null)).toBeNull();
    expect(floorProblem('CLEAR', 'GREEN', null)).toBe(
      'TLP:CLEAR is less restrictive than TLP:GREEN, the most restrictive source the alert quotes; an ' +
        'analyst may downgrade it only with a reason (downgradeReason), which is recorded',
    );
    expect(floorProblem('CLEAR', 'GREEN', '  ')).not.toBeNull();
    expect(floorProblem('CLEAR', 'GREEN', 'published by the vendor on 2012-03-01')).toBeNull();
  });
});
