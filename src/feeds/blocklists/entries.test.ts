// C2 destinations from a snapshot written here: only values in the c2 role and of blockable types,
// folded over reports and sent advisories (withdrawn ones count for nothing), with their expiry;
// expired values leave the list, and the list's version dates it from the data.
import { describe, expect, it } from 'vitest';
import type { SharedAdvisory, SharedReport, SharingSnapshot } from '../../intel/index.js';
import { c2Destinations, expiredBetween, listed, listVersionMs } from './entries.js';

const DAY = 86_400_000;
const T = Date.UTC(2026, 11, 1);
const report = (
  id: number,
  observedMs: number,
  values: SharedReport['values'],
  campaignId: number | null = null,
): SharedReport => ({
  id,
  kind: 'c2',
  tlp: 'GREEN',
  title: 't',
  description: null,
  externalId: null,
  labels: [],
  observedMs,
  receivedMs: observedMs + 1000,
  campaignId,
  reporter: null,
  values,
});
const advisory = (withdrawnMs: number | null): SharedAdvisory => ({
  id: 1,
  title: 'a',
  body: null,
  tlp: 'GREEN',
  version: 1,
  campaignId: null,
  sentMs: T,
  updatedMs: T,
  withdrawnMs,
  values: [{ type: 'domain', value: 'adv.example', role: 'c2', confidence: 90 }],
});
const snap = (reports: SharedReport[], advisories: SharedAdvisory[] = []): SharingSnapshot => ({
  center: null,
  reports,
  campaigns: [{ id: 7, name: 'Gate', tlp: 'GREEN', createdMs: T, updatedMs: T }],
  advisories,
});

describe('C2 destinations', () => {
  it('keeps c2 values of blockable types, the highest confidence and the newest sighting', () => {
    const all = c2Destinations(
      snap([
        report(1, T, [
          { type: 'ipv4', value: '192.0.2.1', role: 'c2', confidence: 60 },
          { type: 'ipv4', value: '192.0.2.9', role: 'sender', confidence: 90 },
          { type: 'sha256', value: 'a'.repeat(64), role: 'c2', confidence: 90 },
        ]),
        report(2, T + DAY, [{ type: 'ipv4', value: '192.0.2.1', role: 'c2', confidence: 80 }], 7),
      ]),
    );
    expect(all).toEqual([
      {
        type: 'ipv4',
        value: '192.0.2.1',
        confidence: 80,
        firstSeenMs: T,
        lastSeenMs: T + DAY,
        validUntilMs: T + 31 * DAY,
        changedMs: T + DAY + 1000,
        campaigns: ['Gate'],
      },
    ]);
  });

  it('dates a value a report gave later (an analysis, a newer version) from when it was added', () => {
    const [later, first] = c2Destinations(
      snap([
        report(1, T, [
          { type: 'ipv4', value: '192.0.2.1', role: 'c2', confidence: 60, addedMs: T + 1000 },
          { type: 'ipv4', value: '192.0.2.2', role: 'c2', confidence: 60, addedMs: T + 5 * DAY },
        ]),
      ]),
    ).sort((x, y) => y.changedMs - x.changedMs);
    // An incremental list asked since the report's receipt still names the value added after it.
    expect([later?.value, later?.changedMs]).toEqual(['192.0.2.2', T + 5 * DAY]);
    expect([first?.value, first?.changedMs]).toEqual(['192.0.2.1', T + 1000]);
  });

  it('drops a value past its expiry and names it among those removed in that window', () => {
    const all = c2Destinations(
      snap([report(1, T, [{ type: 'ipv4', value: '192.0.2.1', role: 'c2', confidence: 60 }])]),
    );
    expect(listed(all, T + 29 * DAY)).toHaveLength(1);
    expect(listed(all, T + 30 * DAY)).toEqual([]);
    expect(expiredBetween(all, T, T + 31 * DAY).map((e) => e.value)).toEqual(['192.0.2.1']);
    expect(expiredBetween(all, T + 31 * DAY, T + 40 * DAY)).toEqual([]);
    expect(listVersionMs(all, T + DAY)).toBe(T + 1000);
    expect(listVersionMs(all, T + 40 * DAY)).toBe(T + 30 * DAY);
  });

  it('counts a sent advisory’s values and not a withdrawn one’s', () => {
    expect(c2Destinations(snap([], [advisory(null)])).map((e) => e.value)).toEqual(['adv.example']);
    expect(c2Destinations(snap([], [advisory(T + DAY)]))).toEqual([]);
  });
});
