/** `koban stats VIEW` — the fixed-point observation views (the annual report §2, docs/background.md#observation). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  EVENT_KINDS,
  type EventKind,
  isBucket,
  isKobanError,
  KobanError,
  type Protocol,
  parseDateArg,
  parseUtcOffset,
  resolveDataDir,
} from '../core/index.js';
import {
  isViewName,
  openObservatory,
  runView,
  VIEW_NAMES,
  type ViewResult,
  type ViewRow,
} from '../observe/index.js';
import { checkDbFlag, dbOption, eventsOption, type StoreFlags } from './_options.js';
import { fmtShare, printJson, table } from './_output.js';

interface StatsFlags extends StoreFlags {
  from?: string;
  to?: string;
  bucket?: string;
  json?: boolean;
  proto?: string;
  port?: string;
  top?: string;
  kind?: string;
  sensor?: string;
  tz?: string;
  domestic?: string;
}

export function registerStats(program: Command): void {
  program
    .command('stats')
    .description(`observation views: ${VIEW_NAMES.join(', ')}`)
    .argument('<view>', 'which view')
    .option('--from <date>', 'start (inclusive), YYYY-MM-DD or ISO 8601; in the operator offset')
    .option('--to <date>', 'end (exclusive)')
    .option('--bucket <size>', 'hour, day, week or month')
    .option('--proto <proto>', 'ports: tcp or udp', 'tcp')
    .option('--port <port/proto>', 'port-series: e.g. 139/tcp')
    .option('--top <n>', 'rows kept in rankings (0 = all)')
    .option('--kind <kinds>', `comma-separated event kinds counted (${EVENT_KINDS.join(', ')})`)
    .option('--sensor <name>', 'only this sensor')
    .option('--tz <offset>', 'UTC offset for buckets and dates, e.g. +09:00 (default: configuration)')
    .option('--domestic <cc>', 'country counted as domestic (default: configuration, JP)')
    .option('--data <dir>', 'data directory (default $KOBAN_DATA or ./koban-data)')
    .addOption(dbOption())
    .addOption(eventsOption())
    .option('--json', 'print one JSON document { "view", "rows" }')
    .action(async (view: string, flags: StatsFlags) => {
      if (!isViewName(view))
        throw new KobanError('E_USAGE', `unknown view "${view}" (${VIEW_NAMES.join(', ')})`);
      checkDbFlag(flags);
      let obs: Awaited<ReturnType<typeof openObservatory>>;
      try {
        obs = await openObservatory(flags.data, { create: false, events: flags.events });
      } catch (e) {
        // A running center owns the store: ask it instead (its API serves the same views).
        const viaServer =
          isKobanError(e) && e.code === 'E_LOCKED' ? await statsFromServer(view, flags) : null;
        if (!viaServer) throw e;
        if (flags.json) printJson(viaServer);
        else process.stdout.write(`${render(viaServer)}\n`);
        return;
      }
      let result: ViewResult;
      try {
        const offset = parseUtcOffset(flags.tz ?? obs.config.utcOffset);
        if (flags.bucket !== undefined && !isBucket(flags.bucket)) {
          throw new KobanError('E_USAGE', `--bucket must be hour, day, week or month, not "${flags.bucket}"`);
        }
        if (flags.proto !== 'tcp' && flags.proto !== 'udp')
          throw new KobanError('E_USAGE', '--proto must be tcp or udp');
        result = await runView(obs.store, view, {
          fromMs: flags.from ? parseDateArg(flags.from, offset) : undefined,
          toMs: flags.to ? parseDateArg(flags.to, offset) : undefined,
          bucket: flags.bucket as never,
          utcOffsetMinutes: offset,
          domesticCountry: (flags.domestic ?? obs.config.domesticCountry).toUpperCase(),
          kinds: flags.kind ? parseKinds(flags.kind) : undefined,
          proto: flags.proto,
          port: flags.port ? parsePortArg(flags.port) : undefined,
          top: flags.top !== undefined ? parseTop(flags.top) : undefined,
          sensor: flags.sensor,
        });
      } finally {
        await obs.close();
      }
      if (flags.json) printJson(result);
      else process.stdout.write(`${render(result)}\n`);
    });
}

/** The view from the center that owns the data directory (its server.json says where it listens). */
async function statsFromServer(view: string, flags: StatsFlags): Promise<ViewResult | null> {
  let url: string;
  try {
    url = (
      JSON.parse(readFileSync(join(resolveDataDir(flags.data), 'server.json'), 'utf8')) as { url: string }
    ).url;
  } catch {
    return null;
  }
  const q = new URLSearchParams();
  for (const k of [
    'from',
    'to',
    'bucket',
    'proto',
    'port',
    'top',
    'kind',
    'sensor',
    'tz',
    'domestic',
  ] as const) {
    const v = flags[k];
    if (v !== undefined) q.set(k, v);
  }
  // The operator's CLI: the center's local operator token gives the live, per-sensor view. (The
  // HTTP side is loaded only on this path: `koban stats` over its own store needs none of it.)
  const { LOCAL_OPERATOR_FILE } = await import('../center/index.js');
  let local: string | null = null;
  try {
    local = readFileSync(join(resolveDataDir(flags.data), LOCAL_OPERATOR_FILE), 'utf8').trim();
  } catch {
    local = null;
  }
  const res = await fetch(`${url}/api/v1/stats/${view}?${q}`, {
    headers: local ? { Authorization: `Bearer ${local}` } : {},
  });
  const body = (await res.json()) as ViewResult | { error: { code: string; message: string } };
  if ('error' in body) throw new KobanError('E_USAGE', `${url}: ${body.error.message}`);
  return body;
}

