import { describe, expect, it } from 'vitest';
import { classtypeFromDescription, techniqueOf } from '../parse/index.js';
import { BASE_SIGNATURES, LOCAL_SID_BASE, outbreakSignature, ThresholdTracker } from './signatures.js';

describe('IDS signatures', () => {
  it('are classified by Koban’s technique mapping as the simulator intends', () => {
    for (const s of [...BASE_SIGNATURES, outbreakSignature(LOCAL_SID_BASE, 'W32.SimWorm.A')]) {
      const classtype = classtypeFromDescription(s.category);
      expect(classtype, s.msg).not.toBeNull();
      expect(techniqueOf({ signature: s.msg, classtype, signatureId: s.sid }), s.msg).toBe(s.technique);
    }
  });

  it('thresholds fire once per window when the count is reached (type both)', () => {
    const t = new ThresholdTracker(3, 60_000_000);
    const fired = [0, 1, 2, 3, 4, 70, 71, 72].map((s) => t.hit(s * 1_000_000));
    expect(fired).toEqual([false, false, true, false, false, false, false, true]);
  });
});
