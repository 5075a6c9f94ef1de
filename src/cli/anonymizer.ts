/**
 * `koban anonymizer import FILE…` (Tor exit lists, Onionoo, relay CSV, rbldnsd zones: format
 * detected), `koban anonymizer export --format rbldnsd`, `koban anonymizer check IP`,
 * `koban anonymizer status`, `koban anonymizer evidence` (anonymizer-evidence.ts); and `koban dnsbl
 * serve` (docs/anonymizer.md).
 */
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import type { Command } from 'commander';
import {
  AnonymizerService,
  DEFAULT_DNSBL_ZONE,
  dnsblSource,
  isSiteAction,
  LIST_FORMATS,
  LIST_KINDS,
  type ListFormat,
  type ListImport,
  type ListKind,
  SITE_ACTIONS,
  startDnsblServer,
} from '../anon/index.js';
import { KobanError } from '../core/index.js';
import { readBoundedFile } from './_files.js';
import { operator, withIntel } from './_intel.js';
import { onStopRequest } from './_lifetime.js';
import { dbOption, parseListen, type StoreFlags } from './_options.js';
import { fmtInt, printJson } from './_output.js';
import { openRelationalStore, storeTarget, withRelational } from './_stores.js';
import { registerEvidence } from './anonymizer-evidence.js';

interface ImportFlags extends StoreFlags {
  format?: string;
  list?: string;
  kind?: string;
  published?: string;
  maxBytes: string;
  json?: boolean;
}

const SHOWN = 10;

function oneOf<T extends string>(
  what: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new KobanError('E_USAGE', `--${what} must be one of ${allowed.join(', ')}`);
  return value as T;
}

function whenMs(text: string, what: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new KobanError('E_USAGE', `--${what}: not a date: ${text}`);
  return ms;
}

function summary(r: ListImport): string {
  const lines = [
    `${r.source}: ${r.format} list ${r.list} (${r.kind}) of ${r.published}: ${fmtInt(r.entries)} entries` +
      (r.duplicate
        ? ' — already imported, nothing changed'
        : ` — ${fmtInt(r.opened)} intervals opened, ${fmtInt(r.kept)} continued, ${fmtInt(r.closed)} closed`) +
      `; ${fmtInt(r.rejected.length)} lines rejected`,
  ];
  for (const x of r.rejected.slice(0, SHOWN)) lines.push(`  line ${x.line}: ${x.reason}`);
  if (r.rejected.length > SHOWN)
    lines.push(`  … ${r.rejected.length - SHOWN} more rejected (--json lists all)`);
  return lines.join('\n');
}

async function withAnonymizer<T>(
  flags: StoreFlags,
  fn: (s: AnonymizerService) => Promise<T>,
  create = false,
) {
  return withRelational(
    flags,
    async (db, target) =>
      fn(await AnonymizerService.open(db, { staleHours: target.config.anonymizer.staleHours })),
    { create },
  );
}

function registerImport(anon: Command): void {
  anon
    .command('import')
    .description('import anonymizer lists, oldest first: TorDNSEL, bulk, Onionoo, relay CSV, rbldnsd')
    .argument('<files...>')
    .option('--format <format>', `${LIST_FORMATS.join(', ')} (default: detected)`)
    .option('--list <name>', 'the list it updates (default: tor-exits, tor-relays, rbldnsd)')
    .option('--kind <kind>', `${LIST_KINDS.join(', ')}`)
    .option('--published <date>', 'the list time for files that carry none (bulk, CSV); default: now')
    .option('--max-bytes <n>', 'largest file read', String(256 * 1024 * 1024))
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print the imports as JSON')
    .action(async (files: string[], flags: ImportFlags) => {
      const format = oneOf<ListFormat>('format', flags.format, LIST_FORMATS);
      const kind = oneOf<ListKind>('kind', flags.kind, LIST_KINDS);
      const publishedMs = flags.published === undefined ? undefined : whenMs(flags.published, 'published');
      const results = await withAnonymizer(
        flags,
        async (s) => {
          const out: ListImport[] = [];
          for (const file of files) {
            const text = (await readBoundedFile(file, Number(flags.maxBytes))).toString('utf8');
            out.push(
              await s.importList({
                text,
                source: basename(file),
                format,
                kind,
                list: flags.list,
                publishedMs,
              }),
            );
          }
          return out;
        },
        true,
      );
      if (flags.json) printJson(results);
      else for (const r of results) console.log(summary(r));
    });
}

function registerReads(anon: Command): void {
  anon
    .command('export')
    .description('what is listed now, as an rbldnsd ip4set data file')
    .requiredOption('--format <format>', 'rbldnsd')
    .option('--list <name>', 'one list only (default: every list)')
    .option('--out <path>', 'write here (default: standard output)')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .action(async (flags: StoreFlags & { format: string; list?: string; out?: string }) => {
      if (flags.format !== 'rbldnsd') throw new KobanError('E_USAGE', '--format must be rbldnsd');
      const text = await withAnonymizer(flags, async (s) => s.exportRbldnsd(flags.list));
      if (flags.out) await writeFile(flags.out, text);
      else process.stdout.write(text);
    });
  anon
    .command('check')
    .description('is (or was, --at) an address on a list; with --port, can an exit there reach it')
    .argument('<ip>')
    .option('--at <date>', 'when (ISO 8601); default: now')
    .option('--port <port>', 'destination port (exit policy)')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .action(async (ip: string, flags: StoreFlags & { at?: string; port?: string }) => {
      const port = flags.port === undefined ? undefined : Number(flags.port);
      if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65_535))
        throw new KobanError('E_USAGE', '--port must be 1–65535');
      const atMs = flags.at === undefined ? undefined : whenMs(flags.at, 'at');
      printJson(await withAnonymizer(flags, async (s) => s.check(ip, { atMs, port })));
    });
}

