/** The second line of redaction over everything an alert carries (scrub.ts). */
import { describe, expect, it } from 'vitest';
import { scrubberFor } from './scrub.js';

const scrub = () =>
  scrubberFor({
    addresses: ['suzuki@p1-kogyo.example'],
    domains: ['p1-kogyo.example'],
    names: ['鈴木 花子'],
    values: ['10.20.30.40'],
    orgNames: ['P1工業'],
  });

describe('removing what identifies recipients and reporters', () => {
  it('replaces addresses before the domains inside them, and the domain under any host name', () => {
    const s = scrub();
    expect(s.everywhere('to suzuki@p1-kogyo.example via mx1.p1-kogyo.example')).toBe(
      'to [recipient] via mx1.[recipient-domain]',
    );
    expect(s.everywhere('suzuki%40p1-kogyo.example')).toBe('[recipient]');
    expect(s.replaced).toBe(3);
  });

  it("replaces a recipient's local part standing alone in a link, but not inside a longer word", () => {
    const s = scrub();
    expect(s.everywhere('https://x.example/?u=suzuki&id=1 https://x.example/suzuki-report')).toBe(
      'https://x.example/?u=[recipient]&id=1 https://x.example/suzuki-report',
    );
  });

  it('leaves longer values that merely contain a private one', () => {
    const s = scrub();
    expect(s.everywhere('110.20.30.40 and 10.20.30.401 and p1-kogyo.example.org.evil')).toBe(
      '110.20.30.40 and 10.20.30.401 and [recipient-domain].org.evil',
    );
    expect(s.everywhere('xp1-kogyo.example')).toBe('xp1-kogyo.example');
    expect(s.everywhere('host 10.20.30.40.')).toBe('host [private].');
  });

  it('replaces person names and their parts in prose only, and the reporting organisation everywhere', () => {
    const s = scrub();
    expect(s.prose('P1工業の鈴木様、花子さん')).toBe('[reporter]の[recipient]様、[recipient]さん');
    expect(s.everywhere('P1工業の鈴木様')).toBe('[reporter]の鈴木様');
  });
});
