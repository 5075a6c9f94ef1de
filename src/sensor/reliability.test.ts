/**
 * Loss-free delivery, tested the hard way: real center processes killed with SIGKILL, a TCP
 * proxy that resets connections in the middle of requests and of responses, and agents killed
 * mid-batch while their log is rotated. Afterwards the store must hold every event exactly once
 * (count, distinct identities, and a checksum over identities).
 */
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it, onTestFinished } from 'vitest';
import { HAVE_BUILD, koban, type Proc, waitFor } from '../../test/cli.js';
import { openRelational } from '../db/index.js';
import { SensorRegistry } from '../observe/index.js';
import { SensorAgent } from './agent.js';

const BASE_MS = Date.UTC(2026, 10, 23, 0, 0, 0);

/** Kernel LOG lines (rsyslog RFC 3339 form), one per millisecond: the time is each line's identity. */
function logLines(from: number, to: number): string {
  const parts: string[] = [];
  for (let i = from; i < to; i++) {
    const iso = new Date(BASE_MS + i).toISOString().replace('Z', '000+00:00');
    parts.push(
      `${iso} fw-rel kernel: [UFW BLOCK] IN=eth0 OUT= MAC= SRC=198.51.${(i >> 8) & 255}.${i & 255} DST=203.0.113.7 ` +
        `LEN=44 TOS=0x00 PREC=0x00 TTL=50 ID=${i & 65535} PROTO=TCP SPT=${1024 + (i % 60000)} DPT=445 WINDOW=1024 RES=0x00 SYN URGP=0\n`,
    );
  }
  return parts.join('');
}

function writeLog(path: string, from: number, to: number): void {
  writeFileSync(path, '');
  for (let i = from; i < to; i += 100_000) appendFileSync(path, logLines(i, Math.min(to, i + 100_000)));
}

async function registerSensor(dataDir: string, name: string): Promise<string> {
  const db = await openRelational(dataDir);
  try {
    return (await new SensorRegistry(db).add({ name })).token;
  } finally {
    await db.destroy();
  }
}

interface CenterProc {
  readonly proc: Proc;
  readonly port: number;
}

/**
 * Starts `koban serve` on a port the kernel picks (a port chosen beforehand could be taken by
 * another process before the center binds it) and resolves once the center says where it listens.
 */
async function startServer(dataDir: string): Promise<CenterProc> {
  const proc = koban(['serve', '--data', dataDir, '--listen', '127.0.0.1:0'], { KOBAN_LOG: 'warn' });
  const listening = () => /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(proc.stdout());
  await waitFor(() => listening() || proc.child.exitCode !== null, 'the center to listen');
  const m = listening();
  if (!m) throw new Error(`the center exited: ${proc.output()}`);
  return { proc, port: Number(m[1]) };
}

