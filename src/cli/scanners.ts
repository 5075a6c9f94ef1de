/**
 * `koban scanners [--port P] [--country CC] [--asn N] [--since WHEN] [--limit N] [--cursor C] [--json]`:
 * every scanner the scan detector found, alert or not (docs/methods.md#what-deserves-an-alert),
 * broadest first, with its ports, reach, first and last sighting, country, AS and known-scanner tags.
 */
import type { Command } from 'commander';
import {
  DAY_MS,
  formatUtcOffset,
  HOUR_MS,
  KobanError,
  MINUTE_MS,
  parseDateArg,
  parseUtcOffset,
} from '../core/index.js';
import {
  parsePortFilter,
  type Scanner,
  type ScannerFilter,
  ScannerStore,
  scannerDocument,
} from '../detect/index.js';
import { dbOption, type StoreFlags } from './_options.js';
import { printJson, table } from './_output.js';
import { withRelational } from './_stores.js';
import { humanTime } from './alert-report.js';

interface Flags extends StoreFlags {
  port?: string;
  country?: string;
  asn?: string;
  since?: string;
  limit: string;
  cursor?: string;
  json?: boolean;
}

const UNITS: Readonly<Record<string, number>> = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS };

/** `24h`, `7d`, `90m` before `nowMs`, or a date (in the operator's offset). */
export function parseSince(text: string, nowMs: number, offsetMinutes: number): number {
  const m = /^(\d{1,6})([mhd])$/.exec(text.trim());
  if (m) return nowMs - Number(m[1]) * UNITS[m[2]!]!;
  return parseDateArg(text, offsetMinutes);
}

/** The flags as a filter, or E_USAGE naming the one that is wrong. */
export function scannerFilter(flags: Flags, nowMs: number, offsetMinutes: number): ScannerFilter {
  const f: { -readonly [K in keyof ScannerFilter]: ScannerFilter[K] } = {};
  if (flags.port !== undefined) {
    const p = parsePortFilter(flags.port);
    if (!p)
      throw new KobanError(
        'E_USAGE',
        `--port must be a port, optionally with its protocol (445, 445/tcp), not "${flags.port}"`,
      );
    f.port = p.port;
    f.proto = p.proto;
  }
  if (flags.country !== undefined) {
    if (!/^[A-Za-z]{2}$/.test(flags.country))
      throw new KobanError('E_USAGE', `--country must be two letters (ISO 3166-1), not "${flags.country}"`);
    f.country = flags.country.toUpperCase();
  }
  if (flags.asn !== undefined) {
    const n = /^(?:AS)?(\d{1,10})$/i.exec(flags.asn.trim());
    if (!n || Number(n[1]) > 4_294_967_295)
      throw new KobanError('E_USAGE', `--asn must be an AS number (64500 or AS64500), not "${flags.asn}"`);
    f.asn = Number(n[1]);
  }
  if (flags.since !== undefined) f.sinceMs = parseSince(flags.since, nowMs, offsetMinutes);
  return f;
}

/** The list as text: how many, one line per scanner, and how to get the next page. */
export function renderScanners(
  scanners: readonly Scanner[],
  total: number,
  nextCursor: string | null,
  offsetMinutes: number,
): string {
  if (total === 0) return 'no scanners';
  const out = [
    `${total} scanner${total === 1 ? '' : 's'}, broadest first (addresses reached or ports probed by one episode)`,
    '',
    table(
      [
        'source',
        'reach',
        'ports',
        'packets',
        `first seen (UTC${formatUtcOffset(offsetMinutes)})`,
        'last seen',
        'country',
        'AS',
        'top ports',
        'tags',
        'alert',
      ],
      scanners.map((s) => [
        s.source,
        s.reach,
        s.distinctPorts,
        s.packets,
        humanTime(s.firstMs, offsetMinutes),
        humanTime(s.lastMs, offsetMinutes),
        s.country ?? '-',
        s.asn === null ? '-' : `AS${s.asn}`,
        s.ports.slice(0, 3).join(' '),
        s.tags.length > 0 ? s.tags.join(', ') : '-',
        s.alertReasons.length > 0 ? 'yes' : '-',
      ]),
    ),
  ];
  if (nextCursor !== null) out.push(`more: koban scanners --cursor ${nextCursor} (same filters)`);
  return out.join('\n');
}

export function registerScanners(program: Command): void {
  program
    .command('scanners')
    .description(
      'every scanner found, alert or not, broadest first: ports, reach, first/last seen, country, AS, tags',
    )
    .option('--port <port>', 'only those that probed this port (445, 445/tcp)')
    .option('--country <cc>', 'only sources in this country (ISO 3166-1 alpha-2)')
    .option('--asn <n>', 'only sources in this AS')
    .option('--since <when>', 'only those seen since: a date (operator offset) or 90m, 24h, 7d ago')
    .option('--limit <n>', 'scanners per page (1–1000)', '100')
    .option('--cursor <c>', 'the next page: the cursor the previous one printed')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print one JSON document { scanners, total, nextCursor }')
    .action(async (flags: Flags) => {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new KobanError(
          'E_USAGE',
          `--limit must be a whole number from 1 to 1000, not "${flags.limit}"`,
        );
      const { page, offset } = await withRelational(flags, async (db, target) => {
        const offset = parseUtcOffset(target.config.utcOffset);
        const filter = scannerFilter(flags, Date.now(), offset);
        return { page: await new ScannerStore(db).page({ ...filter, limit, cursor: flags.cursor }), offset };
      });
      if (flags.json)
        printJson({
          scanners: page.scanners.map(scannerDocument),
          total: page.total,
          nextCursor: page.nextCursor,
        });
      else process.stdout.write(`${renderScanners(page.scanners, page.total, page.nextCursor, offset)}\n`);
    });
}
