/**
 * `koban feeds reads [--since ISO] [--collection ID] [--json]` — who read which TAXII collection:
 * one line per reader (its audit label: token, session or user), collection and hour, with the
 * requests and objects (feeds/taxii/read-audit.ts). Hours that are over are also in the audit
 * chain as `taxii.read` entries ("sealed"); the current hour is shown as it stands.
 */
import type { Command } from 'commander';
import { KobanError } from '../core/index.js';
import { TaxiiReadLog } from '../feeds/index.js';
import { type DataFlags, iso, withIntel } from './_intel.js';
import { dbOption } from './_options.js';
import { printJson } from './_output.js';

const DAY_MS = 86_400_000;

export function registerFeedReads(feeds: Command): void {
  feeds
    .command('reads')
    .description(
      'TAXII reads per reader, collection and hour (sealed into the audit log when the hour is over)',
    )
    .option('--since <time>', 'from this time (ISO 8601; default: the last 24 hours)')
    .option('--collection <id>', 'one collection only')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print one JSON document')
    .action(async (flags: DataFlags & { since?: string; collection?: string }) => {
      const sinceMs = flags.since === undefined ? Date.now() - DAY_MS : Date.parse(flags.since);
      if (Number.isNaN(sinceMs))
        throw new KobanError('E_USAGE', `--since must be an ISO 8601 time, not "${flags.since}"`);
      const rows = await withIntel(flags, (intel) =>
        new TaxiiReadLog(intel, Date.now).list(sinceMs, flags.collection),
      );
      if (flags.json) printJson({ reads: rows });
      else
        process.stdout.write(
          rows.length === 0
            ? 'no TAXII reads in that time\n'
            : `${rows
                .map(
                  (r) =>
                    `${iso(r.hourMs)}  ${r.collection}  ${r.reader}  ${r.requests} requests, ${r.objects} objects (${iso(r.firstMs)} to ${iso(r.lastMs)})${r.sealed ? '  sealed' : ''}`,
                )
                .join('\n')}\n`,
        );
    });
}
