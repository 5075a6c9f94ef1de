/** `koban sensor add|list|revoke|run` — the sensor registry, and the sensor agent. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { KobanError, resolveDataDir } from '../core/index.js';
import { openRelational } from '../db/index.js';
import { type SensorRecord, SensorRegistry } from '../observe/index.js';
import { parseSourceSpec, SensorAgent } from '../sensor/index.js';
import { fmtInt, printJson, table } from './_output.js';

interface DataFlags {
  data?: string;
  json?: boolean;
}

/** Opens the registry; only `sensor add` creates the store (a mistyped `--data` must not). */
async function withRegistry<T>(
  flags: DataFlags,
  fn: (r: SensorRegistry) => Promise<T>,
  opts: { create?: boolean } = {},
): Promise<T> {
  const db = await openRelational(resolveDataDir(flags.data), { create: opts.create ?? false });
  try {
    return await fn(new SensorRegistry(db));
  } finally {
    await db.destroy();
  }
}

const SILENT_MS = 60 * 60_000;

export function sensorStatus(s: SensorRecord, nowMs: number): string {
  if (s.revokedMs !== null) return 'revoked';
  if (s.lastSeenMs === null) return 'never seen';
  return nowMs - s.lastSeenMs > SILENT_MS ? 'silent' : 'active';
}

function sensorJson(s: SensorRecord, nowMs: number) {
  const days = s.lastSeenMs === null ? 0 : Math.max(1, (s.lastSeenMs - s.createdMs) / 86_400_000);
  return {
    name: s.name,
    site: s.site,
    address_blocks: s.addressBlocks,
    relay: s.relay,
    status: sensorStatus(s, nowMs),
    created: new Date(s.createdMs).toISOString(),
    last_seen: s.lastSeenMs === null ? null : new Date(s.lastSeenMs).toISOString(),
    events: s.eventsTotal,
    events_per_day: days === 0 ? 0 : Math.round(s.eventsTotal / days),
    // Delivery lag at the last batch: when it arrived minus the newest event it carried.
    lag_s:
      s.lastSeenMs === null || s.lastEventMs === null
        ? null
        : Math.round((s.lastSeenMs - s.lastEventMs) / 1000),
    dropped: s.droppedTotal,
  };
}

export function registerSensor(program: Command): void {
  const sensor = program
    .command('sensor')
    .description('register sensors, list them, revoke them; run the agent');

  sensor
    .command('add')
    .description('register a sensor and print its token (shown once)')
    .argument('<name>', 'sensor name')
    .option('--site <site>', 'where the sensor is')
    .option('--address-block <cidr...>', 'address blocks the sensor watches (coverage)')
    .option('--relay', 'the token may send events on behalf of other sensor names (replay, feeds)')
    .option('--data <dir>', 'data directory')
    .option('--json', 'print { "name", "token" }')
    .action(
      async (
        name: string,
        flags: DataFlags & { site?: string; addressBlock?: string[]; relay?: boolean },
      ) => {
        const { sensor: s, token } = await withRegistry(
          flags,
          (r) => r.add({ name, site: flags.site, addressBlocks: flags.addressBlock, relay: flags.relay }),
          { create: true },
        );
        if (flags.json) printJson({ name: s.name, token });
        else {
          process.stdout.write(
            `sensor ${s.name} registered${s.addressBlocks.length ? ` (${s.addressBlocks.join(', ')})` : ''}\n` +
              `token (shown only now; the center keeps only its hash):\n${token}\n`,
          );
        }
      },
    );

  sensor
    .command('list')
    .description('registered sensors: status, last seen, events/day, lag')
    .option('--data <dir>', 'data directory')
    .option('--json', 'print one JSON document')
    .action(async (flags: DataFlags) => {
      const nowMs = Date.now();
      const list = await withRegistry(flags, (r) => r.list());
      const rows = list.map((s) => sensorJson(s, nowMs));
      if (flags.json) printJson({ sensors: rows });
      else if (rows.length === 0) process.stdout.write('no sensors registered (koban sensor add NAME)\n');
      else {
        process.stdout.write(
          `${table(
            ['sensor', 'status', 'last seen', 'events', 'per day', 'lag s', 'dropped', 'site'],
            rows.map((r) => [
              r.name,
              r.status,
              r.last_seen,
              r.events,
              r.events_per_day,
              r.lag_s,
              r.dropped,
              r.site,
            ]),
          )}\n`,
        );
      }
    });

  sensor
    .command('revoke')
    .description('revoke a sensor token: its batches are refused from now on')
    .argument('<name>', 'sensor name')
    .option('--data <dir>', 'data directory')
    .option('--json', 'print the sensor as JSON')
    .action(async (name: string, flags: DataFlags) => {
      const s = await withRegistry(flags, (r) => r.revoke(name));
      if (flags.json) printJson(sensorJson(s, Date.now()));
      else process.stdout.write(`sensor ${s.name} revoked at ${new Date(s.revokedMs ?? 0).toISOString()}\n`);
    });

  sensor
    .command('run')
    .description('run the sensor agent: follow sources, spool durably, ship to the center')
    .requiredOption('--center <url>', 'center URL, e.g. https://center.example:8440')
    .option('--token <token>', 'sensor token (or set KOBAN_TOKEN, which keeps it out of the process list)')
    .requiredOption('--spool <dir>', 'spool directory (durable queue and read positions)')
    .requiredOption(
      '--source <format:path...>',
      'sources, e.g. iptables:/var/log/kern.log eve:/var/log/suricata/eve.json pcap:-',
    )
    .option('--ca <file>', 'extra CA certificate (PEM) to trust for the center')
    .option('--batch-events <n>', 'events per batch', '5000')
    .option('--flush-ms <ms>', 'longest a record waits before its batch is spooled', '500')
    .option(
      '--max-spool-mb <mb>',
      'spool size bound; when full the oldest data is dropped and counted',
      '1024',
    )
    .option('--utc-offset <offset>', 'zone of log timestamps that carry none (classic syslog)', '+00:00')
    .action(async (flags: RunFlags) => {
      const token = flags.token ?? process.env.KOBAN_TOKEN;
      if (!token) throw new KobanError('E_USAGE', 'a sensor token is needed: --token or KOBAN_TOKEN');
      const agent = new SensorAgent({
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
      await new Promise<void>((resolve) => {
        const stop = () => {
          clearInterval(report);
          void agent.stop(5000).then(resolve);
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
}

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

function positiveInt(s: string, flag: string): number {
  if (!/^\d+$/.test(s) || Number(s) <= 0)
    throw new KobanError('E_USAGE', `${flag} must be a positive whole number`);
  return Number(s);
}
