import { describe, expect, it } from 'vitest';
import { IcmpText } from './_tcpdump-icmp.js';

// Phrases of OpenBSD's print-icmp.c / print-icmp6.c and tcpdump.org's print-icmp.c / print-icmp6.c,
// as they follow `icmp: `, `ICMP `, `icmp6: ` or `ICMP6, `.
function read(text: string, v6 = false): [number | null, number | null, unknown] {
  const t = new IcmpText();
  t.read(text, 0, v6, v6 ? '2001:db8::5' : '192.0.2.5');
  return [t.type < 0 ? null : t.type, t.code < 0 ? null : t.code, t.quoted];
}

describe('ICMP text of both tcpdump printers', () => {
  it('maps ICMPv4 phrases to type and code (RFC 792, RFC 1812)', () => {
    const cases: [string, number | null, number | null][] = [
      ['echo request (id:0001 seq:1) [icmp cksum ok]', 8, 0],
      ['echo reply, id 1, seq 2, length 64', 0, 0],
      ['net 198.51.100.9 unreachable - unknown', 3, 6],
      ['net 198.51.100.9 unreachable - admin prohibited', 3, 9],
      ['host 198.51.100.9 unreachable - unknown', 3, 7],
      ['host 198.51.100.9 unreachable - tos prohibited', 3, 12],
      ['host 198.51.100.9 unreachable - precedence cutoff', 3, 15],
      ['198.51.100.9 unreachable - source route failed', 3, 5],
      ['198.51.100.9 unreachable - source host isolated', 3, 8],
      ['#16 198.51.100.9 unreachable', 3, 16],
      ['redirect 198.51.100.9 to net 10.0.0.1', 5, 0],
      ['redirect-tos 198.51.100.9 to host 10.0.0.1', 5, 3],
      ['time exceeded-#5', 11, 5],
      ['requested option absent', 12, 1],
      ['address mask is 0xffffff00', 18, 0],
      ['router advertisement lifetime 30:00 1: {10.0.0.1 0}', 9, 0],
      ['type-#42', 42, null],
      ['something tcpdump never prints', null, null],
    ];
    for (const [text, type, code] of cases) expect(read(text).slice(0, 2), text).toEqual([type, code]);
  });

  it('names the quoted packet of a port or protocol unreachable, its source being the error destination', () => {
    expect(read('198.51.100.9 protocol 47 port 0 unreachable')[2]).toEqual({
      src: '192.0.2.5',
      dst: '198.51.100.9',
      protocol: 'other',
      srcPort: null,
      dstPort: null,
    });
    // Without -n tcpdump prints a service name: the code is known, the port is not.
    expect(read('198.51.100.9 udp port domain unreachable')).toEqual([
      3,
      3,
      { src: '192.0.2.5', dst: '198.51.100.9', protocol: 'udp', srcPort: null, dstPort: null },
    ]);
    expect(read('host 198.51.100.9 unreachable')[2]).toBeNull();
    expect(read('999.51.100.9 udp port 53 unreachable')).toEqual([3, 3, null]);
  });

  it('maps ICMPv6 phrases to type and code (RFC 4443, RFC 4861)', () => {
    const cases: [string, number | null, number | null][] = [
      ['2001:db8::99 unreachable route', 1, 0],
      ['2001:db8::99 unreachable prohibited', 1, 1],
      ['2001:db8::99 beyond scope of source address 2001:db8::1', 1, 2],
      ['2001:db8::99 unreachable address', 1, 3],
      ['2001:db8::99 unreachable code-#6', 1, 6],
      ['destination unreachable, beyond scope 2001:db8::99', 1, 2],
      ['too big 1280', 2, 0],
      ['ip6 reassembly time exceeded', 3, 1],
      ['parameter problem errorneous - octet 8', 4, 0],
      ['parameter problem next header - octet 40', 4, 1],
      ['parameter problem, option - octet 42', 4, 2],
      ['neighbor adv: tgt is 2001:db8::1', 136, 0],
      ['neighbor advertisement, tgt is 2001:db8::1, length 32', 136, 0],
      ['router solicitation ', 133, 0],
      ['multicast listener report v2, 1 group record(s)', 143, 0],
      ['redirect 2001:db8::99 to 2001:db8::1', 137, 0],
      ['type-#200', 200, null],
    ];
    for (const [text, type, code] of cases) expect(read(text, true).slice(0, 2), text).toEqual([type, code]);
    expect(read('2001:db8::99 tcp port 443 unreachable', true)).toEqual([
      1,
      4,
      { src: '2001:db8::5', dst: '2001:db8::99', protocol: 'tcp', srcPort: null, dstPort: 443 },
    ]);
  });
});
