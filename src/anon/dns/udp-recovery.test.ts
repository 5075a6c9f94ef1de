// The DNSBL's UDP side when a worker thread dies (udp-side.ts): the socket is bound again on the same
// port and the workers restarted, answering byte for byte as the main thread does, from the index
// as it is now; a worker that dies on every start is not restarted past the bound, the main thread
// answering alone; closing afterwards leaves no thread or socket.
//
// The workers run the compiled udp-worker.js behind a test wrapper (a data: URL, nothing in the
// production worker): a probe of `test:exit` makes it call process.exit(7), one of `test:throw`
// makes it throw, and KOBAN_TEST_UDP_WORKER=die-on-start (read when a worker starts: a worker's
// environment is a copy of the process's then) makes it exit at once. Answers are awaited by
// polling (test/wait.ts), never by elapsed time.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HAVE_BUILD } from '../../../test/cli.js';
import { openTestRelational, type TestRelational } from '../../../test/relational.js';
import { PROJECT_ROOT } from '../../../test/samples.js';
import { waitFor } from '../../../test/wait.js';
import { dnsblSource } from '../index.js';
import { AnonymizerService } from '../service.js';
import { answerQuery } from './answer.js';
import { type DnsblServer, startDnsblServer } from './server.js';
import { UdpSide } from './udp-side.js';
import type { DnsblSource } from './verdict.js';

// Every worker thread the server starts, until it exits: none may outlive the server's close.
const live = vi.hoisted(() => new Set<unknown>());
vi.mock('node:worker_threads', async (importOriginal) => {
  const m = await importOriginal<typeof import('node:worker_threads')>();
  class TrackedWorker extends m.Worker {
    constructor(...args: ConstructorParameters<typeof m.Worker>) {
      super(...args);
      live.add(this);
      this.once('exit', () => live.delete(this));
    }
  }
  return { ...m, Worker: TrackedWorker };
});

const ZONE = 'tor.dnsbl.koban.invalid';
const WORKER = pathToFileURL(join(PROJECT_ROOT, 'dist', 'anon', 'dns', 'udp-worker.js'));
const CRASHABLE = new URL(
  `data:text/javascript,${encodeURIComponent(`
import { parentPort } from 'node:worker_threads';
if (process.env.KOBAN_TEST_UDP_WORKER === 'die-on-start') process.exit(3);
parentPort.on('message', (m) => {
  if (m.type !== 'probe') return;
  const q = Buffer.from(m.query).toString('latin1');
  if (q === 'test:exit') process.exit(7);
  if (q === 'test:throw') throw new Error('a test crash');
});
await import(${JSON.stringify(WORKER.href)});
`)}`,
);
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
  query(3, `9.100.51.198.${ZONE}`, 'A'),
  query(4, `9.100.51.198.${ZONE}`, 'TXT'),
  query(5, `2.0.0.127.${ZONE}`, 'ANY'),
  query(6, 'example.org', 'A'),
  query(7, ZONE, 'SOA'),
];

/**
 * One try: the answer to `q` over UDP, or null when none came within `waitMs`. UDP may lose a
 * datagram, so this is only the interval between tries: `askUdp` tries again until an answer
 * comes, with no deadline of its own (test/wait.ts) — nothing here asserts how long anything took.
 */
async function askOnce(port: number, q: Buffer, waitMs = 200): Promise<Buffer | null> {
  const sock = createSocket('udp4');
  try {
    return await new Promise<Buffer | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), waitMs);
      sock.on('message', (m) => {
        if (m.readUInt16BE(0) !== q.readUInt16BE(0)) return;
        clearTimeout(timer);
        resolve(m);
      });
      sock.on('error', () => resolve(null));
      sock.send(q, port, '127.0.0.1');
    });
  } finally {
    await new Promise<void>((r) => sock.close(() => r()));
  }
}

const askUdp = (port: number, q: Buffer) => waitFor(() => askOnce(port, q), 'an answer over UDP');

