/**
 * `koban backscatter [--victim IP] [--since WHEN] [--limit N] [--cursor C] [--json]`: DDoS victims
 * estimated below the alerting rate (`detection.backscatter.minVictimRatePps`), kept as statistics
 * instead of alerts (docs/methods.md#what-deserves-an-alert), the most recently seen first, with
 * their estimated rate, the monitored addresses their replies hit, the attacked ports and first and
 * last sighting. The scanner list's sibling (scanners.ts).
 */
import { isIP } from 'node:net';
import type { Command } from 'commander';
import { formatUtcOffset, KobanError, parseUtcOffset } from '../core/index.js';
import {
  BackscatterStatistics,
  type VictimFilter,
  type VictimStatistic,
  victimStatisticDocument,
} from '../detect/index.js';
import { dbOption, type StoreFlags } from './_options.js';
import { fmtInt, printJson, table } from './_output.js';
import { withRelational } from './_stores.js';
import { humanTime } from './alert-report.js';
import { parseSince } from './scanners.js';

interface Flags extends StoreFlags {
  victim?: string;
  since?: string;
  limit: string;
  cursor?: string;
  json?: boolean;
}

/** The flags as a filter, or E_USAGE naming the one that is wrong. */
export function victimFilter(flags: Flags, nowMs: number, offsetMinutes: number): VictimFilter {
  if (flags.victim !== undefined && isIP(flags.victim) !== 4)
    throw new KobanError('E_USAGE', `--victim must be an IPv4 address, not "${flags.victim}"`);
  return {
    ...(flags.victim === undefined ? {} : { victim: flags.victim }),
    ...(flags.since === undefined ? {} : { sinceMs: parseSince(flags.since, nowMs, offsetMinutes) }),
  };
}

/** The list as text: how many, one line per victim, and how to get the next page. */
export function renderVictims(
  victims: readonly VictimStatistic[],
  total: number,
  nextCursor: string | null,
  offsetMinutes: number,
): string {
  if (total === 0) return 'no DDoS victims below the alerting rate';
  const out = [
    `${total} DDoS victim${total === 1 ? '' : 's'} below the alerting rate (listed, not alerted), the most recent first`,
    '',
    table(
      [
        'victim',
        'attack',
        'rate (replies/s)',
        'addresses hit',
        'replies',
        'ports',
        `first seen (UTC${formatUtcOffset(offsetMinutes)})`,
        'last seen',
      ],
      victims.map((v) => [
        v.victim,
        v.attackType,
        v.ratePps === null ? 'unknown' : `≈ ${fmtInt(Math.round(v.ratePps))}`,
        v.addressesHit,
        v.packets,
        v.ports.slice(0, 3).join(' ') || '-',
        humanTime(v.firstMs, offsetMinutes),
        humanTime(v.lastMs, offsetMinutes),
      ]),
    ),
  ];
  if (nextCursor !== null) out.push(`more: koban backscatter --cursor ${nextCursor} (same filters)`);
  return out.join('\n');
}

export function registerBackscatter(program: Command): void {
  program
    .command('backscatter')
    .description(
      'DDoS victims below the alerting rate, kept as statistics: rate, addresses hit, ports, first/last seen',
    )
    .option('--victim <ip>', 'only this victim')
    .option('--since <when>', 'only those seen since: a date (operator offset) or 90m, 24h, 7d ago')
    .option('--limit <n>', 'victims per page (1–1000)', '100')
    .option('--cursor <c>', 'the next page: the cursor the previous one printed')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print one JSON document { victims, total, nextCursor }')
    .action(async (flags: Flags) => {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new KobanError(
          'E_USAGE',
          `--limit must be a whole number from 1 to 1000, not "${flags.limit}"`,
        );
      const { page, offset } = await withRelational(flags, async (db, target) => {
        const offset = parseUtcOffset(target.config.utcOffset);
        const filter = victimFilter(flags, Date.now(), offset);
        const page = await new BackscatterStatistics(db).page({ ...filter, limit, cursor: flags.cursor });
        return { page, offset };
      });
      if (flags.json)
        printJson({
          victims: page.victims.map(victimStatisticDocument),
          total: page.total,
          nextCursor: page.nextCursor,
        });
      else process.stdout.write(`${renderVictims(page.victims, page.total, page.nextCursor, offset)}\n`);
    });
}
