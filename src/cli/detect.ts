/**
 * `koban detect` — run the detectors over stored history and raise alerts in the data directory,
 * listing what is kept as data rather than alerted (a DDoS victim below the alerting rate), with
 * the sensors' monitored space as registered, given (`--blocks`, remembered) or learned;
 * `koban detect --eval DIR` — import a simulated set (`koban simulate`) into a scratch store, run
 * every detector over its whole history and score the alerts against its truth.json; with several
 * directories, the per-detector summary over them (detect-matrix.ts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { ConfigSchema, KobanError, parseDateArg, parseUtcOffset } from '../core/index.js';
import { openRelational } from '../db/index.js';
import {
  AlertSink,
  AlertStore,
  addressCounts,
  BackscatterStatistics,
  DEFAULT_NOISE_FLOOR,
  DETECTOR_NAMES,
  type DetectorName,
  type DetectorScore,
  DetectorSet,
  type Finding,
  ListedFindings,
  type RunStats,
  readScanPolicy,
  runHistory,
  ScannerStore,
  SEVERITY_RANK,
  type Severity,
  scoreAlerts,
} from '../detect/index.js';
import {
  blocksBySensor,
  type EventStore,
  importFiles,
  MonitoredSpace,
  openEnricher,
  openEventStore,
  openObservatory,
  type SensorSpace,
} from '../observe/index.js';
import { readManifest, TruthSchema } from '../sim/index.js';
import { dbOption, eventsOption } from './_options.js';
import { fmtInt, printJson, progress, table } from './_output.js';
import { openRelationalStore, storeTarget } from './_stores.js';
import { type EvaluatedSet, evaluateMatrix } from './detect-matrix.js';

export interface DetectFlags {
  eval?: string[];
  noiseFloor?: string;
  work?: string;
  data?: string;
  db?: string;
  events?: string;
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
    .option(
      '--eval <dir...>',
      'koban simulate directories: import, detect, score against truth.json (several: the matrix summary)',
    )
    .option('--work <dir>', 'with --eval: keep the imported store here and reuse it on the next run')
    .option(
      '--noise-floor <strength>',
      `with several --eval sets: episodes weaker than this are not recall targets (default ${DEFAULT_NOISE_FLOOR})`,
    )
    .option('--data <dir>', 'data directory (default $KOBAN_DATA or ./koban-data)')
    .addOption(dbOption())
    .addOption(eventsOption())
    .option('--from <date>', 'start of the history to run over (default: the first stored event)')
    .option('--to <date>', 'end (default: the last stored event)')
    .option('--only <list>', `detectors to run (${DETECTOR_NAMES.join(',')})`)
    .option(
      '--blocks <file>',
      'JSON {sensor: [CIDR, …]}: address blocks of sensors the registry has none for (remembered for later runs)',
    )
    .option('--json', 'print one JSON document')
    .action(async (flags: DetectFlags) => {
      const dirs = flags.eval ?? [];
      if (dirs.length > 1) await evaluateMatrix(dirs, flags, evaluate);
      else if (dirs.length === 1) await evaluate(dirs[0]!, flags);
      else await detectHistory(flags);
    });
}

/** Scores one simulated set; prints the result unless `print` is false (a cell of a matrix). */
async function evaluate(dir: string, flags: DetectFlags, print = true): Promise<EvaluatedSet> {
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
    const reuse = flags.work !== undefined && existsSync(marker) && readFileSync(marker, 'utf8') === identity;
    const imported = reuse ? 0 : await importSet(dir, manifest, store, bar);
    if (!reuse && flags.work) writeFileSync(marker, identity);
    const importMs = performance.now() - t0;
    const blocks = Object.fromEntries(manifest.sensors.map((s) => [s.name, s.blocks]));
    const set = new DetectorSet({ addresses: addressCounts(blocks), only: parseOnly(flags.only) });
    const alerts = new AlertStore(db);
    const scanners = new ScannerStore(db);
    const sink = new AlertSink(alerts, undefined, { scanners });
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
      run: {
        ...runJson(stats),
        imported,
        import_s: Math.round(importMs / 1000),
        alerts: all.length,
        // Scans kept as data that raised no alert (docs/methods.md#what-deserves-an-alert).
        scanners: (await scanners.page({ limit: 1 })).total,
      },
      matching:
        'alert ↔ episode: corresponding kind, same subject (port+proto; victim; source; fingerprint or signature id; ' +
        'the silent sensor of an outage; victim and attack of an inbound flood), ' +
        'detection time within [start − 10 min, end + 1 h]; extra alerts for a matched episode are duplicates; ' +
        'alerts explained by another kind of episode (spam, botnet, worm port) are neither true nor false',
    };
    if (print && flags.json) printJson(doc);
    else if (print) printScores(scores, doc.run);
    return { doc, truth, manifest };
  } finally {
    bar.stop();
    await db.destroy();
    await store.close();
    if (!flags.work) rmSync(work, { recursive: true, force: true });
  }
}

