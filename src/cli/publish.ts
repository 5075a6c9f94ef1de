/**
 * `koban publish monthly|semiannual|annual --period P [--lang ja|en] [--format html|pdf] --out FILE`
 * — a periodic report of the center (docs/portal.md#periodic-reports): the cover with the period in
 * the Japanese era and Gregorian forms, the observation chapter and the sharing network's chapter,
 * as the public site publishes it. PDF is printed by Chromium (`KOBAN_CHROMIUM`, else
 * /usr/bin/chromium).
 */
import { rename, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { KobanError } from '../core/index.js';
import { dbOption, type StoreFlags } from './_options.js';

interface PublishFlags extends StoreFlags {
  period?: string;
  lang: string;
  format: string;
  out?: string;
}

export function registerPublish(program: Command): void {
  program
    .command('publish')
    .description('write a periodic report (monthly, semiannual, annual) as HTML or PDF')
    .argument('<kind>', 'monthly, semiannual or annual')
    .option('--period <period>', 'the period: 2026-11 (monthly), 2026-H1 (semiannual), 2026 (annual)')
    .option('--lang <lang>', 'ja or en', 'ja')
    .option('--format <format>', 'html or pdf', 'html')
    .option('--out <file>', 'the file to write')
    .option('--data <dir>', 'data directory (default $KOBAN_DATA or ./koban-data)')
    .addOption(dbOption())
    .action(async (kind: string, flags: PublishFlags) => {
      if (!flags.period) throw new KobanError('E_USAGE', '--period is required (2026-11, 2026-H1 or 2026)');
      if (!flags.out) throw new KobanError('E_USAGE', '--out FILE is required');
      if (flags.lang !== 'ja' && flags.lang !== 'en')
        throw new KobanError('E_USAGE', `--lang must be ja or en, not "${flags.lang}"`);
      if (flags.format !== 'html' && flags.format !== 'pdf')
        throw new KobanError('E_USAGE', `--format must be html or pdf, not "${flags.format}"`);
      const request = {
        kind,
        period: flags.period,
        lang: flags.lang,
        format: flags.format,
        nowMs: Date.now(),
      } as const;
      // Loaded here: the center's stores are native addons `koban --help` must not load.
      const [{ openCenter, webContext }, { publishReport }] = await Promise.all([
        import('../center/index.js'),
        import('../web/index.js'),
      ]);
      const center = await openCenter({
        dataDir: flags.data,
        relationalUrl: flags.db,
        logLevel: 'silent',
        intel: { parseWorkers: 0 },
      });
      try {
        const bytes = await publishReport(webContext(center), request);
        const tmp = `${flags.out}.tmp`;
        await writeFile(tmp, bytes);
        await rename(tmp, flags.out);
        process.stderr.write(`wrote ${flags.out} (${bytes.length} bytes)\n`);
      } finally {
        await center.close();
      }
    });
}
