/**
 * `koban alerts [--open] [--kind K] [--limit N] [--cursor C] [--json]` (most severe first, then most
 * recent, with counts per severity and kind), `koban alerts show ID` (a readable report,
 * alert-report.ts), `koban alerts ack ID`, `koban alerts close ID`, `koban alerts close-ended`.
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { formatUtcOffset, KobanError, parseUtcOffset } from '../core/index.js';
import {
  type AlertCounts,
  AlertStore,
  alertDocument,
  episodeState,
  type OperatorAlert,
  SEVERITIES,
} from '../detect/index.js';
import { openEnricher } from '../observe/index.js';
import { dbOption, type StoreFlags } from './_options.js';
import { printJson, table } from './_output.js';
import { type StoreTarget, withRelational } from './_stores.js';
import { addressesToEnrich, humanTime, renderAlertReport } from './alert-report.js';

interface Flags extends StoreFlags {
  json?: boolean;
  open?: boolean;
  kind?: string;
  limit?: string;
  cursor?: string;
}

const withAlerts = <T>(flags: Flags, fn: (a: AlertStore, target: StoreTarget) => Promise<T>): Promise<T> =>
  withRelational(flags, (db, target) => fn(new AlertStore(db), target));

/** The alert as JSON: the same document as the API and the notifications. */
export const alertJson = alertDocument;

function parseId(s: string): number {
  if (!/^\d+$/.test(s)) throw new KobanError('E_USAGE', `alert id must be a number, not "${s}"`);
  return Number(s);
}

const who = () => process.env.KOBAN_OPERATOR ?? userInfo().username;

export function registerAlerts(program: Command): void {
  const alerts = program
    .command('alerts')
    .description('operator alerts (sensor health, detectors); ack and close them')
    .option('--open', 'only open and acknowledged alerts')
    .option('--kind <kind>', 'only this kind (e.g. sensor-silent)')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--limit <n>', 'alerts per page (1–1000)', '100')
    .option('--cursor <c>', 'the next page: the cursor the previous one printed')
    .option('--json', 'print one JSON document { alerts, counts, nextCursor }')
    .action(async (flags: Flags) => {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new KobanError(
          'E_USAGE',
          `--limit must be a whole number from 1 to 1000, not "${flags.limit}"`,
        );
      const filter = {
        status: flags.open ? (['open', 'acknowledged'] as const) : undefined,
        kind: flags.kind,
      };
      const { page, counts, offset } = await withAlerts(flags, async (a, target) => ({
        page: await a.page({ ...filter, limit, cursor: flags.cursor }),
        counts: await a.counts(filter),
        offset: parseUtcOffset(target.config.utcOffset),
      }));
      if (flags.json) printJson({ alerts: page.alerts.map(alertJson), counts, nextCursor: page.nextCursor });
      else process.stdout.write(`${renderList(page.alerts, counts, page.nextCursor, offset)}\n`);
    });
  alerts
    .command('show')
    .description(
      'one alert as a report: what, when, what was seen, top sources with country and AS, next steps',
    )
    .argument('<id>', 'alert id')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print the alert as JSON')
    .action(async (id: string, _flags: Flags, cmd: Command) => {
      // The parent command also takes --data and --json: commander hands them to it.
      const flags = cmd.optsWithGlobals<Flags>();
      const { a, target } = await withAlerts(flags, async (s, target) => ({
        a: await s.get(parseId(id)),
        target,
      }));
      if (!a) throw new KobanError('E_NOT_FOUND', `no alert ${id}`);
      if (flags.json) {
        printJson(alertJson(a));
        return;
      }
      // The geo databases are read only when a source lacks its country or AS.
      const enricher = addressesToEnrich(a).length > 0 ? await openEnricher(target.config) : null;
      const lookup = enricher ? (address: string) => enricher.lookup(address) : undefined;
      const offsetMinutes = parseUtcOffset(target.config.utcOffset);
      process.stdout.write(`${renderAlertReport(a, { offsetMinutes, lookup })}\n`);
    });
  alerts
    .command('close-ended')
    .description('close every open or acknowledged alert whose episode has ended')
    .option('--kind <kind>', 'only this kind (e.g. scan)')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print the closed alerts as JSON')
    .action(async (_flags: Flags, cmd: Command) => {
      const flags = cmd.optsWithGlobals<Flags>();
      const closed = await withAlerts(flags, (s) =>
        s.closeEnded({ by: who(), ...(flags.kind ? { kind: flags.kind } : {}) }),
      );
      if (flags.json) printJson({ closed: closed.map(alertJson) });
      else
        process.stdout.write(`${closed.length} alert${closed.length === 1 ? '' : 's'} closed by ${who()}\n`);
    });
  for (const [verb, desc] of [
    ['ack', 'acknowledge an alert (records who and when)'],
    ['close', 'close an alert (records who and when)'],
  ] as const) {
    alerts
      .command(verb)
      .description(desc)
      .argument('<id>', 'alert id')
      .option('--data <dir>', 'data directory')
      .addOption(dbOption())
      .option('--json', 'print the alert as JSON')
      .action(async (id: string, _flags: Flags, cmd: Command) => {
        const flags = cmd.optsWithGlobals<Flags>();
        const a = await withAlerts(flags, (s) =>
          verb === 'ack' ? s.acknowledge(parseId(id), who()) : s.close(parseId(id), who()),
        );
        if (flags.json) printJson(alertJson(a));
        else
          process.stdout.write(`alert ${a.id} ${a.status} by ${verb === 'ack' ? a.ackedBy : a.closedBy}\n`);
      });
  }
}

/** The list as text: the counts, one line per alert, and how to get the next page. */
export function renderList(
  alerts: readonly OperatorAlert[],
  counts: AlertCounts,
  nextCursor: string | null,
  offsetMinutes: number,
): string {
  if (counts.total === 0) return 'no alerts';
  const bySeverity = [...SEVERITIES]
    .reverse()
    .filter((s) => counts.severity[s] > 0)
    .map((s) => `${counts.severity[s]} ${s}`);
  const byKind = Object.entries(counts.kind).map(([k, n]) => `${k} ${n}`);
  const out = [
    `${counts.total} alert${counts.total === 1 ? '' : 's'}: ${bySeverity.join(', ')}`,
    `by kind: ${byKind.join(', ')}`,
    '',
    table(
      [
        'id',
        'severity',
        'kind',
        'status',
        'episode',
        `last seen (UTC${formatUtcOffset(offsetMinutes)})`,
        'title',
      ],
      alerts.map((a) => [
        a.id,
        a.severity,
        a.kind,
        a.status,
        episodeState(a),
        humanTime(a.lastMs, offsetMinutes),
        a.title,
      ]),
    ),
  ];
  if (nextCursor !== null) out.push(`more: koban alerts --cursor ${nextCursor} (same filters)`);
  return out.join('\n');
}
