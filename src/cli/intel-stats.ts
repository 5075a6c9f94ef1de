/**
 * `koban intel stats [--bucket month] [--from D] [--to D] [--json]` — the sharing network's
 * statistics as the cyber-intelligence half-year report (docs/background.md#sharing-network) publishes them: reports (targeted e-mails) per period, and the malware's
 * C2 destinations by country (offline country lookup: the bundled or configured MMDB).
 */
import type { Command } from 'commander';
import { isBucket, KobanError, parseDateArg, parseUtcOffset } from '../core/index.js';
import { openEnricher } from '../observe/index.js';
import { type DataFlags, operator, withIntel } from './_intel.js';
import { dbOption } from './_options.js';
import { fmtShare, printJson, table } from './_output.js';
import { registerIntelShare } from './intel-share.js';

interface StatsFlags extends DataFlags {
  bucket: string;
  from?: string;
  to?: string;
}

export function registerIntelStats(program: Command): void {
  const intel = program.command('intel').description('the information-sharing network');
  registerIntelShare(intel);
  intel
    .command('stats')
    .description('reports per period and C2 destinations by country')
    .option('--bucket <bucket>', 'hour, day, week or month', 'month')
    .option('--from <date>', 'first day (YYYY-MM-DD or ISO 8601, in the configured UTC offset)')
    .option('--to <date>', 'day after the last (exclusive)')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print one JSON document')
    .action(async (flags: StatsFlags) => {
      if (!isBucket(flags.bucket))
        throw new KobanError('E_USAGE', `--bucket must be hour, day, week or month, not "${flags.bucket}"`);
      const bucket = flags.bucket;
      const result = await withIntel(flags, async (svc, { config }) => {
        const off = parseUtcOffset(config.utcOffset);
        const window = {
          sinceMs: flags.from ? parseDateArg(flags.from, off) : undefined,
          untilMs: flags.to ? parseDateArg(flags.to, off) : undefined,
        };
        const enricher = await openEnricher(config);
        const actor = operator();
        return {
          periods: await svc.stats.reportsPerPeriod(actor, { ...window, bucket, utcOffsetMinutes: off }),
          c2: await svc.stats.c2ByCountry(actor, (ip) => enricher.lookup(ip).country, window),
        };
      });
      if (flags.json) {
        printJson({
          bucket,
          periods: result.periods.map(({ start, reports, emails }) => ({ start, reports, emails })),
          c2: result.c2,
        });
        return;
      }
      const total = result.periods.reduce((s, p) => s + p.reports, 0);
      const out = [`Reports per ${bucket} (${total}):`];
      out.push(
        result.periods.length
          ? table(
              ['period', 'reports', 'e-mails'],
              result.periods.map((p) => [p.start, p.reports, p.emails]),
            )
          : '  none',
      );
      const c = result.c2;
      out.push(
        '',
        `C2 destinations: ${c.destinations} (${c.addresses} addresses; ${c.unresolved} names not resolved)`,
      );
      if (c.byCountry.length) {
        out.push(
          table(
            ['country', 'destinations', 'share'],
            c.byCountry.map((r) => [
              r.country,
              r.destinations,
              r.country === 'unknown' ? null : fmtShare(r.share),
            ]),
          ),
        );
      }
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
