/** `koban sensor run` (the agent) and `koban sensor status` (what a running agent reports). */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { KobanError } from '../core/index.js';
import {
  type AgentStatus,
  lockHolder,
  nodeSpoolFs,
  parseSourceSpec,
  processAlive,
  readAgentStatus,
  SensorAgent,
} from '../sensor/index.js';
import { onStopRequest } from './_lifetime.js';
import { fmtInt, printJson, table } from './_output.js';

interface RunFlags {
  center: string;
  token?: string;
  spool: string;
  source: string[];
  ca?: string;
  batchEvents: string;
  flushMs: string;
  maxSpoolMb: string;
  utcOffset: string;
}

/** How long a stopping agent keeps sending what is spooled. */
const STOP_GRACE_MS = 5000;

export function registerSensorAgent(sensor: Command): void {
  sensor
    .command('run')
    .description('run the sensor agent: follow sources, spool durably, ship to the center')
    .requiredOption('--center <url>', 'center URL, e.g. https://center.example:8440')
    .option('--token <token>', 'sensor token (or set KOBAN_TOKEN, which keeps it out of the process list)')
    .requiredOption('--spool <dir>', 'spool directory (durable queue, read positions, lock, status.json)')
    .requiredOption(
      '--source <format:path...>',
      'sources, e.g. iptables:/var/log/kern.log eve:/var/log/suricata/eve.json pcap:-',
    )
    .option('--ca <file>', 'extra CA certificate (PEM) to trust for the center')
    .option('--batch-events <n>', 'events per batch', '5000')
    .option('--flush-ms <ms>', 'longest a record waits before its batch is spooled', '500')
    .option(
      '--max-spool-mb <mb>',
      'spool size bound; when full (or the disk is) the oldest data is dropped and counted',
      '1024',
    )
    .option('--utc-offset <offset>', 'zone of log timestamps that carry none (classic syslog)', '+00:00')
    .action(runAgent);

  sensor
    .command('status')
    .description("a sensor agent's own status, from its spool: sources, center, counters, last error")
    .requiredOption('--spool <dir>', 'the spool directory of the agent')
    .option('--json', 'print the status as JSON (with "running")')
    .action((flags: { spool: string; json?: boolean }) => {
      const status = readAgentStatus(flags.spool);
      // status.json says "running" until a clean stop; a killed agent leaves it so.
      const running =
        status.state === 'running' &&
        lockHolder(flags.spool, nodeSpoolFs) === status.pid &&
        processAlive(status.pid);
      if (flags.json) printJson({ running, ...status });
      else process.stdout.write(formatStatus(status, running));
    });
}

async function runAgent(flags: RunFlags): Promise<void> {
  const token = flags.token ?? process.env.KOBAN_TOKEN;
  if (!token) throw new KobanError('E_USAGE', 'a sensor token is needed: --token or KOBAN_TOKEN');
  let requested: (why: string) => void = () => undefined;
  const stopRequest = new Promise<string>((resolve) => {
    requested = resolve;
  });
  // Signals are caught before the spool is locked, so a SIGTERM at any point stops cleanly.
  const watch = onStopRequest((why) => requested(why));
  let agent: SensorAgent;
  try {
    agent = new SensorAgent({
      center: flags.center,
      token,
      spoolDir: flags.spool,
      sources: flags.source.map(parseSourceSpec),
      ca: flags.ca ? readFileSync(flags.ca) : undefined,
      batchEvents: positiveInt(flags.batchEvents, '--batch-events'),
      flushMs: positiveInt(flags.flushMs, '--flush-ms'),
      maxSpoolBytes: positiveInt(flags.maxSpoolMb, '--max-spool-mb') * 1024 * 1024,
      utcOffset: flags.utcOffset,
    });
  } catch (e) {
    watch.dispose();
    throw e;
  }
  agent.start();
  process.stderr.write(
    `koban agent: shipping ${flags.source.join(', ')} to ${flags.center} (spool ${flags.spool})\n`,
  );
  const report = setInterval(() => {
    const s = agent.stats;
    process.stderr.write(
      `read ${fmtInt(s.read)}, events ${fmtInt(s.events)}, rejected ${fmtInt(s.rejected)}, ` +
        `sent ${fmtInt(s.shipper.sentEvents)}, spool ${agent.pendingSegments} batches, dropped ${fmtInt(agent.droppedTotal)}` +
        `${s.shipper.lastError ? `, last error: ${s.shipper.lastError}` : ''}\n`,
    );
  }, 60_000);
  const why = await stopRequest;
  clearInterval(report);
  process.stderr.write(`koban agent: stopping (${why}): spooling what was read, sending for up to 5 s\n`);
  await agent.stop(STOP_GRACE_MS);
  process.stderr.write(`koban agent: stopped; ${agent.pendingSegments} batches stay in the spool\n`);
  // Everything the agent opened is closed now and the process ends by itself. A handle it
  // cannot close (a named pipe whose open() waits for a writer in the thread pool) must not
  // keep a stopped agent alive.
  setTimeout(() => process.exit(), 10_000).unref();
}

function positiveInt(s: string, flag: string): number {
  if (!/^\d+$/.test(s) || Number(s) <= 0)
    throw new KobanError('E_USAGE', `${flag} must be a positive whole number`);
  return Number(s);
}

/** Status text can carry file names and server answers: no terminal control characters. */
function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

function formatStatus(s: AgentStatus, running: boolean): string {
  const center =
    s.center_reachable === null ? 'not contacted yet' : s.center_reachable ? 'reachable' : 'UNREACHABLE';
  const lines = [
    `agent pid ${s.pid}: ${running ? 'running' : s.state === 'stopped' ? 'stopped' : 'NOT RUNNING (killed?)'}` +
      ` since ${s.started}; status of ${s.updated}`,
    `center ${printable(s.center)}: ${center}`,
    `last error: ${s.last_error ? `${printable(s.last_error.message)} (${s.last_error.at})` : 'none'}`,
    `read ${fmtInt(s.read)}, events ${fmtInt(s.events)}, rejected ${fmtInt(s.rejected)}, spooled ${fmtInt(s.spooled)}`,
    `sent ${fmtInt(s.events_sent)} events in ${fmtInt(s.batches_sent)} batches, retries ${fmtInt(s.retries)}, ` +
      `refused for good ${fmtInt(s.discarded)}`,
    `spool: ${fmtInt(s.spool.batches)} batches, ${fmtInt(s.spool.bytes)} bytes, dropped ${fmtInt(s.spool.dropped_events)} ` +
      `events (${fmtInt(s.spool.dropped_disk_full)} for a full disk)` +
      (s.spool.error ? `; REFUSING BATCHES: ${printable(s.spool.error)}` : ''),
    '',
    table(
      ['source', 'state', 'since', 'errors', 'last error'],
      s.sources.map((x) => [
        printable(x.source),
        x.state,
        x.since,
        x.errors,
        x.last_error && printable(x.last_error),
      ]),
    ),
  ];
  return `${lines.join('\n')}\n`;
}
