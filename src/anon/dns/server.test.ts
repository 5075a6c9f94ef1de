// The DNSBL over real sockets, asked by node:dns's resolver and by dig (bind9-dnsutils) when
// installed; bad packets by hand.
import { execFile, execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import * as dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRelational, type TestRelational } from '../../../test/relational.js';
import { dnsblSource } from '../index.js';
import { AnonymizerService } from '../service.js';
import { answerQuery, RCODE } from './answer.js';
import { type DnsblServer, startDnsblServer } from './server.js';

const ZONE = 'tor.dnsbl.koban.invalid';
const T0 = Date.UTC(2026, 11, 7, 0);
const FP = 'C'.repeat(40);

function hasDig(): boolean {
  try {
    execFileSync('dig', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let rel: TestRelational;
let svc: AnonymizerService;
let server: DnsblServer;
let now = T0 + 3_600_000;

beforeAll(async () => {
  rel = await openTestRelational();
  svc = await AnonymizerService.open(rel.db, { staleHours: 24, clock: () => now });
  await svc.importList({
    source: 'onionoo.json',
    text: JSON.stringify({
      relays_published: '2026-12-07 00:00:00',
      relays: [
        {
          fingerprint: FP,
          or_addresses: ['192.0.2.77:9001', '[2001:db8::77]:9001'],
          flags: ['Exit'],
          exit_policy_summary: { accept: ['443'] },
        },
      ],
    }),
  });
  server = await startDnsblServer(dnsblSource(svc), { host: '127.0.0.1', port: 0, zone: ZONE });
});
afterAll(async () => {
  await server.close();
  await rel.close();
});

/** dns-packet sets `rcode` on decoded packets; its types do not declare it. */
const rcode = (p: dnsPacket.DecodedPacket) => (p as dnsPacket.DecodedPacket & { rcode: string }).rcode;
const data = (p: dnsPacket.DecodedPacket) => (p.answers ?? []).map((a) => ('data' in a ? a.data : null));

function resolver(): Resolver {
  const r = new Resolver({ timeout: 5000, tries: 1 });
  r.setServers([`127.0.0.1:${server.port}`]);
  return r;
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'answered';
  } catch (e) {
    return (e as { code: string }).code;
  }
}

describe('the DNSBL asked by a resolver', () => {
  it('lists an exit with A 127.0.0.2 and a TXT naming the relay', async () => {
    const r = resolver();
    expect(await r.resolve4(`77.2.0.192.${ZONE}`)).toEqual(['127.0.0.2']);
    expect(await r.resolveTxt(`77.2.0.192.${ZONE}`)).toEqual([
      [`tor-exit on tor-exits relay ${FP} since 2026-12-07T00:00:00.000Z`],
    ]);
  });

  it('answers the RFC 5782 test entries and NXDOMAIN for an address not listed', async () => {
    const r = resolver();
    expect(await r.resolve4(`2.0.0.127.${ZONE}`)).toEqual(['127.0.0.2']);
    expect(await code(r.resolve4(`1.0.0.127.${ZONE}`))).toBe('ENOTFOUND');
    expect(await code(r.resolve4(`78.2.0.192.${ZONE}`))).toBe('ENOTFOUND');
    const v6 = (ip: string) => [...ip.replace(/:/g, '')].reverse().join('.');
    expect(await r.resolve4(`${v6('00000000000000000000ffff7f000002')}.${ZONE}`)).toEqual(['127.0.0.2']);
    expect(await r.resolve4(`${v6('20010db8000000000000000000000077')}.${ZONE}`)).toEqual(['127.0.0.2']);
  });

  it("answers TorDNSEL's ip-port query from the exit policy", async () => {
    const r = resolver();
    expect(await r.resolve4(`77.2.0.192.443.4.3.2.1.ip-port.${ZONE}`)).toEqual(['127.0.0.2']);
    expect(await code(r.resolve4(`77.2.0.192.80.4.3.2.1.ip-port.${ZONE}`))).toBe('ENOTFOUND');
  });

  it('answers a date-qualified query from the history, and SERVFAIL once the data is stale', async () => {
    const r = resolver();
    expect(await r.resolve4(`77.2.0.192.2026120712.at.${ZONE}`)).toEqual(['127.0.0.2']);
    expect(await code(r.resolve4(`77.2.0.192.2026113012.at.${ZONE}`))).toBe('ESERVFAIL');
    now = T0 + 25 * 3_600_000;
    try {
      expect(await code(r.resolve4(`77.2.0.192.${ZONE}`))).toBe('ESERVFAIL');
      expect(await r.resolve4(`77.2.0.192.2026120701.at.${ZONE}`)).toEqual(['127.0.0.2']);
    } finally {
      now = T0 + 3_600_000;
    }
  });

  it('refuses names outside its zone', async () => {
    expect(await code(resolver().resolve4('example.com'))).toBe('EREFUSED');
  });
});

function query(name: string, type: 'A' | 'TXT' = 'A', id = 7): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type }],
  });
}

