/**
 * `koban import FILE…` — parse, enrich and store firewall, IDS and darknet files; then learn each
 * sensor's monitored space from the destinations the new events were addressed to (a simulated
 * set's manifest gives its sensors' blocks instead), remembered in the relational store for
 * `koban detect` and the center (observe's monitored-space.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ERROR_CODES, fileErrorText, KobanError } from '../core/index.js';
import type { RelationalDb } from '../db/index.js';
import { pruneKeptData } from '../detect/index.js';
import {
  applyRetention,
  type FileImportResult,
  type ImportSummary,
  importFiles,
  type LearnResult,
  MonitoredSpace,
  openEnricher,
  openObservatory,
  type RetentionResult,
  summariseImports,
} from '../observe/index.js';
import { FORMAT_NAMES, type FormatName, isCalendarDate } from '../parse/index.js';
import { readManifest } from '../sim/index.js';
import { dbOption, eventsOption, type StoreFlags } from './_options.js';
import { fmtInt, printJson, progress } from './_output.js';
import { openRelationalStore, storeTarget } from './_stores.js';

interface ImportFlags extends StoreFlags {
  format: string;
  sensor?: string;
  date?: string;
  json?: boolean;
  history?: boolean;
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('import firewall logs, IDS alerts or packet captures (gzip is read transparently)')
    .argument(
      '<files...>',
      'files to import (- reads standard input; a koban simulate directory imports all its files)',
    )
    .option('--format <name>', `auto, or one of ${FORMAT_NAMES.join(', ')}`, 'auto')
    .option('--sensor <name>', 'sensor name for every event (default: the record’s host, else the file name)')
    .option(
      '--date <YYYY-MM-DD>',
      'local date of timestamps that are only a time of day (tcpdump’s default stamp in pf logs)',
    )
    .option(
      '--history',
      'old data: count retention back from the newest imported data, not from now (retentionFrom: newest-event)',
    )
    .option('--data <dir>', 'data directory (default $KOBAN_DATA or ./koban-data)')
    .addOption(dbOption())
    .addOption(eventsOption())
    .option('--json', 'print one JSON document')
    .action(runImport);
}

type Failure = { file: string; error: string };

async function runImport(files: string[], flags: ImportFlags): Promise<void> {
  const format = flags.format;
  if (format !== 'auto' && !(FORMAT_NAMES as readonly string[]).includes(format)) {
    throw new KobanError('E_USAGE', `unknown format "${format}" (auto, ${FORMAT_NAMES.join(', ')})`);
  }
  if (flags.date !== undefined && !isCalendarDate(flags.date)) {
    throw new KobanError('E_USAGE', `--date ${flags.date}: not a calendar date YYYY-MM-DD`);
  }
  const { summary, retention, failures, space } = await importInto(files, flags);
  if (flags.json)
    printJson({ ...importJson(summary, retention, failures), monitored_space: spaceJson(space) });
  else printHuman(summary, failures, retention, spaceLine(space));
  // A file that yielded no valid record at all is most likely not what --format says it is.
  const invalid = summary.files.filter((f) => f.rejected > 0 && f.stored === 0 && f.duplicates === 0);
  for (const f of invalid)
    process.stderr.write(
      `koban: ${f.file}: no valid record (${fmtInt(f.rejected)} rejected as ${f.format}; check the file and --format)\n`,
    );
  if (failures.length > 0) process.exitCode = 1;
  else if (invalid.length > 0) process.exitCode = ERROR_CODES.E_FORMAT;
}

/** What the import taught the monitored space: sensors given blocks by a manifest, blocks learned. */
interface SpaceUpdate {
  readonly given: readonly string[];
  readonly learned: LearnResult;
}

/**
 * Imports each input in turn (a file that fails is reported, the others still go in), then
 * retention, then the monitored space from the new events. The relational store is opened (and
 * created) first: a `--db` it cannot reach stops the import before anything is stored.
 */