/** Every query answered over UDP, and by every worker, as the main thread answers it. */
async function expectSameAnswers(server: DnsblServer, src: DnsblSource): Promise<void> {
  for (const q of QUERIES) {
    const main = answerQuery(q, ZONE, src);
    expect(main).not.toBeNull();
    expect(await askUdp(server.port, q)).toEqual(main);
    const workers = await server.probeWorkers(q);
    expect(workers).toHaveLength(server.threads - 1);
    for (const w of workers) expect(w).toEqual(main);
  }
}

/** The answer to `q` over TCP (a two-byte length before each message, RFC 7766). */
async function askTcp(port: number, q: Buffer): Promise<Buffer> {
  const sock = connect(port, '127.0.0.1');
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      let buf = Buffer.alloc(0);
      sock.on('error', reject);
      sock.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) resolve(buf.subarray(2));
      });
      const framed = Buffer.alloc(2 + q.length);
      framed.writeUInt16BE(q.length, 0);
      q.copy(framed, 2);
      sock.write(framed);
    });
  } finally {
    sock.destroy();
  }
}

/** A closed socket's handle goes once the event loop has run its close callbacks. */
const noSocketLeft = () =>
  waitFor(() => !process.getActiveResourcesInfo().includes('UDPWrap'), 'every UDP socket closed');

const kill = (server: DnsblServer, how: 'exit' | 'throw') =>
  server.probeWorkers(Buffer.from(`test:${how}`, 'latin1'));

let rel: TestRelational;
let svc: AnonymizerService;
let src: DnsblSource;

