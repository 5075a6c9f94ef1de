/**
 * The agent when things go wrong on the sensor host or at the center: a full disk, a failing or
 * missing source file, a center that is down. Time is fake; the center, the source files and
 * the spool's file system are stand-ins, so every delay and count is exact.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { type AgentOptions, SensorAgent } from './agent.js';
import type { IngestClient } from './http.js';
import { nodeSpoolFs, type SpoolFs } from './spool-fs.js';
import { readAgentStatus } from './status.js';
import type { LineSource, TailLines, TailPosition } from './tail.js';

const T0 = Date.UTC(2026, 10, 23, 0, 0, 0);

beforeEach(() => {
  vi.useFakeTimers({
    now: T0,
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
  });
});
afterEach(() => {
  vi.useRealTimers();
});

function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'koban-agent-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Kernel LOG lines, one per millisecond from T0. */
function lines(from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) {
    const iso = new Date(T0 - 3_600_000 + i).toISOString().replace('Z', '000+00:00');
    out.push(
      `${iso} fw1 kernel: [UFW BLOCK] IN=eth0 OUT= MAC= SRC=198.51.100.${i % 250} DST=203.0.113.7 ` +
        `LEN=44 TOS=0x00 PREC=0x00 TTL=50 ID=${i} PROTO=TCP SPT=40000 DPT=445 WINDOW=1024 RES=0x00 SYN URGP=0`,
    );
  }
  return out;
}