describe('DNS packets, good and bad', () => {
  const src = () => dnsblSource(svc);

  it('puts the SOA in the authority section of NXDOMAIN (RFC 2308 §3)', () => {
    const out = dnsPacket.decode(answerQuery(query(`1.0.0.127.${ZONE}`), ZONE, src())!);
    expect(rcode(out)).toBe('NXDOMAIN');
    expect(out.flag_aa).toBe(true);
    expect(out.authorities?.map((a) => [a.type, a.name])).toEqual([['SOA', ZONE]]);
  });

  it('answers FORMERR to a truncated question, an oversized packet and two questions; drops what has no header', () => {
    const good = query(`2.0.0.127.${ZONE}`);
    const rcodeOf = (b: Buffer | null) => (b === null ? null : b.readUInt16BE(2) & 0xf);
    expect(rcodeOf(answerQuery(good.subarray(0, good.length - 3), ZONE, src()))).toBe(RCODE.FORMERR);
    expect(rcodeOf(answerQuery(Buffer.concat([good, Buffer.alloc(600)]), ZONE, src()))).toBe(RCODE.FORMERR);
    const two = dnsPacket.encode({
      type: 'query',
      id: 1,
      questions: [
        { name: `2.0.0.127.${ZONE}`, type: 'A' },
        { name: `1.0.0.127.${ZONE}`, type: 'A' },
      ],
    });
    expect(rcodeOf(answerQuery(two, ZONE, src()))).toBe(RCODE.FORMERR);
    expect(answerQuery(Buffer.from([1, 2, 3]), ZONE, src())).toBeNull();
    // A response sent to the server is never answered (no reflection loops).
    expect(answerQuery(answerQuery(good, ZONE, src())!, ZONE, src())).toBeNull();
    // The FORMERR keeps the query's id so the client can match it.
    expect(answerQuery(good.subarray(0, 14), ZONE, src())!.readUInt16BE(0)).toBe(7);
  });

  it('answers NXDOMAIN for ill-formed names inside the zone', () => {
    for (const n of [
      `300.2.0.192.${ZONE}`,
      `x.${ZONE}`,
      `77.2.0.192.0.4.3.2.1.ip-port.${ZONE}`,
      `77.2.0.192.20261340.at.${ZONE}`,
    ]) {
      expect(rcode(dnsPacket.decode(answerQuery(query(n), ZONE, src())!))).toBe('NXDOMAIN');
    }
  });

  it('survives garbage over UDP and answers the next query', async () => {
    const sock = createSocket('udp4');
    const first = new Promise<Buffer>((resolve) => sock.once('message', (m) => resolve(m)));
    // Too short for a header, and a "response" (QR set): both dropped, so the first answer is the query's.
    for (const b of [Buffer.from('x'), Buffer.alloc(12, 0xff), query(`77.2.0.192.${ZONE}`, 'A', 99)])
      sock.send(b, server.port, '127.0.0.1');
    const answer = dnsPacket.decode(await first);
    sock.close();
    expect([answer.id, rcode(answer), data(answer)]).toEqual([99, 'NOERROR', ['127.0.0.2']]);
  });

  it('answers over TCP with length-prefixed messages, two in one segment', async () => {
    const sock = connect(server.port, '127.0.0.1');
    const frame = (b: Buffer) => Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
    sock.write(
      Buffer.concat([frame(query(`77.2.0.192.${ZONE}`, 'A', 1)), frame(query(`1.0.0.127.${ZONE}`, 'A', 2))]),
    );
    let buf = Buffer.alloc(0);
    const msgs: dnsPacket.DecodedPacket[] = [];
    await new Promise<void>((resolve) =>
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          msgs.push(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
          buf = buf.subarray(2 + buf.readUInt16BE(0));
        }
        if (msgs.length === 2) resolve();
      }),
    );
    sock.destroy();
    expect(msgs.map((m) => [m.id, rcode(m), data(m)])).toEqual([
      [1, 'NOERROR', ['127.0.0.2']],
      [2, 'NXDOMAIN', []],
    ]);
  });
});

describe.skipIf(!hasDig())('dig (bind9-dnsutils)', () => {
  // Asynchronously: the server answers from this same process.
  const dig = async (...args: string[]) =>
    (
      await promisify(execFile)('dig', [
        '@127.0.0.1',
        '-p',
        String(server.port),
        '+time=5',
        '+tries=1',
        ...args,
      ])
    ).stdout;

  it('gets the A and TXT answers, over UDP and TCP', async () => {
    expect((await dig('+short', `77.2.0.192.${ZONE}`, 'A')).trim()).toBe('127.0.0.2');
    expect((await dig('+short', '+tcp', `2.0.0.127.${ZONE}`, 'TXT')).trim()).toBe('"RFC 5782 test entry"');
  });

  it('sees NXDOMAIN with the SOA in the authority section', async () => {
    const out = await dig(`1.0.0.127.${ZONE}`, 'A');
    expect(out).toMatch(/status: NXDOMAIN/);
    expect(out).toMatch(
      new RegExp(`;; AUTHORITY SECTION:\\n${ZONE.replace(/\./g, '\\.')}\\.\\s+60\\s+IN\\s+SOA`),
    );
  });
});