describe.skipIf(!HAVE_BUILD)('the DNSBL when a UDP worker thread dies', () => {
  beforeAll(async () => {
    rel = await openTestRelational();
    svc = await AnonymizerService.open(rel.db, { staleHours: 24 });
    await svc.importList({ source: 'a.txt', text: '192.0.2.77\n', format: 'bulk', publishedMs: T0 });
    src = dnsblSource(svc);
  });
  afterAll(async () => {
    delete process.env.KOBAN_TEST_UDP_WORKER;
    await rel?.close();
  });

  it('binds the port again and restarts the workers, answering from the index as it is now', async () => {
    const warnings: string[] = [];
    const server = await startDnsblServer(src, {
      host: '127.0.0.1',
      port: 0,
      zone: ZONE,
      threads: 2,
      workerScript: CRASHABLE,
      log: { warn: (m) => warnings.push(m), error: (m) => warnings.push(`error: ${m}`) },
    });
    try {
      expect(server.threads).toBe(2);
      expect(server.workerRestarts).toBe(0);
      expect(server.lastRestartReason).toBeNull();
      await expectSameAnswers(server, src);

      // A reload before the crash: the restarted worker answers from the new index, not the first.
      await svc.importList({
        source: 'b.txt',
        text: '198.51.100.9\n',
        format: 'bulk',
        publishedMs: T0 + 60_000,
      });
      await expect(kill(server, 'exit')).rejects.toThrow(/stopped \(exit 7\)/);
      await server.settled();
      expect(server.workerRestarts).toBe(1);
      expect(server.lastRestartReason).toBe('a UDP worker thread stopped (exit 7)');
      expect(warnings).toEqual([
        'dnsbl: a UDP worker thread stopped (exit 7); restarting the UDP side (restart 1)',
      ]);
      expect(server.threads).toBe(2);
      await expectSameAnswers(server, src);
      const rcode = (a: Buffer | null | undefined) => a!.readUInt16BE(2) & 0x0f;
      const listed = query(9, `9.100.51.198.${ZONE}`, 'A');
      expect((await server.probeWorkers(listed)).map(rcode)).toEqual([0]);
      expect(rcode(await askUdp(server.port, listed))).toBe(0);

      // An uncaught exception, the same way (the probe may be answered before the worker dies).
      await kill(server, 'throw').catch(() => null);
      await waitFor(() => server.workerRestarts === 2, 'the second restart');
      await server.settled();
      expect(server.workerRestarts).toBe(2);
      expect(server.lastRestartReason).toBe('a UDP worker thread crashed: a test crash');
      expect(warnings[1]).toMatch(/crashed: a test crash; restarting the UDP side \(restart 2\)$/);
      await expectSameAnswers(server, src);
    } finally {
      await server.close();
    }
    // Nothing left open: no worker thread, no socket (the port can be bound again).
    expect(live.size).toBe(0);
    await noSocketLeft();
    const again = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.bind(server.port, '127.0.0.1', () => resolve());
    });
    again.close();
  });

  it('does not restart a worker that dies on every start past the bound: the main thread answers alone', async () => {
    const warnings: string[] = [];
    const server = await startDnsblServer(src, {
      host: '127.0.0.1',
      port: 0,
      zone: ZONE,
      threads: 2,
      workerScript: CRASHABLE,
      maxRestartsPerMinute: 2,
      log: { warn: (m) => warnings.push(m), error: (m) => warnings.push(`error: ${m}`) },
    });
    try {
      process.env.KOBAN_TEST_UDP_WORKER = 'die-on-start';
      await expect(kill(server, 'exit')).rejects.toThrow(/exit 7/);
      await server.settled();
      expect(server.workerRestarts).toBe(2);
      expect(server.threads).toBe(1);
      expect(server.lastRestartReason).toBe('a UDP worker thread stopped while starting (exit 3)');
      expect(warnings).toHaveLength(3);
      expect(warnings[2]).toBe(
        'dnsbl: a UDP worker thread stopped while starting (exit 3); the UDP worker threads were ' +
          'restarted 2 times in the last minute: UDP is answered by the main thread alone from now on',
      );
      await expectSameAnswers(server, src);
    } finally {
      delete process.env.KOBAN_TEST_UDP_WORKER;
      await server.close();
    }
    expect(live.size).toBe(0);
    await noSocketLeft();
  });

  it('says so when the port cannot be bound again, and keeps answering over TCP', async () => {
    const logged: string[] = [];
    let taker: ReturnType<typeof createSocket> | null = null;
    const server = await startDnsblServer(src, {
      host: '127.0.0.1',
      port: 0,
      zone: ZONE,
      threads: 2,
      workerScript: CRASHABLE,
      log: {
        // Told of the restart before the new bind: another socket takes the port first.
        warn: (m) => {
          logged.push(m);
          taker = createSocket('udp4');
          taker.bind(server.port, '127.0.0.1');
        },
        error: (m) => logged.push(`error: ${m}`),
      },
    });
    try {
      await expect(kill(server, 'exit')).rejects.toThrow(/exit 7/);
      await server.settled();
      expect(server.threads).toBe(0);
      expect(server.workerRestarts).toBe(1);
      expect(logged[1]).toMatch(
        new RegExp(
          `^error: dnsbl: cannot bind UDP 127\\.0\\.0\\.1:${server.port} again \\(.*EADDRINUSE.*\\): ` +
            'UDP is not answered any more, TCP still is',
        ),
      );
      for (const q of QUERIES) expect(await askTcp(server.port, q)).toEqual(answerQuery(q, ZONE, src));
    } finally {
      const t = taker as ReturnType<typeof createSocket> | null;
      if (t !== null) await new Promise<void>((r) => t.close(() => r()));
      await server.close();
    }
    expect(live.size).toBe(0);
    await noSocketLeft();
  });

  it('counts the bound over the last minute, by its clock', async () => {
    let now = 1_000_000;
    const warnings: string[] = [];
    const side = await UdpSide.start(src, {
      host: '127.0.0.1',
      port: 0,
      zone: ZONE,
      workers: 1,
      script: CRASHABLE,
      maxRestartsPerMinute: 1,
      now: () => now,
      log: { warn: (m) => warnings.push(m), error: (m) => warnings.push(`error: ${m}`) },
    });
    const crash = async () => {
      await expect(side.probe(Buffer.from('test:exit', 'latin1'))).rejects.toThrow(/exit 7/);
      await side.settled();
    };
    try {
      await crash();
      expect([side.workerRestarts, side.threadCount]).toEqual([1, 2]);
      now += 60_001; // the first restart is over a minute old: another is allowed
      await crash();
      expect([side.workerRestarts, side.threadCount]).toEqual([2, 2]);
      now += 59_999; // the second is not
      await crash();
      expect([side.workerRestarts, side.threadCount]).toEqual([2, 1]);
      expect(warnings[2]).toMatch(/the main thread alone from now on$/);
    } finally {
      await side.close();
    }
    expect(live.size).toBe(0);
  });
});