function parseKinds(s: string): EventKind[] {
  return s.split(',').map((k) => {
    const t = k.trim();
    if (!(EVENT_KINDS as readonly string[]).includes(t)) {
      throw new KobanError('E_USAGE', `unknown kind "${t}" (${EVENT_KINDS.join(', ')})`);
    }
    return t as EventKind;
  });
}

export function parsePortArg(s: string): { port: number; proto: Protocol } {
  const m = /^(\d{1,5})\/(tcp|udp)$/i.exec(s.trim());
  if (!m || Number(m[1]) > 65535)
    throw new KobanError('E_USAGE', `--port must look like 139/tcp, not "${s}"`);
  return { port: Number(m[1]), proto: m[2]!.toLowerCase() as Protocol };
}

function parseTop(s: string): number {
  if (!/^\d+$/.test(s)) throw new KobanError('E_USAGE', `--top must be a whole number, not "${s}"`);
  return Number(s);
}

/** Human rendering: one aligned table; shares as percentages; nested series as their own table. */
export function render(result: ViewResult): string {
  if (result.rows.length === 0) return `${result.view}: no data in this range`;
  const scalarKeys = Object.keys(result.rows[0]!).filter((k) => !Array.isArray(result.rows[0]![k]));
  const cells = result.rows.map((r) =>
    scalarKeys.map((k) => {
      const v = r[k] as string | number | null;
      return (k === 'share' || k.endsWith('_share')) && typeof v === 'number' ? fmtShare(v) : v;
    }),
  );
  const parts = [table(scalarKeys, cells)];
  const nestedKey = Object.keys(result.rows[0]!).find((k) => Array.isArray(result.rows[0]![k]));
  if (nestedKey) {
    const label = scalarKeys[0]!;
    const series: (string | number | null)[][] = [];
    for (const r of result.rows) {
      for (const s of r[nestedKey] as ViewRow[])
        series.push([r[label] as string, s.bucket as string, s.count as number]);
    }
    parts.push('', table([label, 'bucket', 'count'], series));
  }
  return parts.join('\n');
}