function registerPolicy(anon: Command): void {
  anon
    .command('policy')
    .description("a website operator's policy for listed visitors (shown without ACTION)")
    .argument('<org>', 'the organisation (kind website-operator)')
    .argument('[action]', SITE_ACTIONS.join(', '))
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .action(async (orgName: string, action: string | undefined, flags: StoreFlags) => {
      if (action !== undefined && !isSiteAction(action))
        throw new KobanError('E_USAGE', `the action must be one of ${SITE_ACTIONS.join(', ')}`);
      const org = await withIntel(flags, async (intel) => intel.orgs.byName(orgName));
      if (org === null) throw new KobanError('E_NOT_FOUND', `no organisation named ${orgName}`);
      if (org.kind !== 'website-operator')
        throw new KobanError(
          'E_USAGE',
          `${orgName} is of kind ${org.kind}; site policies are for website-operator`,
        );
      const by = operator().label;
      const now = await withAnonymizer(flags, async (s) => {
        if (action !== undefined) await s.setSitePolicy(org.id, action, by);
        return s.sitePolicy(org.id);
      });
      console.log(`${orgName}: ${now}`);
    });
}

export function registerAnonymizer(program: Command): void {
  const anon = program
    .command('anonymizer')
    .description('the anonymizer database: Tor exits, proxies, VPN exits');
  registerImport(anon);
  registerReads(anon);
  registerPolicy(anon);
  registerEvidence(anon);
}

/**
 * `--threads`: 1 to the cores available (more threads than cores only contend for the one socket);
 * default 2 where there are two cores or more, else 1. On the idle 2-core machine of BENCHMARKS.md
 * ("DNSBL … on an idle machine") two threads gave 0.60–1.11× rbldnsd and one thread 0.46–0.74×, at
 * the same CPU per query; under load every thread wakes for every datagram on the shared socket
 * (dns/udp-threads.ts), so each query costs more CPU, but no single starved thread stalls the UDP
 * side. A worker that dies takes the socket with it: the server binds it again and restarts the
 * workers (dns/udp-side.ts), a gap of milliseconds. `--threads 1` is the leanest.
 */
function dnsblThreads(flag: string | undefined): number {
  const max = availableParallelism();
  if (flag === undefined) return Math.min(2, max);
  const n = Number(flag);
  if (!/^\d+$/.test(flag) || n < 1 || n > max)
    throw new KobanError('E_USAGE', `--threads must be 1 to ${max} (the cores available), not ${flag}`);
  return n;
}

export function registerDnsbl(program: Command): void {
  const dnsbl = program.command('dnsbl').description('the anonymizer database as a DNSBL (RFC 5782)');
  dnsbl
    .command('serve')
    .description('answer DNSBL queries over UDP and TCP until stopped')
    .requiredOption('--listen <host:port>', 'address and port (e.g. 127.0.0.1:5353)')
    .option('--zone <name>', `the zone answered (default: anonymizer.dnsbl.zone, ${DEFAULT_DNSBL_ZONE})`)
    .option(
      '--threads <n>',
      'threads answering UDP, sharing the socket and the index (1 to the cores available; default 2, or 1 on one core)',
    )
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .action(async (flags: StoreFlags & { listen: string; zone?: string; threads?: string }) => {
      const { host, port } = parseListen(flags.listen);
      const threads = dnsblThreads(flags.threads);
      const target = storeTarget(flags);
      const db = await openRelationalStore(target);
      const cfg = target.config.anonymizer;
      const service = await AnonymizerService.open(db, { staleHours: cfg.staleHours });
      const zone = flags.zone ?? cfg.dnsbl.zone;
      const server = await startDnsblServer(dnsblSource(service), {
        host,
        port,
        zone,
        threads,
        onError: (e) => console.error(`dnsbl: ${(e as Error).message}`),
        log: { warn: (m) => console.error(m), error: (m) => console.error(m) },
      });
      console.error(
        `dnsbl: answering ${zone} on ${host}:${server.port} (udp on ${server.threads} thread${server.threads === 1 ? '' : 's'}, tcp)`,
      );
      // Lists imported by another process: picked up without a restart.
      const reload = setInterval(() => void service.reload().catch(() => undefined), 60_000);
      await new Promise<void>((resolve) => onStopRequest(() => resolve()));
      clearInterval(reload);
      if (server.workerRestarts > 0)
        console.error(
          `dnsbl: the UDP side was restarted ${server.workerRestarts} time${server.workerRestarts === 1 ? '' : 's'} (last: ${server.lastRestartReason}); udp on ${server.threads} thread${server.threads === 1 ? '' : 's'} at the end`,
        );
      await server.close();
      await db.destroy();
    });
}