async function importInto(
  files: readonly string[],
  flags: ImportFlags,
): Promise<{ summary: ImportSummary; retention: RetentionResult; failures: Failure[]; space: SpaceUpdate }> {
  const target = storeTarget(flags);
  const obs = await openObservatory(flags.data, { events: flags.events });
  const failures: Failure[] = [];
  let db: RelationalDb | null = null;
  try {
    db = await openRelationalStore(target, { create: true });
    const before = await obs.store.latestBatch();
    const enricher = await openEnricher(obs.config);
    const bar = progress();
    const results: FileImportResult[] = [];
    const inputs = expandInputs(files, flags.sensor);
    for (const { file, sensor } of inputs) {
      try {
        const s = await importFiles(obs.store, enricher, [file], {
          format: flags.format as FormatName | 'auto',
          sensor,
          date: flags.date,
          config: obs.config,
          onProgress: (p) => bar.update(p.bytesRead, p.totalBytes, `${p.file}: ${fmtInt(p.stored)} events`),
        });
        results.push(...s.files);
      } catch (e) {
        if (e instanceof KobanError) failures.push({ file, error: e.message });
        else if (e instanceof Error && 'code' in e)
          failures.push({ file, error: `${file}: ${fileErrorText(e)}` });
        else throw e;
      }
    }
    bar.stop();
    const space = new MonitoredSpace(db);
    const given = Object.fromEntries(inputs.flatMap((i) => (i.blocks ? [[i.sensor!, i.blocks]] : [])));
    await space.give(given);
    const learned = await space.learnFrom(obs.store, {
      afterBatch: before,
      upToBatch: await obs.store.latestBatch(),
    });
    const retention = await applyRetention(obs.store, obs.config, {
      from: flags.history ? 'newest-event' : undefined,
      sinceBatch: before,
    });
    // The scanner list and backscatter statistics go with the raw events they came from.
    if (retention.cutoffMs !== null) await pruneKeptData(db, retention.cutoffMs);
    return {
      summary: summariseImports(results),
      retention,
      failures,
      space: { given: Object.keys(given).sort(), learned },
    };
  } finally {
    await db?.destroy();
    await obs.close();
  }
}

function spaceJson(s: SpaceUpdate) {
  return { given: s.given, learned: s.learned.added, widened: s.learned.updated, ignored: s.learned.ignored };
}

function spaceLine(s: SpaceUpdate): string {
  const given =
    s.given.length > 0 ? `blocks given by the manifest for ${fmtInt(s.given.length)} sensors; ` : '';
  const n = s.learned.added;
  return (
    `monitored space: ${given}${fmtInt(n)} new ${n === 1 ? 'block' : 'blocks'} learned from destinations, ` +
    `${fmtInt(s.learned.updated)} updated (koban sensor blocks)`
  );
}

function importJson(summary: ImportSummary, retention: RetentionResult, failures: readonly Failure[]) {
  return {
    read: summary.read,
    stored: summary.stored,
    kept: summary.stored - retention.deletedSince,
    retention: retentionJson(retention),
    duplicates: summary.duplicates,
    rejected: summary.rejected,
    skipped: summary.skipped,
    rejections: summary.rejections,
    files: summary.files.map((f) => ({
      file: f.file,
      format: f.format,
      status: f.status,
      read: f.read,
      stored: f.stored,
      duplicates: f.duplicates,
      rejected: f.rejected,
      rejected_by_reason: f.rejectedByReason,
      skipped: f.skipped,
      notes: f.notes,
    })),
    errors: failures,
  };
}

function retentionJson(r: RetentionResult) {
  return {
    from: r.from,
    cutoff: r.cutoffMs === null ? null : new Date(r.cutoffMs).toISOString(),
    removed: r.deletedSince,
    removed_older: r.deleted - r.deletedSince,
  };
}

