/**
 * `koban intel export --format stix [--audience A] [--out PATH]` — what an audience may see as a
 * STIX 2.1 bundle (docs/sharing.md); `koban intel import FILE…` — STIX 2.1 bundles in, object by
 * object (MISP events and warninglists are recognised and refused as not yet supported).
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { KobanError } from '../core/index.js';
import { DEFAULT_STIX_LIMITS, exportFormat, type FileImport, StixService } from '../feeds/index.js';
import { parseTlp } from '../intel/index.js';
import { readBoundedFile } from './_files.js';
import { actingUser, type DataFlags, operator, withIntel } from './_intel.js';
import { dbOption } from './_options.js';
import { fmtInt, printJson } from './_output.js';

interface ExportFlags extends DataFlags {
  format: string;
  audience?: string;
  out?: string;
}

interface ImportFlags extends DataFlags {
  org?: string;
  source?: string;
  tlp?: string;
  as?: string;
  maxBytes?: string;
}

/** How many rejections and skips a summary lists (all of them with --json). */
const SHOWN = 10;

function summary(r: FileImport): string {
  const c = r.counts;
  const lines = [
    `${r.file}: ${fmtInt(r.objects)} objects — ${c.reports} reports, ${c.campaigns} campaigns, ${c.indicators} indicators imported; ${c.unchanged} already held, ${c.updated} updated, ${r.skipped.length} skipped, ${r.rejected.length} rejected`,
  ];
  for (const x of r.rejected.slice(0, SHOWN))
    lines.push(`  rejected #${x.index} ${x.id ?? '(no id)'}: ${x.reason}`);
  if (r.rejected.length > SHOWN)
    lines.push(`  … ${r.rejected.length - SHOWN} more rejected (--json lists all)`);
  for (const x of r.skipped.slice(0, SHOWN)) lines.push(`  skipped ${x.id}: ${x.reason}`);
  if (r.skipped.length > SHOWN) lines.push(`  … ${r.skipped.length - SHOWN} more skipped (--json lists all)`);
  return lines.join('\n');
}

export function registerIntelShare(intel: Command): void {
  intel
    .command('export')
    .description('what an audience may see, as a STIX 2.1 bundle (docs/sharing.md)')
    .requiredOption('--format <format>', 'stix (misp-feed, text, csv, suricata and rpz: not yet)')
    .option(
      '--audience <audience>',
      'public, members, council, org:NAME or sector:NAME (default: everything, as the operator)',
    )
    .option('--out <path>', 'write the bundle here (default: standard output)')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .action(async (flags: ExportFlags) => {
      exportFormat(flags.format);
      const bundle = await withIntel(flags, (svc) =>
        new StixService(svc).exportBundle(operator(), flags.audience),
      );
      const text = `${JSON.stringify(bundle, null, 2)}\n`;
      if (flags.out === undefined) {
        process.stdout.write(text);
        return;
      }
      await writeFile(flags.out, text, { mode: 0o600 });
      process.stderr.write(`${flags.out}: ${fmtInt(bundle.objects.length)} objects (${bundle.id})\n`);
    });

  intel
    .command('import')
    .description('STIX 2.1 bundles in: reports, campaigns and indicators, object by object')
    .argument('<files...>', 'bundle files (JSON)')
    .option('--org <name>', 'the organisation the objects come from (default: the center, or --as’s)')
    .option('--source <name>', 'the source named on each report (default: the bundle’s producer)')
    .option('--tlp <label>', 'label of objects without a TLP marking', 'AMBER')
    .option('--as <email>', 'import as this user (TLP:RED objects stay with them)')
    .option('--max-bytes <n>', 'refuse bundles larger than this', String(DEFAULT_STIX_LIMITS.maxBundleBytes))
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print one JSON document')
    .action(async (files: string[], flags: ImportFlags) => {
      const maxBundleBytes = Number(flags.maxBytes);
      if (!Number.isInteger(maxBundleBytes) || maxBundleBytes <= 0)
        throw new KobanError('E_USAGE', `--max-bytes must be a positive integer, not "${flags.maxBytes}"`);
      const defaultTlp = parseTlp(flags.tlp ?? 'AMBER');
      const results: (FileImport | { file: string; error: string; code: string })[] = [];
      await withIntel(flags, async (svc) => {
        const actor = flags.as ? await actingUser(svc, flags.as) : operator();
        const stix = new StixService(svc, { maxBundleBytes });
        for (const file of files) {
          try {
            const text = (await readBoundedFile(file, maxBundleBytes)).toString('utf8');
            results.push(
              await stix.importText(actor, text, file, { org: flags.org, source: flags.source, defaultTlp }),
            );
          } catch (e) {
            // One bad file does not stop the others; it is reported and the command fails at the end.
            if (!(e instanceof KobanError) || e.code === 'E_INTERNAL') throw e;
            results.push({ file, error: e.message, code: e.code });
          }
        }
      });
      if (flags.json) printJson({ files: results });
      else
        process.stdout.write(
          `${results.map((r) => ('error' in r ? `${r.file}: ${r.error}` : summary(r))).join('\n')}\n`,
        );
      const failed = results.find((r) => 'error' in r);
      if (failed && 'error' in failed)
        throw new KobanError(
          failed.code as KobanError['code'],
          `${results.filter((r) => 'error' in r).length} of ${files.length} files not imported`,
        );
    });
}