/** count, distinct identities and the identity checksum of stored events. */
async function storedIdentities(dataDir: string): Promise<{ count: number; distinct: number; sum: number }> {
  const db = await DuckDBInstance.create(join(dataDir, 'events.duckdb'));
  const con = await db.connect();
  try {
    const r = await con.runAndReadAll(
      `SELECT count(*), count(DISTINCT ts_ms), coalesce(sum(ts_ms - ${BASE_MS}), 0) FROM events`,
    );
    const [count, distinct, sum] = r.getRows()[0]!;
    return { count: Number(count), distinct: Number(distinct), sum: Number(sum) };
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

/**
 * A TCP proxy that, per connection, either passes everything, cuts the request after its first
 * chunk, or lets the whole request through and cuts the connection as the response begins — the
 * case where the center has stored a batch the agent never hears about.
 */
function chaosProxy(targetPort: () => number): { server: Server; resets: { n: number } } {
  const resets = { n: 0 };
  let k = 0;
  const server = createServer((client: Socket) => {
    const mode = ['pass', 'pass', 'pass', 'cut-request', 'cut-response'][k++ % 5];
    const upstream = connect(targetPort(), '127.0.0.1');
    const cut = () => {
      resets.n++;
      client.resetAndDestroy();
      upstream.destroy();
    };
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('data', (d: Buffer) => {
      upstream.write(d);
      if (mode === 'cut-request' && d.length > 1000) cut();
    });
    upstream.on('data', (d: Buffer) => {
      if (mode === 'cut-response') cut();
      else client.write(d);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });
  return { server, resets };
}

describe.skipIf(!HAVE_BUILD)('loss-free delivery', () => {
  it('stores a million events exactly once through center SIGKILLs and connection resets', {
    timeout: 420_000,
  }, async () => {
    const N = 1_000_000;
    const dir = mkdtempSync(join(tmpdir(), 'koban-rel-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const dataDir = join(dir, 'center');
    const log = join(dir, 'kern.log');
    writeLog(log, 0, N);
    const token = await registerSensor(dataDir, 'fw-rel');
    let center = await startServer(dataDir);
    // Each restarted center listens on a new port: the proxy follows it.
    const { server: proxy, resets } = chaosProxy(() => center.port);
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyPort = (proxy.address() as { port: number }).port;

    const agent = new SensorAgent({
      center: `http://127.0.0.1:${proxyPort}`,
      token,
      spoolDir: join(dir, 'spool'),
      sources: [{ format: 'iptables', path: log }],
      batchEvents: 10_000,
      flushMs: 200,
      log: () => undefined,
    });
    agent.start();
    const shipper = agent.stats.shipper;
    let kills = 0;
    try {
      // Kill the center hard four times while the agent ships: each time once the center has
      // taken two more batches since it (re)started, whatever time that takes.
      for (; kills < 4; kills++) {
        const sent = shipper.sentEvents;
        await waitFor(() => shipper.sentEvents >= sent + 20_000, 'two more batches to be taken');
        center.proc.child.kill('SIGKILL');
        await center.proc.exited;
        // The agent finds the center gone before it comes back.
        const retries = shipper.retries;
        await waitFor(() => shipper.retries > retries, 'the agent to fail a send');
        center = await startServer(dataDir);
      }
      await waitFor(() => agent.stats.read === N && agent.pendingSegments === 0, 'every line to be shipped');
    } finally {
      await agent.stop(0);
      center.proc.child.kill('SIGTERM');
      await center.proc.exited;
      proxy.close();
    }
    expect(kills).toBe(4);
    expect(resets.n).toBeGreaterThan(0);
    expect(agent.stats.rejected).toBe(0);
    expect(await storedIdentities(dataDir)).toEqual({ count: N, distinct: N, sum: (N * (N - 1)) / 2 });
  });

  it('loses and repeats nothing when the agent is killed mid-batch and its log rotated while it is down', {
    timeout: 240_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koban-agent-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const dataDir = join(dir, 'center');
    const log = join(dir, 'kern.log');
    const token = await registerSensor(dataDir, 'fw-rel');
    const center = await startServer(dataDir);
    const agentArgs = [
      'sensor',
      'run',
      '--center',
      `http://127.0.0.1:${center.port}`,
      '--spool',
      join(dir, 'spool'),
      '--source',
      `iptables:${log}`,
      '--batch-events',
      '2000',
      '--flush-ms',
      '100',
    ];
    const total = async () =>
      (
        (await (await fetch(`http://127.0.0.1:${center.port}/api/v1/stats/total`)).json()) as {
          rows: { count: number }[];
        }
      ).rows.reduce((s, r) => s + r.count, 0);
    try {
      writeLog(log, 0, 100_000);
      let agent = koban(agentArgs, { KOBAN_TOKEN: token });
      await waitFor(async () => (await total()) >= 20_000, 'the first batches');
      agent.child.kill('SIGKILL'); // mid-batch: it was still reading and shipping
      await agent.exited;
      // While it is down: more lines, then logrotate's rename and a fresh file.
      appendFileSync(log, logLines(100_000, 120_000));
      renameSync(log, `${log}.1`);
      writeFileSync(log, logLines(120_000, 150_000));
      agent = koban(agentArgs, { KOBAN_TOKEN: token });
      await waitFor(async () => (await total()) >= 150_000, 'all 150,000 events');
      // Kill it once more and restart: a clean resume must add nothing.
      agent.child.kill('SIGKILL');
      await agent.exited;
      agent = koban(agentArgs, { KOBAN_TOKEN: token });
      appendFileSync(log, logLines(150_000, 151_000));
      await waitFor(async () => (await total()) >= 151_000, 'the last 1,000 events');
      agent.child.kill('SIGTERM');
      expect(await agent.exited).toBe(0);
    } finally {
      center.proc.child.kill('SIGTERM');
      await center.proc.exited;
    }
    // The resumed agent read the appended lines and nothing it had read before (its own count,
    // written when it stopped): it had nothing to send twice.
    expect(JSON.parse(readFileSync(join(dir, 'spool', 'status.json'), 'utf8'))).toMatchObject({
      state: 'stopped',
      read: 1000,
      rejected: 0,
    });
    const n = 151_000;
    expect(await storedIdentities(dataDir)).toEqual({ count: n, distinct: n, sum: (n * (n - 1)) / 2 });
  });
});
