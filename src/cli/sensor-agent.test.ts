/**
 * `koban sensor run` as a process: it stops on SIGTERM (also when npm stands between it and
 * whoever sends the signal), holds its spool against a second agent, and `koban sensor status`
 * shows what it reports. Each test awaits the process's exit; one that never exits fails by the
 * test's timeout, not by a timing assertion.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { HAVE_BUILD, KOBAN_BIN, koban, runKoban, waitFor } from '../../test/cli.js';
import { processAlive } from '../sensor/index.js';

function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'koban-agent-cli-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A port nothing listens on: the center is down. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface StatusJson {
  pid: number;
  state: string;
  running?: boolean;
  sources: { source: string; state: string }[];
}

const readStatus = (spool: string) =>
  JSON.parse(readFileSync(join(spool, 'status.json'), 'utf8')) as StatusJson;

/** Outside npm (`npm test` sets this): the agent must stop on the signal itself. */
const NOT_UNDER_NPM = { npm_lifecycle_event: '', KOBAN_TOKEN: 'sensor-token' };

describe.skipIf(!HAVE_BUILD)('koban sensor run as a process', () => {
  it('stops on SIGTERM while a capture pipe is quiet and a source file is missing, and exits 0', {
    timeout: 180_000,
  }, async () => {
    const dir = tmp();
    const spool = join(dir, 'spool');
    const missing = join(dir, 'kern.log');
    const args = ['sensor', 'run', '--center', `http://127.0.0.1:${await closedPort()}`, '--spool', spool];
    const agent = koban([...args, '--source', 'pcap:-', `iptables:${missing}`], NOT_UNDER_NPM, {
      stdin: 'pipe',
    });
    onTestFinished(() => {
      if (agent.child.exitCode === null) agent.child.kill('SIGKILL');
    });
    await waitFor(
      async () =>
        readStatus(spool).sources.find((s) => s.source === `iptables:${missing}`)?.state === 'missing',
      'the agent to report the missing file',
    );

    const status = await runKoban(['sensor', 'status', '--spool', spool, '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out)).toMatchObject({
      running: true,
      pid: agent.child.pid,
      state: 'running',
      sources: [
        { source: 'pcap:-', state: 'reading' },
        { source: `iptables:${missing}`, state: 'missing', errors: 1 },
      ],
    });

    const second = await runKoban([...args, '--source', `iptables:${missing}`], NOT_UNDER_NPM);
    expect(second.code).toBe(5);
    expect(second.out).toContain(
      `koban: the spool ${spool} is in use by another agent (pid ${agent.child.pid})`,
    );

    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    expect(agent.output()).toContain(
      `source iptables:${missing}: ${missing} does not exist; waiting for it to appear`,
    );
    expect(agent.output()).toContain('koban agent: stopping (SIGTERM)');
    expect(readStatus(spool)).toMatchObject({
      state: 'stopped',
      sources: [
        { source: 'pcap:-', state: 'stopped' },
        { source: `iptables:${missing}`, state: 'stopped' },
      ],
    });
    expect(existsSync(join(spool, 'lock'))).toBe(false);
    const after = await runKoban(['sensor', 'status', '--spool', spool]);
    expect(after.code).toBe(0);
    expect(after.out).toContain(`agent pid ${agent.child.pid}: stopped`);
  });

  it('stops when started through npm and npm’s shell gets the SIGTERM (npm passes it to the shell only)', {
    timeout: 180_000,
  }, async () => {
    const dir = tmp();
    const spool = join(dir, 'spool');
    const args = ['sensor', 'run', '--center', `http://127.0.0.1:${await closedPort()}`, '--spool', spool];
    // What `npx koban …` runs: npm exec → sh -c "koban …" → node. The shell does not pass a
    // SIGTERM on, so the agent is left with no parent.
    const shell = spawn(
      'sh',
      [
        '-c',
        '"$0" "$@"; exit $?',
        process.execPath,
        KOBAN_BIN,
        ...args,
        '--source',
        `iptables:${join(dir, 'kern.log')}`,
      ],
      {
        env: { ...process.env, KOBAN_TOKEN: 'sensor-token', npm_lifecycle_event: 'npx' },
        stdio: 'ignore',
      },
    );
    const shellExited = new Promise((resolve) => shell.once('exit', resolve));
    let agentPid = 0;
    onTestFinished(() => {
      if (agentPid && processAlive(agentPid)) process.kill(agentPid, 'SIGKILL');
    });
    agentPid = await waitFor(async () => readStatus(spool).pid, 'the agent to start');
    shell.kill('SIGTERM');
    await shellExited;
    await waitFor(async () => !processAlive(agentPid), 'the agent to exit');
    expect(readStatus(spool)).toMatchObject({ pid: agentPid, state: 'stopped' });
    expect(existsSync(join(spool, 'lock'))).toBe(false);
  });
});
