/**
 * `koban alerts [--open] [--json]`, `koban alerts show ID`, `koban alerts ack ID`, `koban alerts close ID`,
 * `koban alerts close-ended`.
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { KobanError } from '../core/index.js';
import { AlertStore, alertDocument, episodeState, type OperatorAlert } from '../detect/index.js';
import { dbOption, type StoreFlags } from './_options.js';
import { printJson, table } from './_output.js';
import { withRelational } from './_stores.js';

interface Flags extends StoreFlags {
  json?: boolean;
  open?: boolean;
  kind?: string;
}

const withAlerts = <T>(flags: Flags, fn: (a: AlertStore) => Promise<T>): Promise<T> =>
  withRelational(flags, (db) => fn(new AlertStore(db)));

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
    .option('--json', 'print one JSON document')
    .action(async (flags: Flags) => {
      const list = await withAlerts(flags, (a) =>
        a.list({ status: flags.open ? ['open', 'acknowledged'] : undefined, kind: flags.kind }),
      );
      if (flags.json) printJson({ alerts: list.map(alertJson) });
      else if (list.length === 0) process.stdout.write('no alerts\n');
      else {
        process.stdout.write(
          `${table(
            ['id', 'status', 'episode', 'severity', 'kind', 'last', 'title'],
            list.map((a) => [
              a.id,
              a.status,
              episodeState(a),
              a.severity,
              a.kind,
              new Date(a.lastMs).toISOString(),
              a.title,
            ]),
          )}\n`,
        );
      }
    });
  alerts
    .command('show')
    .description('one alert with its evidence (counts, series, top sources, countries, sensors)')
    .argument('<id>', 'alert id')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print the alert as JSON')
    .action(async (id: string, _flags: Flags, cmd: Command) => {
      // The parent command also takes --data and --json: commander hands them to it.
      const flags = cmd.optsWithGlobals<Flags>();
      const a = await withAlerts(flags, (s) => s.get(parseId(id)));
      if (!a) throw new KobanError('E_NOT_FOUND', `no alert ${id}`);
      if (flags.json) printJson(alertJson(a));
      else process.stdout.write(`${renderAlert(a)}\n`);
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

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

const isRecordList = (v: Json): v is { [k: string]: Json }[] =>
  Array.isArray(v) &&
  v.length > 0 &&
  v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x));

const cell = (v: Json | undefined): string | number | null =>
  v === undefined || v === null
    ? null
    : typeof v === 'number' || typeof v === 'string'
      ? v
      : JSON.stringify(v);

/** The alert as text: its header, then each evidence field — lists of records as tables. */
export function renderAlert(a: OperatorAlert): string {
  const j = alertJson(a);
  const out = [
    `alert ${j.id}  ${j.kind}  ${j.severity}  ${j.status}${j.episode === '-' ? '' : `  (episode ${j.episode})`}`,
    j.title,
    `first ${j.first}   last ${j.last}`,
  ];
  if (j.acked_by) out.push(`acknowledged by ${j.acked_by} at ${j.acked}`);
  if (j.closed_by) out.push(`closed by ${j.closed_by} at ${j.closed}`);
  const tables: string[] = [];
  for (const [key, value] of Object.entries(a.evidence as Record<string, Json>)) {
    if (isRecordList(value)) {
      const headers = [...new Set(value.flatMap((r) => Object.keys(r)))];
      const rows = value.slice(0, 48).map((r) => headers.map((h) => cell(r[h])));
      tables.push(`${key}:\n${table(headers, rows)}`);
    } else if (value !== null && typeof value === 'object') {
      out.push(`${key}: ${JSON.stringify(value)}`);
    } else out.push(`${key}: ${value === null ? '-' : String(value)}`);
  }
  return [...out, ...tables].join('\n');
}