/** What retention did in this run, in words; empty when it removed nothing. */
function retentionLines(s: ImportSummary, r: RetentionResult): string[] {
  if (r.cutoffMs === null || r.deleted === 0) return [];
  const cutoff = new Date(r.cutoffMs).toISOString();
  const basis = r.from === 'wall-clock' ? 'now' : 'the newest data';
  const out: string[] = [];
  if (r.deletedSince > 0)
    out.push(
      `retention: ${fmtInt(r.deletedSince)} of the ${fmtInt(s.stored)} events stored are older than ${cutoff} ` +
        `(retentionDays before ${basis}) and were removed as raw events (hourly totals keep them); ` +
        `${fmtInt(s.stored - r.deletedSince)} kept` +
        (r.from === 'wall-clock' ? ' (import history with --history to keep it)' : ''),
    );
  if (r.deleted > r.deletedSince)
    out.push(`retention: ${fmtInt(r.deleted - r.deletedSince)} older raw events removed (before ${cutoff})`);
  return out;
}

/**
 * A directory written by `koban simulate` (it has a manifest.json) stands for all its files, each
 * with the sensor and the address blocks the manifest names; anything else is a file.
 */
function expandInputs(
  files: readonly string[],
  sensor: string | undefined,
): { file: string; sensor?: string; blocks?: readonly string[] }[] {
  const out: { file: string; sensor?: string; blocks?: readonly string[] }[] = [];
  for (const f of files) {
    if (f !== '-' && existsSync(join(f, 'manifest.json')) && statSync(f).isDirectory()) {
      for (const s of readManifest(f).sensors) {
        for (const file of s.files)
          out.push({
            file: join(f, file.path),
            sensor: sensor ?? s.name,
            ...(sensor === undefined ? { blocks: s.blocks } : {}),
          });
      }
    } else out.push({ file: f, ...(sensor !== undefined ? { sensor } : {}) });
  }
  return out;
}

function printHuman(
  s: ImportSummary,
  failures: readonly Failure[],
  retention: RetentionResult,
  space: string,
): void {
  const out: string[] = [];
  for (const f of s.files) {
    const status = f.status === 'new' ? '' : `, ${f.status}`;
    out.push(
      `${f.file} (${f.format}${status}): ${fmtInt(f.read)} read, ${fmtInt(f.stored)} stored, ` +
        `${fmtInt(f.duplicates)} duplicates, ${fmtInt(f.rejected)} rejected`,
    );
    for (const [reason, n] of Object.entries(f.rejectedByReason).sort((a, b) => b[1] - a[1])) {
      const lines = f.rejections.filter((r) => r.reason === reason).map((r) => r.line);
      const where = f.format === 'pcap' ? 'packet' : 'line';
      const shown = lines.slice(0, 5).join(', ');
      const more = n > Math.min(lines.length, 5) ? ', …' : '';
      out.push(`  rejected ${fmtInt(n)}: ${reason}${lines.length ? ` (${where} ${shown}${more})` : ''}`);
    }
    for (const [reason, n] of Object.entries(f.skipped).sort((a, b) => b[1] - a[1])) {
      out.push(`  skipped ${fmtInt(n)}: ${reason}`);
    }
    for (const [note, n] of Object.entries(f.notes).sort((a, b) => b[1] - a[1])) {
      out.push(`  note ${fmtInt(n)}: ${note}`);
    }
  }
  for (const f of failures) out.push(`FAILED: ${f.error}`);
  out.push(space);
  const kept = retention.deletedSince > 0 ? ` (${fmtInt(s.stored - retention.deletedSince)} kept)` : '';
  out.push(
    `total: ${fmtInt(s.read)} records read, ${fmtInt(s.stored)} events stored${kept}, ${fmtInt(s.duplicates)} duplicates, ` +
      `${fmtInt(s.rejected)} rejected, ${fmtInt(s.skipped)} skipped`,
    ...retentionLines(s, retention),
  );
  process.stdout.write(`${out.join('\n')}\n`);
}
