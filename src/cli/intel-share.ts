/**
 * `koban intel export --format stix|misp-feed|text|csv|suricata|rpz [--audience A] [--out PATH]` —
 * what an audience may see as a STIX 2.1 bundle, a MISP feed directory, or the C2 destinations as
 * a blocklist (docs/sharing.md); `koban intel import PATH…` — STIX 2.1 bundles, MISP events, MISP
 * feed directories (or their manifest.json) and MISP warninglists in, detected by their shape.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { KobanError } from '../core/index.js';
import {
  BLOCKLIST_FORMATS,
  type BlocklistFormat,
  BlocklistService,
  DEFAULT_STIX_LIMITS,
  EXPORT_FORMATS,
  exportFormat,
  MispService,
  type SharingImport,
  SharingImporter,
  StixService,
} from '../feeds/index.js';
import { type IntelService, parseTlp } from '../intel/index.js';
import { actingUser, type DataFlags, operator, withIntel } from './_intel.js';
import { dbOption } from './_options.js';
import { fmtInt, printJson } from './_output.js';
import { importSummary } from './intel-share-summary.js';

interface ExportFlags extends DataFlags {
  format: string;
  audience?: string;
  out?: string;
  since?: string;
}

interface ImportFlags extends DataFlags {
  org?: string;
  source?: string;
  tlp?: string;
  as?: string;
  maxBytes?: string;
}

/** `--since`: an ISO 8601 time or seconds since the epoch. */
export function parseSince(s: string): number {
  const ms = /^\d+$/.test(s) ? Number(s) * 1000 : Date.parse(s);
  if (!Number.isFinite(ms))
    throw new KobanError('E_USAGE', `--since must be an ISO 8601 time or epoch seconds, not "${s}"`);
  return ms;
}

async function exportText(svc: IntelService, flags: ExportFlags): Promise<{ text: string; note: string }> {
  const f = exportFormat(flags.format);
  if (f === 'stix') {
    const bundle = await new StixService(svc).exportBundle(operator(), flags.audience);
    return {
      text: `${JSON.stringify(bundle, null, 2)}\n`,
      note: `${fmtInt(bundle.objects.length)} objects (${bundle.id})`,
    };
  }
  const list = await new BlocklistService(svc).render(operator(), f as BlocklistFormat, {
    audience: flags.audience,
    sinceMs: flags.since === undefined ? undefined : parseSince(flags.since),
  });
  return { text: list.body, note: `${fmtInt(list.entries)} C2 destinations listed (ETag ${list.etag})` };
}

export function registerIntelShare(intel: Command): void {
  intel
    .command('export')
    .description(
      'what an audience may see: a STIX 2.1 bundle, a MISP feed, or a C2 blocklist (docs/sharing.md)',
    )
    .requiredOption('--format <format>', EXPORT_FORMATS.join(', '))
    .option(
      '--audience <audience>',
      'public, members, council, org:NAME or sector:NAME (default: everything, as the operator)',
    )
    .option('--out <path>', 'write here (default: standard output); misp-feed: a directory, made if absent')
    .option(
      '--since <time>',
      `${BLOCKLIST_FORMATS.filter((f) => f !== 'rpz').join(', ')}: only what changed after this time`,
    )
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .action(async (flags: ExportFlags) => {
      if (exportFormat(flags.format) === 'misp-feed') {
        if (flags.out === undefined)
          throw new KobanError('E_USAGE', 'a MISP feed is a directory: name it with --out DIR');
        const out = flags.out;
        await mkdir(out, { recursive: true, mode: 0o755 });
        const n = await withIntel(flags, async (svc) =>
          MispService.writeFeed(out, await new MispService(svc).exportFeed(operator(), flags.audience)),
        );
        process.stderr.write(`${out}: ${fmtInt(n)} MISP events (manifest.json, hashes.csv)\n`);
        return;
      }
      const { text, note } = await withIntel(flags, (svc) => exportText(svc, flags));
      if (flags.out === undefined) {
        process.stdout.write(text);
        return;
      }
      await writeFile(flags.out, text, { mode: 0o600 });
      process.stderr.write(`${flags.out}: ${note}\n`);
    });

  intel
    .command('import')
    .description('STIX 2.1 bundles, MISP events, feeds and warninglists in, object by object')
    .argument(
      '<files...>',
      'bundle or event files (JSON), MISP feed directories, warninglist list.json files',
    )
    .option('--org <name>', 'the organisation the objects come from (default: the center, or --as’s)')
    .option('--source <name>', 'the source named on each report (default: the producer or event creator)')
    .option('--tlp <label>', 'label of objects without a TLP marking', 'AMBER')
    .option('--as <email>', 'import as this user (TLP:RED objects stay with them)')
    .option('--max-bytes <n>', 'refuse files larger than this', String(DEFAULT_STIX_LIMITS.maxBundleBytes))
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print one JSON document')
    .action(async (files: string[], flags: ImportFlags) => {
      const maxBundleBytes = Number(flags.maxBytes);
      if (!Number.isInteger(maxBundleBytes) || maxBundleBytes <= 0)
        throw new KobanError('E_USAGE', `--max-bytes must be a positive integer, not "${flags.maxBytes}"`);
      const defaultTlp = parseTlp(flags.tlp ?? 'AMBER');
      const results: (SharingImport | { file: string; error: string; code: string })[] = [];
      await withIntel(flags, async (svc) => {
        const actor = flags.as ? await actingUser(svc, flags.as) : operator();
        const importer = new SharingImporter(svc);
        for (const file of files) {
          try {
            results.push(
              await importer.importPath(actor, file, {
                org: flags.org,
                source: flags.source,
                defaultTlp,
                maxBytes: maxBundleBytes,
              }),
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
          `${results.map((r) => ('error' in r ? `${r.file}: ${r.error}` : importSummary(r))).join('\n')}\n`,
        );
      const failed = results.find((r) => 'error' in r);
      if (failed && 'error' in failed)
        throw new KobanError(
          failed.code as KobanError['code'],
          `${results.filter((r) => 'error' in r).length} of ${files.length} files not imported`,
        );
    });
}
