/**
 * `koban recorder timeline DIR [--from] [--to] [--remote ADDR] [--process NAME] [--indicators FILE]
 * [--center URL --token T] [--anonymizer] [--json]`: which process talked to which address when,
 * from a recorder directory, with remote addresses marked as C2 indicators or anonymizers
 * (docs/recorder-format.md#timeline).
 */
import type { Command } from 'commander';
import { KobanError } from '../core/index.js';
import {
  type AddressMarker,
  buildTimeline,
  type CenterAccess,
  indicatorMarker,
  markTimeline,
  readChain,
  type TimelineEntry,
} from '../recorder/index.js';
import { dbOption, type StoreFlags } from './_options.js';
import { printJson } from './_output.js';
import {
  anonymizerMarker,
  centerAnonymizer,
  centerIndicators,
  indicatorsFromFile,
} from './_recorder-marks.js';

interface TimelineFlags extends StoreFlags {
  from?: string;
  to?: string;
  remote?: string;
  process?: string;
  indicators?: string[];
  center?: string;
  token?: string;
  anonymizer?: boolean;
  json?: boolean;
}

function whenMs(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new KobanError('E_USAGE', `--${what}: not a date: ${text}`);
  return ms;
}

/** The local anonymizer database, opened only when asked for (it needs the center's store). */
async function localAnonymizer(
  flags: StoreFlags,
  refused: string[],
  run: (m: AddressMarker) => Promise<void>,
) {
  const [{ withRelational }, { AnonymizerService }] = await Promise.all([
    import('./_stores.js'),
    import('../anon/index.js'),
  ]);
  await withRelational(flags, async (db, target) => {
    const s = await AnonymizerService.open(db, { staleHours: target.config.anonymizer.staleHours });
    await run(anonymizerMarker(async (ip, atMs) => s.check(ip, { atMs }), refused));
  });
}

function entryLine(e: TimelineEntry): string {
  const p = e.process;
  const who =
    p === null
      ? 'no visible process'
      : `pid ${p.pid} ${p.exe ?? p.cmdline[0] ?? '?'}` +
        (p.exeSha256 ? ` sha256 ${p.exeSha256.slice(0, 16)}…` : '') +
        ` user ${p.user ?? (p.uid === null ? '?' : `uid ${p.uid}`)}` +
        (p.cmdline.length > 0 ? ` [${p.cmdline.join(' ')}]` : '');
  const arrow = e.direction === 'in' ? '←' : '→';
  const marks = e.marks.map((m) => `\n    ! ${m.kind} (${m.source}): ${m.detail}`).join('');
  return `${e.time} ${e.proto} ${e.direction} ${e.localAddr}:${e.localPort} ${arrow} ${e.remoteAddr}:${e.remotePort} ${e.state}  ${who}${marks}`;
}

async function timeline(dir: string, flags: TimelineFlags): Promise<void> {
  const token = flags.token ?? process.env.KOBAN_TOKEN;
  if (flags.center !== undefined && token === undefined)
    throw new KobanError('E_USAGE', '--center needs --token (or KOBAN_TOKEN)');
  const chain = readChain(dir);
  const entries = buildTimeline(chain.records, {
    fromMs: whenMs(flags.from, 'from'),
    toMs: whenMs(flags.to, 'to'),
    remote: flags.remote,
    process: flags.process,
  });
  const notes: string[] = chain.rejected.map((w) => `${w}: not a record of the format (skipped)`);
  const markers: AddressMarker[] = [];
  for (const file of flags.indicators ?? []) {
    const parsed = indicatorsFromFile(file);
    for (const r of parsed.rejected) notes.push(`${file}: entry ${r.line}: ${r.reason}`);
    markers.push(indicatorMarker('indicators', parsed.indicators));
  }
  const refused: string[] = [];
  const center: CenterAccess | null = flags.center && token ? { center: flags.center, token } : null;
  if (center) {
    const parsed = await centerIndicators(center);
    for (const r of parsed.rejected) notes.push(`center export: object ${r.line}: ${r.reason}`);
    markers.push(indicatorMarker('center', parsed.indicators));
    markers.push(anonymizerMarker(centerAnonymizer(center), refused));
  }
  if (flags.anonymizer) await localAnonymizer(flags, refused, (m) => markTimeline(entries, [...markers, m]));
  else await markTimeline(entries, markers);
  for (const r of refused) notes.push(`anonymizer: no answer for ${r}`);
  if (flags.json) printJson({ entries, notes });
  else {
    for (const e of entries) console.log(entryLine(e));
    console.log(
      `${entries.length} connection(s); ${entries.filter((e) => e.marks.length > 0).length} marked`,
    );
    for (const n of notes) console.log(`note: ${n}`);
  }
}

export function registerTimeline(recorder: Command): void {
  recorder
    .command('timeline <dir>')
    .description('which process talked to which address when, with C2 and anonymizer marks')
    .option('--from <date>', 'from this time (ISO 8601)')
    .option('--to <date>', 'up to this time (ISO 8601)')
    .option('--remote <addr>', 'only this remote address or CIDR block')
    .option('--process <name>', 'only processes whose executable or command contains this (any case)')
    .option(
      '--indicators <file>',
      'mark addresses of a STIX bundle (koban intel export --format stix) or a text list (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      '--center <url>',
      "mark with the center's indicators your organisation may see and its anonymizer check",
    )
    .option('--token <token>', 'an API token of your organisation (with --center; or KOBAN_TOKEN)')
    .option('--anonymizer', "mark anonymizers from this machine's center data directory (--data, --db)")
    .option('--data <dir>', 'data directory (with --anonymizer)')
    .addOption(dbOption())
    .option('--json', 'the entries as JSON')
    .action(timeline);
}