function errno(code: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: simulated`) as NodeJS.ErrnoException;
  e.code = code;
  return e;
}

const position = (offset: number): TailPosition => ({ dev: 1, ino: 1, offset, head: '', headLength: 0 });

/**
 * A source file as a script shared by every follower the agent opens on it: each poll takes the
 * next step (lines, "missing", or an error to throw); an exhausted script has nothing new.
 */
function scriptedFile(steps: (string[] | 'missing' | Error)[]) {
  const opened: { from: TailPosition | null; atMs: number }[] = [];
  let polls = 0;
  let offset = 0;
  const follow = (_path: string, from: TailPosition | null): LineSource => {
    opened.push({ from, atMs: Date.now() - T0 });
    return {
      async poll(): Promise<TailLines> {
        polls++;
        const step = steps.shift() ?? [];
        if (step instanceof Error) throw step;
        if (step === 'missing') return { lines: [], position: position(offset), notes: [], missing: true };
        offset += step.length;
        return { lines: step, position: position(offset), notes: [], missing: false };
      },
      async close() {},
    };
  };
  return { follow, opened, polls: () => polls, steps };
}

/** The center: down (connection refused) or up (200), counting what it receives. */
function fakeCenter() {
  const c = {
    up: true,
    failedPosts: 0,
    events: 0,
    batches: 0,
    droppedHeaders: [] as string[],
    client: {
      async post(body: Buffer, headers: Record<string, string> = {}) {
        if (!c.up) {
          c.failedPosts++;
          throw new Error('connect ECONNREFUSED 127.0.0.1:8440');
        }
        c.batches++;
        c.events += gunzipSync(body).toString('utf8').trim().split('\n').length - 1;
        c.droppedHeaders.push(headers['X-Koban-Dropped-Total'] ?? '');
        return { status: 200, retryAfterS: null, body: '{}' };
      },
      close() {},
    } satisfies IngestClient,
  };
  return c;
}

function agentWith(o: Partial<AgentOptions> & Pick<AgentOptions, 'spoolDir'>, log: string[]): SensorAgent {
  const agent = new SensorAgent({
    center: 'http://center.test:8440',
    token: 't',
    sources: [{ format: 'iptables', path: '/var/log/kern.log' }],
    batchEvents: 2,
    flushMs: 100,
    pollMs: 200,
    log: (m) => log.push(m),
    ...o,
  });
  onTestFinished(async () => {
    await stop(agent);
  });
  return agent;
}

const KEY = 'iptables:/var/log/kern.log';

/** stop(0) waits on a (fake) zero-length timer. */
async function stop(agent: SensorAgent): Promise<void> {
  if (vi.isFakeTimers()) await Promise.all([agent.stop(0), vi.advanceTimersByTimeAsync(1)]);
  else await agent.stop(0);
}

describe('the agent and a full disk', () => {
  it('pauses its sources while the spool cannot take a batch, retries with back-off and loses nothing', async () => {
    const dir = tmp();
    let diskFull = true;
    const attempts: number[] = [];
    const fs: SpoolFs = {
      ...nodeSpoolFs,
      openSync(path, flags, mode) {
        if (path.endsWith('.seg.tmp')) {
          attempts.push(Date.now() - T0);
          if (diskFull) throw errno('ENOSPC');
        }
        return nodeSpoolFs.openSync(path, flags, mode);
      },
    };
    const file = scriptedFile([lines(0, 2), lines(2, 4), lines(4, 6)]);
    const center = fakeCenter();
    const log: string[] = [];
    const agent = agentWith({ spoolDir: dir, spoolFs: fs, follow: file.follow, client: center.client }, log);
    agent.start();
    await vi.advanceTimersByTimeAsync(7_500);
    // The spool was empty: nothing to drop, so the batch waits in memory and the source with it.
    expect(attempts).toEqual([0, 1000, 3000, 7000]);
    expect(file.polls()).toBe(1);
    expect(agent.status().sources[0]).toMatchObject({ source: KEY, state: 'paused', errors: 4 });
    const refused = `the file system holding the spool ${dir} is full and no spooled batch is left to drop (ENOSPC)`;
    expect(agent.status().spool.error).toBe(refused);
    diskFull = false;
    await vi.advanceTimersByTimeAsync(7_499);
    expect(attempts).toEqual([0, 1000, 3000, 7000]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(attempts.slice(0, 5)).toEqual([0, 1000, 3000, 7000, 15000]);
    expect(agent.stats).toMatchObject({ read: 6, events: 6, spooled: 6 });
    expect(center.events).toBe(6);
    expect(agent.status().sources[0]).toMatchObject({ state: 'reading', errors: 4 });
    expect(agent.status().spool.error).toBe(null);
    expect(log).toEqual([
      `spool: ${refused}; holding 2 events and retrying`,
      `source ${KEY} paused: the spool cannot take the batch (${refused}); retrying with back-off (next in 1000 ms)`,
      'spool: writable again',
      `source ${KEY}: resumed`,
    ]);
  });

  it('drops the oldest batches on a full disk while the center is down, counts them and keeps reading', async () => {
    const dir = tmp();
    // A disk with room for a few batches only.
    const used = () => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    const paths = new Map<number, string>();
    const fs: SpoolFs = {
      ...nodeSpoolFs,
      openSync(path, flags, mode) {
        const fd = nodeSpoolFs.openSync(path, flags, mode);
        paths.set(fd, path);
        return fd;
      },
      writeSync(fd, data) {
        if (used() + data.length > 12_000) throw errno('ENOSPC');
        return nodeSpoolFs.writeSync(fd, data);
      },
    };
    const file = scriptedFile(Array.from({ length: 40 }, (_, i) => lines(2 * i, 2 * i + 2)));
    const center = fakeCenter();
    center.up = false;
    const log: string[] = [];
    const agent = agentWith({ spoolDir: dir, spoolFs: fs, follow: file.follow, client: center.client }, log);
    agent.start();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(agent.stats.read).toBe(80);
    expect(agent.status().sources[0]!.state).toBe('reading');
    const dropped = agent.droppedTotal;
    expect(dropped).toBeGreaterThan(0);
    expect(agent.status().spool.dropped_disk_full).toBe(dropped);
    // Every event read is either spooled or counted as dropped.
    const spooledEvents = 80 - dropped;
    expect(agent.stats.spooled).toBe(80);
    center.up = true;
    await vi.advanceTimersByTimeAsync(40_000);
    expect(agent.pendingSegments).toBe(0);
    expect(center.events).toBe(spooledEvents);
    expect(center.droppedHeaders.at(-1)).toBe(String(dropped));
    expect(log.filter((m) => m.includes('paused'))).toEqual([]);
    expect(log.filter((m) => m.startsWith('center '))).toEqual([
      'center http://center.test:8440 unreachable (connect ECONNREFUSED 127.0.0.1:8440); batches stay in the spool and are retried',
      'center http://center.test:8440 is taking batches again',
    ]);
  });
});

describe('the agent and a failing source', () => {
  it('pauses a source after a read error (EIO) and reopens it with back-off where it was, never ending it', async () => {
    const dir = tmp();
    const file = scriptedFile([lines(0, 3), errno('EIO'), errno('EIO'), lines(3, 5)]);
    const center = fakeCenter();
    const log: string[] = [];
    const agent = agentWith(
      { spoolDir: dir, follow: file.follow, client: center.client, batchEvents: 100 },
      log,
    );
    agent.start();
    await vi.advanceTimersByTimeAsync(200);
    // Polled at 0 (3 lines) and 0 again (EIO): reopened 1 s later, EIO again, reopened 2 s later.
    expect(file.opened).toEqual([{ from: null, atMs: 0 }]);
    expect(agent.status().sources[0]).toMatchObject({
      state: 'paused',
      errors: 1,
      last_error: 'EIO: simulated',
    });
    await vi.advanceTimersByTimeAsync(2_799);
    expect(file.opened).toEqual([
      { from: null, atMs: 0 },
      { from: position(3), atMs: 1000 },
    ]);
    await vi.advanceTimersByTimeAsync(1);
    expect(file.opened.at(-1)).toEqual({ from: position(3), atMs: 3000 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(agent.status().sources[0]).toMatchObject({
      state: 'reading',
      errors: 2,
      last_error: 'EIO: simulated',
    });
    expect(agent.stats.read).toBe(5);
    expect(center.events).toBe(5);
    expect(log).toEqual([
      `source ${KEY} paused: EIO: simulated; retrying with back-off (next in 1000 ms)`,
      `source ${KEY}: resumed`,
    ]);
  });

  it('says once that a source file is missing, counts it, and reads it when it appears', async () => {
    const dir = tmp();
    const file = scriptedFile(['missing', 'missing', 'missing', lines(0, 2)]);
    const center = fakeCenter();
    const log: string[] = [];
    const agent = agentWith({ spoolDir: dir, follow: file.follow, client: center.client }, log);
    agent.start();
    await vi.advanceTimersByTimeAsync(450);
    expect(file.polls()).toBe(3);
    expect(agent.status().sources[0]).toMatchObject({
      state: 'missing',
      errors: 1,
      last_error: '/var/log/kern.log does not exist',
    });
    await vi.advanceTimersByTimeAsync(1_200);
    expect(agent.status().sources[0]).toMatchObject({ state: 'reading', errors: 1 });
    expect(center.events).toBe(2);
    expect(log).toEqual([
      `source ${KEY}: /var/log/kern.log does not exist; waiting for it to appear`,
      `source ${KEY}: the file is there now; reading it`,
    ]);
  });
});

describe('the agent and its center', () => {
  it('logs once when the center becomes unreachable and once when it is back, with counters in its status', async () => {
    const dir = tmp();
    const file = scriptedFile([lines(0, 2), [], [], [], lines(2, 4)]);
    const center = fakeCenter();
    center.up = false;
    const log: string[] = [];
    // One batch per round, so that each failed round is one refused connection.
    const agent = agentWith(
      { spoolDir: dir, follow: file.follow, client: center.client, statusMs: 1000, parallel: 1 },
      log,
    );
    agent.start();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(center.failedPosts).toBeGreaterThan(1);
    expect(agent.status().retries).toBe(center.failedPosts);
    let status = readAgentStatus(dir);
    expect(status).toMatchObject({
      pid: process.pid,
      state: 'running',
      center: 'http://center.test:8440',
      center_reachable: false,
      read: 4,
      spooled: 4,
      batches_sent: 0,
      last_error: { message: 'connect ECONNREFUSED 127.0.0.1:8440' },
      spool: { batches: 2, dropped_events: 0, error: null },
      sources: [{ source: KEY, state: 'reading', errors: 0, last_error: null }],
    });
    center.up = true;
    await vi.advanceTimersByTimeAsync(31_000);
    status = readAgentStatus(dir);
    expect(status).toMatchObject({
      center_reachable: true,
      batches_sent: 2,
      events_sent: 4,
      spool: { batches: 0 },
    });
    expect(log).toEqual([
      'center http://center.test:8440 unreachable (connect ECONNREFUSED 127.0.0.1:8440); batches stay in the spool and are retried',
      'center http://center.test:8440 is taking batches again',
    ]);
    await stop(agent);
    expect(readAgentStatus(dir)).toMatchObject({ state: 'stopped', sources: [{ state: 'stopped' }] });
  });
});
