import { describe, expect, it } from 'vitest';
import { Enricher, Ipv4AsnTable } from './enrich.js';

describe('enrichment from the bundled databases', () => {
  it('gives a public source its country and AS number', async () => {
    const e = await Enricher.open();
    expect(e.lookup('8.8.8.8')).toEqual({ country: 'US', asn: 15169, scope: 'public' });
    expect(e.lookup('133.1.1.1').country).toBe('JP');
  });

  it('never gives a private, reserved or bogon source a country', async () => {
    const e = await Enricher.open();
    expect(e.lookup('10.1.2.3')).toEqual({ country: null, asn: null, scope: 'private' });
    expect(e.lookup('192.0.2.1')).toEqual({ country: null, asn: null, scope: 'reserved' });
    expect(e.lookup('127.0.0.1')).toEqual({ country: null, asn: null, scope: 'bogon' });
    expect(e.lookup('fd12::1')).toEqual({ country: null, asn: null, scope: 'private' });
  });

  it('reads an alternative country database path and fails clearly when it is missing', async () => {
    await expect(Enricher.open({ countryMmdb: '/nonexistent.mmdb' })).rejects.toThrow(
      /cannot open country database/,
    );
  });
});

describe('the IPv4 ASN table', () => {
  it('finds the range containing an address in numeric or dotted CSV', () => {
    const t = Ipv4AsnTable.fromCsv(
      '1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."\n16778240,16779263,38803,Gtelecom\nbroken line\n',
    );
    expect(t.size).toBe(2);
    expect(t.lookup(0x01000001)).toBe(13335);
    expect(t.lookup(16778300)).toBe(38803);
    expect(t.lookup(0x01000100)).toBeNull();
  });

  it('knows when a whole /24 has one AS (so one lookup can answer for all of it)', () => {
    const t = Ipv4AsnTable.fromCsv(
      '1.0.0.0,1.0.0.255,13335,a\n1.0.1.0,1.0.1.127,2,b\n1.0.3.128,1.0.3.255,3,c\n',
    );
    expect(t.coversBlock(0x010000)).toBe(true); // 1.0.0.0/24 inside one range
    expect(t.coversBlock(0x010001)).toBe(false); // 1.0.1.0/24 split at .128
    expect(t.coversBlock(0x010002)).toBe(true); // 1.0.2.0/24 in no range at all
    expect(t.coversBlock(0x010003)).toBe(false); // 1.0.3.0/24: a range starts inside it
  });
});
