/**
 * `koban detect` — run the detectors over stored history and raise alerts in the data directory;
 * `koban detect --eval DIR` — import a simulated set (`koban simulate`) into a scratch store, run
 * every detector over its whole history and score the alerts against its truth.json.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ConfigSchema, KobanError, parseDateArg, parseUtcOffset } from '../core/index.js';
import { openRelational } from '../db/index.js';
import {
  AlertSink,
  AlertStore,
  addressCounts,
  DETECTOR_NAMES,
  type DetectorName,
  type DetectorScore,
  DetectorSet,
  type RunStats,
  runHistory,
  scoreAlerts,
} from '../detect/index.js';
import {
  importFiles,
  openEnricher,
  openEventStore,
  openObservatory,
  SensorRegistry,
} from '../observe/index.js';
import { readManifest, TruthSchema } from '../sim/index.js';
import { dbOption } from './_options.js';
import { fmtInt, printJson, progress, table } from './_output.js';
import { openRelationalStore, storeTarget } from './_stores.js';

interface DetectFlags {
  eval?: string;
  work?: string;
  data?: string;
  db?: string;
  from?: string;
  to?: string;
  only?: string;
  blocks?: string;
  json?: boolean;
}

function parseOnly(s: string | undefined): DetectorName[] | undefined {
  if (!s) return undefined;
  const names = s.split(',').filter((x) => x.length > 0);
  for (const n of names) {
    if (!(DETECTOR_NAMES as readonly string[]).includes(n)) {
      throw new KobanError('E_USAGE', `unknown detector "${n}" (${DETECTOR_NAMES.join(', ')})`);
    }
  }
  return names as DetectorName[];
}

export function registerDetect(program: Command): void {
  program
    .command('detect')
    .description('run the detectors over stored history (alerts), or score them on a simulated set (--eval)')
    .option('--eval <dir>', 'a koban simulate directory: import it, detect, score against truth.json')
    .option('--work <dir>', 'with --eval: keep the imported store here and reuse it on the next run')
    .option('--data <dir>', 'data directory (default $KOBAN_DATA or ./koban-data)')
    .addOption(dbOption())
    .option('--from <date>', 'start of the history to run over (default: the first stored event)')
    .option('--to <date>', 'end (default: the last stored event)')
    .option('--only <list>', `detectors to run (${DETECTOR_NAMES.join(',')})`)
    .option('--blocks <file>', 'JSON {sensor: [CIDR, …]} for sensors the registry has no blocks for')
    .option('--json', 'print one JSON document')
    .action(async (flags: DetectFlags) => {
      if (flags.eval) await evaluate(flags.eval, flags);
      else await detectHistory(flags);
    });
}

async function evaluate(dir: string, flags: DetectFlags): Promise<void> {
  if (!existsSync(join(dir, 'manifest.json')) || !existsSync(join(dir, 'truth.json'))) {
    throw new KobanError('E_USAGE', `${dir}: not a koban simulate directory (manifest.json and truth.json)`);
  }
  const manifest = readManifest(dir);
  const parsed = TruthSchema.safeParse(JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')));
  if (!parsed.success)
    throw new KobanError('E_FORMAT', `${dir}/truth.json: ${parsed.error.issues[0]?.message}`);
  const truth = parsed.data;
  const work = flags.work ?? mkdtempSync(join(tmpdir(), 'koban-detect-'));
  const marker = join(work, 'koban-detect-source.json');
  const identity = JSON.stringify({
    dir,
    seed: manifest.seed,
    start: manifest.start,
    end: manifest.end,
    totals: manifest.totals,
  });
  const bar = progress();
  const t0 = performance.now();
  const store = await openEventStore({ dataDir: work });
  const db = await openRelational(':memory:');
  try {
    let imported = 0;
    const reuse = flags.work !== undefined && existsSync(marker) && readFileSync(marker, 'utf8') === identity;
    if (!reuse) {
      const tz = (manifest.layout as { text_time_zone?: string }).text_time_zone ?? '+09:00';
      parseUtcOffset(tz);
      const config = ConfigSchema.parse({ utcOffset: tz });
      const enricher = await openEnricher(config);
      const total = manifest.sensors.reduce((a, s) => a + s.files.reduce((b, f) => b + f.bytes, 0), 0);
      let done = 0;
      for (const s of manifest.sensors) {
        for (const f of s.files) {
          const r = await importFiles(store, enricher, [join(dir, f.path)], {
            format: 'auto',
            sensor: s.name,
            config,
            onProgress: (p) =>
              bar.update(
                done + p.bytesRead,
                total,
                `import ${s.name}: ${fmtInt(imported + p.stored)} events`,
              ),
          });
          imported += r.stored;
          done += f.bytes;
        }
      }
      if (flags.work) writeFileSync(marker, identity);
    }
    const importMs = performance.now() - t0;
    const blocks = Object.fromEntries(manifest.sensors.map((s) => [s.name, s.blocks]));
    const set = new DetectorSet({ addresses: addressCounts(blocks), only: parseOnly(flags.only) });
    const alerts = new AlertStore(db);
    const sink = new AlertSink(alerts);
    const range = { fromMs: Date.parse(truth.start), toMs: Date.parse(truth.end) };
    const stats = await runHistory(store, range, set, sink.accept, {
      onProgress: (p) => bar.update(p.doneMs, p.totalMs, `detect: ${p.findings} findings`),
    });
    bar.stop();
    const all = await alerts.list({ limit: 1_000_000 });
    const scores = scoreAlerts(all, truth).filter(
      (s) => !flags.only || flags.only.split(',').includes(s.name),
    );
    const doc = {
      detectors: scores,
      set: {
        dir,
        seed: truth.seed,
        start: truth.start,
        end: truth.end,
        sensors: manifest.sensors.length,
        monitored_addresses: truth.monitored_addresses,
        episodes: truth.episodes.length,
        events: manifest.totals.events + manifest.totals.alerts,
      },
      run: { ...runJson(stats), imported, import_s: Math.round(importMs / 1000), alerts: all.length },
      matching:
        'alert ↔ episode: corresponding kind, same subject (port+proto; victim; source; fingerprint or signature id; ' +
        'the silent sensor of an outage; victim and attack of an inbound flood), ' +
        'detection time within [start − 10 min, end + 1 h]; extra alerts for a matched episode are duplicates; ' +
        'alerts explained by another kind of episode (spam, botnet, worm port) are neither true nor false',
    };
    if (flags.json) printJson(doc);
    else printScores(scores, doc.run);
  } finally {
    bar.stop();
    await db.destroy();
    await store.close();
    if (!flags.work) rmSync(work, { recursive: true, force: true });
  }
}

function runJson(s: RunStats) {
  return {
    minutes: s.minutes,
    rows: s.rows,
    events: s.events,
    findings: s.findings,
    query_s: Math.round(s.queryMs / 100) / 10,
    detector_cpu_s: Math.round(s.detectorCpuMs / 100) / 10,
    state: s.state,
  };
}

function printScores(scores: readonly DetectorScore[], run: { events: number; alerts: number }): void {
  const pct = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);
  const out = [
    table(
      ['detector', 'tp', 'fp', 'fn', 'precision', 'recall', 'median delay s', 'dup', 'explained'],
      scores.map((s) => [
        s.name,
        s.tp,
        s.fp,
        s.fn,
        pct(s.precision),
        pct(s.recall),
        s.median_delay_s,
        s.duplicates,
        s.explained,
      ]),
    ),
  ];
  for (const s of scores) {
    if (s.missed.length > 0) {
      out.push(
        `${s.name} missed: ${s.missed.map((m) => `${m.id} (strength ${m.strength}, ${m.observed_events} events)`).join(', ')}`,
      );
    }
  }
  out.push(`${fmtInt(run.events)} events, ${fmtInt(run.alerts)} alerts`);
  process.stdout.write(`${out.join('\n')}\n`);
}

async function detectHistory(flags: DetectFlags): Promise<void> {
  // Nothing to detect without stored events; the alerts go to the relational store, created if new.
  const obs = await openObservatory(flags.data, { create: false });
  const db = await openRelationalStore(storeTarget(flags), { create: true });
  const bar = progress();
  try {
    const offset = parseUtcOffset(obs.config.utcOffset);
    const raw = await obs.store.rawTimeRange();
    if (!raw) throw new KobanError('E_NOT_FOUND', 'no stored events to run the detectors over');
    const fromMs = flags.from ? parseDateArg(flags.from, offset) : raw.firstMs;
    const toMs = flags.to ? parseDateArg(flags.to, offset) : raw.lastMs + 1;
    if (!(toMs > fromMs)) throw new KobanError('E_USAGE', '--to must be after --from');
    const blocks: Record<string, readonly string[]> = {};
    if (flags.blocks)
      Object.assign(blocks, JSON.parse(readFileSync(flags.blocks, 'utf8')) as Record<string, string[]>);
    for (const s of await new SensorRegistry(db).list())
      if (s.addressBlocks.length > 0) blocks[s.name] = s.addressBlocks;
    const set = new DetectorSet({
      addresses: addressCounts(blocks),
      domesticCountry: obs.config.domesticCountry,
      only: parseOnly(flags.only),
    });
    const alerts = new AlertStore(db);
    const sink = new AlertSink(alerts);
    const opened: { id: number; kind: string; severity: string; title: string; first: string }[] = [];
    let updated = 0;
    const stats = await runHistory(
      obs.store,
      { fromMs, toMs },
      set,
      async (f) => {
        const c = await sink.accept(f);
        if (!c) return;
        if (c.change === 'opened') {
          opened.push({
            id: c.alert.id,
            kind: c.alert.kind,
            severity: c.alert.severity,
            title: c.alert.title,
            first: new Date(c.alert.firstMs).toISOString(),
          });
        } else updated++;
      },
      { onProgress: (p) => bar.update(p.doneMs, p.totalMs, `detect: ${p.findings} findings`) },
    );
    bar.stop();
    const doc = {
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      opened,
      updated,
      run: runJson(stats),
    };
    if (flags.json) printJson(doc);
    else {
      if (opened.length > 0) {
        process.stdout.write(
          `${table(
            ['id', 'kind', 'severity', 'first', 'title'],
            opened.map((a) => [a.id, a.kind, a.severity, a.first, a.title]),
          )}\n`,
        );
      }
      process.stdout.write(
        `${fmtInt(opened.length)} alerts opened, ${fmtInt(updated)} updates; ${fmtInt(stats.events)} events over ${fmtInt(stats.minutes)} minutes\n`,
      );
    }
  } finally {
    bar.stop();
    await db.destroy();
    await obs.close();
  }
}