/** Imports every file of a simulated set, each with its sensor's name; returns the events stored. */
async function importSet(
  dir: string,
  manifest: ReturnType<typeof readManifest>,
  store: Awaited<ReturnType<typeof openEventStore>>,
  bar: ReturnType<typeof progress>,
): Promise<number> {
  const tz = (manifest.layout as { text_time_zone?: string }).text_time_zone ?? '+09:00';
  parseUtcOffset(tz);
  const config = ConfigSchema.parse({ utcOffset: tz });
  const enricher = await openEnricher(config);
  const total = manifest.sensors.reduce((a, s) => a + s.files.reduce((b, f) => b + f.bytes, 0), 0);
  let imported = 0;
  let done = 0;
  for (const s of manifest.sensors) {
    for (const f of s.files) {
      const r = await importFiles(store, enricher, [join(dir, f.path)], {
        format: 'auto',
        sensor: s.name,
        config,
        onProgress: (p) =>
          bar.update(done + p.bytesRead, total, `import ${s.name}: ${fmtInt(imported + p.stored)} events`),
      });
      imported += r.stored;
      done += f.bytes;
    }
  }
  return imported;
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

function printScores(
  scores: readonly DetectorScore[],
  run: { events: number; alerts: number; scanners: number },
): void {
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
  out.push(
    `${fmtInt(run.events)} events, ${fmtInt(run.alerts)} alerts, ${fmtInt(run.scanners)} scanners kept as data`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

const BlocksFileSchema = z.record(z.string(), z.array(z.string()));

/** `--blocks FILE`: `{ "sensor": ["CIDR", …] }`, or E_USAGE saying what is wrong with it. */
function readBlocksFile(path: string): Record<string, string[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new KobanError('E_USAGE', `--blocks ${path}: ${(e as Error).message}`);
  }
  const parsed = BlocksFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new KobanError('E_USAGE', `--blocks ${path}: expected {"sensor": ["CIDR", …]}`);
  }
  return parsed.data;
}

/**
 * The monitored space for a run over [fromMs, toMs): blocks given now are stored first; sensors
 * with events in the range and no blocks yet learn theirs from the stored destinations.
 */
async function monitoredSpace(
  space: MonitoredSpace,
  store: EventStore,
  range: { fromMs: number; toMs: number },
  blocksFile: string | undefined,
): Promise<SensorSpace[]> {
  if (blocksFile) await space.give(readBlocksFile(blocksFile));
  const known = new Set((await space.inEffect()).map((s) => s.sensor));
  const active = await store.sensorActivity(range, 0);
  if (active.some((a) => !known.has(a.sensor))) await space.learnFrom(store, range);
  return space.inEffect();
}

async function detectHistory(flags: DetectFlags): Promise<void> {
  // Nothing to detect without stored events; the alerts go to the relational store, created if new.
  const obs = await openObservatory(flags.data, { create: false, events: flags.events });
  const db = await openRelationalStore(storeTarget(flags), { create: true });
  const bar = progress();
  try {
    const offset = parseUtcOffset(obs.config.utcOffset);
    const raw = await obs.store.rawTimeRange();
    if (!raw) throw new KobanError('E_NOT_FOUND', 'no stored events to run the detectors over');
    const fromMs = flags.from ? parseDateArg(flags.from, offset) : raw.firstMs;
    const toMs = flags.to ? parseDateArg(flags.to, offset) : raw.lastMs + 1;
    if (!(toMs > fromMs)) throw new KobanError('E_USAGE', '--to must be after --from');
    const spaces = await monitoredSpace(new MonitoredSpace(db), obs.store, { fromMs, toMs }, flags.blocks);
    const set = new DetectorSet({
      addresses: addressCounts(blocksBySensor(spaces)),
      domesticCountry: obs.config.domesticCountry,
      only: parseOnly(flags.only),
      scan: { policy: readScanPolicy(obs.config.scans, obs.dataDir, (m) => process.stderr.write(`${m}\n`)) },
      backscatter: { minVictimRatePps: obs.config.detection.backscatter.minVictimRatePps },
    });
    const kept = { scanners: new ScannerStore(db), backscatter: new BackscatterStatistics(db) };
    const sink = new AlertSink(new AlertStore(db), undefined, kept);
    const listed = new ListedFindings();
    const opened: { id: number; kind: string; severity: string; title: string; first: string }[] = [];
    let updated = 0;
    const stats = await runHistory(
      obs.store,
      { fromMs, toMs },
      set,
      async (f) => {
        listed.accept(f);
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
    const statistics = listed.list().map(statisticJson);
    const doc = {
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      opened,
      updated,
      statistics,
      monitored_space: spaces.map((s) => ({ ...s, blocks: [...s.blocks] })),
      run: runJson(stats),
    };
    if (flags.json) printJson(doc);
    else printHistory(doc, stats, obs.config.detection.backscatter.minVictimRatePps);
  } finally {
    bar.stop();
    await db.destroy();
    await obs.close();
  }
}

/** A finding kept as data, as `koban detect` lists it. */
function statisticJson(f: Finding) {
  return {
    kind: f.kind,
    subject: f.subject,
    title: f.title,
    first: new Date(f.startMs).toISOString(),
    last: new Date(f.lastMs).toISOString(),
    ended: f.phase === 'ended',
    estimated_rate_pps: (f.evidence.estimated_rate_pps as number | null | undefined) ?? null,
    packets: (f.evidence.packets as number | undefined) ?? null,
    addresses_hit: (f.evidence.addresses_hit as number | undefined) ?? null,
  };
}

function printHistory(
  doc: {
    opened: readonly { id: number; kind: string; severity: string; title: string; first: string }[];
    updated: number;
    statistics: readonly ReturnType<typeof statisticJson>[];
    monitored_space: readonly SensorSpace[];
  },
  stats: RunStats,
  minVictimRatePps: number,
): void {
  const out: string[] = [];
  const rank = (a: { severity: string }) => SEVERITY_RANK[a.severity as Severity] ?? 0;
  if (doc.opened.length > 0) {
    out.push(
      table(
        ['id', 'kind', 'severity', 'first', 'title'],
        // As every alert list: the most severe first, then the most recent.
        [...doc.opened]
          .sort((a, b) => rank(b) - rank(a) || (a.first < b.first ? 1 : -1))
          .map((a) => [a.id, a.kind, a.severity, a.first, a.title]),
      ),
    );
  }
  if (doc.statistics.length > 0) {
    out.push(
      `listed, not alerted (DDoS victims below ${fmtInt(minVictimRatePps)} replies/s; koban.json detection.backscatter.minVictimRatePps):`,
      table(
        ['kind', 'first', 'last', 'replies', 'addresses', 'title'],
        doc.statistics.map((s) => [s.kind, s.first, s.last, s.packets, s.addresses_hit, s.title]),
      ),
    );
  }
  const by = (o: string) => doc.monitored_space.filter((s) => s.origin === o).length;
  const addresses = doc.monitored_space.reduce((a, s) => a + s.addresses, 0);
  out.push(
    `monitored space: ${fmtInt(addresses)} IPv4 addresses of ${fmtInt(doc.monitored_space.length)} sensors ` +
      `(${by('registered')} registered, ${by('given')} given, ${by('learned')} learned; koban sensor blocks)`,
    `${fmtInt(doc.opened.length)} alerts opened, ${fmtInt(doc.updated)} updates, ${fmtInt(doc.statistics.length)} listed; ` +
      `${fmtInt(stats.events)} events over ${fmtInt(stats.minutes)} minutes`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}
