// The DNSBL answering UDP on several threads (udp-threads.ts): every worker answers byte for byte
// what the main thread answers, over the shared socket too, and a reload reaches every worker.
// The workers run the compiled udp-worker.js, as the CLI tests run the built command.
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_BUILD } from '../../../test/cli.js';
import { openTestRelational, type TestRelational } from '../../../test/relational.js';
import { PROJECT_ROOT } from '../../../test/samples.js';
import { dnsblSource } from '../index.js';
import { AnonymizerService } from '../service.js';
import { answerQuery } from './answer.js';
import { type DnsblServer, startDnsblServer } from './server.js';
import type { DnsblSource } from './verdict.js';

const ZONE = 'tor.dnsbl.koban.invalid';
const WORKER = pathToFileURL(join(PROJECT_ROOT, 'dist', 'anon', 'dns', 'udp-worker.js'));
// The workers read the system clock: the lists are of now, well inside the 24 h freshness.
const T0 = Date.now() - 3_600_000;

const query = (id: number, name: string, type: string) =>
  Buffer.from(
    dnsPacket.encode({
      type: 'query',
      id,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ type: type as 'A', name }],
    }),
  );

const QUERIES = [
  query(1, `77.2.0.192.${ZONE}`, 'A'),
  query(2, `77.2.0.192.${ZONE}`, 'TXT'),
  query(3, `77.2.0.192.${ZONE}`, 'AAAA'),
  query(4, `9.100.51.198.${ZONE}`, 'A'),
  query(5, `2.0.0.127.${ZONE}`, 'ANY'),
  query(6, `not-an-address.${ZONE}`, 'A'),
  query(7, 'example.org', 'A'),
  query(8, ZONE, 'SOA'),
];

let rel: TestRelational;
let svc: AnonymizerService;
let src: DnsblSource;
let server: DnsblServer;

describe.skipIf(!HAVE_BUILD)('the DNSBL on two threads', () => {
  beforeAll(async () => {
    rel = await openTestRelational();
    svc = await AnonymizerService.open(rel.db, { staleHours: 24 });
    await svc.importList({ source: 'a.txt', text: '192.0.2.77\n', format: 'bulk', publishedMs: T0 });
    src = dnsblSource(svc);
    server = await startDnsblServer(src, {
      host: '127.0.0.1',
      port: 0,
      zone: ZONE,
      threads: 2,
      workerScript: WORKER,
    });
  });
  afterAll(async () => {
    await server?.close();
    await rel?.close();
  });

  it('runs a worker beside the main thread, answering byte for byte as the main thread does', async () => {
    expect(server.threads).toBe(2);
    for (const q of QUERIES) {
      const main = answerQuery(q, ZONE, src);
      expect(main).not.toBeNull();
      expect(await server.probeWorkers(q)).toEqual([main]);
    }
  });

  it('answers over the shared UDP socket whichever thread reads the datagram', async () => {
    const sock = createSocket('udp4');
    const got = new Map<number, Buffer>();
    const all = new Promise<void>((resolve) =>
      sock.on('message', (m) => {
        got.set(m.readUInt16BE(0), m);
        if (got.size === QUERIES.length) resolve();
      }),
    );
    for (const q of QUERIES) sock.send(q, server.port, '127.0.0.1');
    await all;
    sock.close();
    for (const q of QUERIES) expect(got.get(q.readUInt16BE(0))).toEqual(answerQuery(q, ZONE, src));
  });

  it('gives every worker the new index on a reload, whole', async () => {
    // The next list drops 192.0.2.77 and adds 198.51.100.9.
    await svc.importList({
      source: 'b.txt',
      text: '198.51.100.9\n',
      format: 'bulk',
      publishedMs: T0 + 60_000,
    });
    const rcodes = async (name: string) =>
      (await server.probeWorkers(query(9, name, 'A'))).map((a) => a!.readUInt16BE(2) & 0x0f);
    expect(await rcodes(`9.100.51.198.${ZONE}`)).toEqual([0]);
    expect(await rcodes(`77.2.0.192.${ZONE}`)).toEqual([3]);
    for (const q of QUERIES) expect(await server.probeWorkers(q)).toEqual([answerQuery(q, ZONE, src)]);
  });
});

describe('the thread count', () => {
  const plain: DnsblSource = { listing: () => ({ listed: false, reason: null }), serialMs: () => null };

  it('refuses a count below one and several threads over a source that does not share its index', async () => {
    const opts = { host: '127.0.0.1', port: 0, zone: ZONE, workerScript: WORKER };
    await expect(startDnsblServer(plain, { ...opts, threads: 0 })).rejects.toThrow(
      /threads must be a whole number/,
    );
    await expect(startDnsblServer(plain, { ...opts, threads: 2 })).rejects.toThrow(
      /a source that shares its index/,
    );
    const one = await startDnsblServer(plain, { ...opts, threads: 1 });
    expect(one.threads).toBe(1);
    expect(await one.probeWorkers(QUERIES[0]!)).toEqual([]);
    await one.close();
  });
});
