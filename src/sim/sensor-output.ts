/**
 * One sensor's output files: its writers (netfilter log and EVE alerts at a firewall+IDS site, pcap
 * at a darknet sensor, as far as the chosen formats allow), with what the manifest reports about each
 * file — records, bytes, first and last record time, and a per-day index of byte offsets for replay.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EventBuffer } from './event-buffer.js';
import type { SimulationRun } from './generate.js';
import type { SimFormat } from './options.js';
import type { SimSensor } from './sensors.js';
import { EveWriter } from './writers/eve.js';
import { IptablesWriter } from './writers/iptables.js';
import { PcapWriter } from './writers/pcap.js';
import { ByteSink } from './writers/sink.js';

/** File names inside `sensors/<name>/`. */
export const FILE_NAMES: Readonly<Record<SimFormat, string>> = {
  iptables: 'simulated-iptables.log',
  eve: 'simulated-eve.json',
  pcap: 'simulated-darknet.pcap',
};

/** Byte offset and record count at the start of each day of the run, per file. */
export interface FileIndexEntry {
  readonly timeMs: number;
  readonly offset: number;
  readonly record: number;
}

export interface FileResult {
  readonly format: SimFormat;
  /** Path relative to the output directory. */
  readonly path: string;
  readonly records: number;
  readonly bytes: number;
  readonly firstMs: number | null;
  readonly lastMs: number | null;
  readonly index: readonly FileIndexEntry[];
}

interface Tracked {
  readonly format: SimFormat;
  readonly path: string;
  readonly sink: ByteSink;
  readonly records: () => number;
  readonly index: FileIndexEntry[];
  firstUs: number;
  lastUs: number;
}

export class SensorOutput {
  readonly packetsWritten: boolean;
  readonly alertsWritten: boolean;
  private readonly iptables: IptablesWriter | null = null;
  private readonly eve: EveWriter | null = null;
  private readonly pcap: PcapWriter | null = null;
  private readonly files: Tracked[] = [];

  constructor(run: SimulationRun, sensor: SimSensor, formats: readonly SimFormat[]) {
    const { options, env } = run;
    const rel = join('sensors', sensor.name);
    mkdirSync(join(options.outDir, rel), { recursive: true });
    const offset = options.background.utcOffsetMinutes;
    for (const f of formats) {
      const path = join(rel, FILE_NAMES[f]).split('\\').join('/');
      const sink = new ByteSink(join(options.outDir, path));
      let records: () => number;
      if (f === 'iptables') {
        const w = new IptablesWriter(sink, sensor, offset, env.payloads.table);
        w.header(options.startMs, options.seed);
        this.iptables = w;
        records = () => w.records;
      } else if (f === 'eve') {
        const w = new EveWriter(sink, sensor, offset, run.signatures);
        w.header(options.startMs, options.seed);
        this.eve = w;
        records = () => w.records;
      } else {
        const w = new PcapWriter(sink, sensor, env.payloads.table);
        w.header();
        this.pcap = w;
        records = () => w.records;
      }
      this.files.push({ format: f, path, sink, records, index: [], firstUs: -1, lastUs: -1 });
    }
    this.packetsWritten = this.iptables !== null || this.pcap !== null;
    this.alertsWritten = this.eve !== null;
  }

  /** Records where a day of the run starts in each file. */
  markDay(timeMs: number): void {
    for (const t of this.files) t.index.push({ timeMs, offset: t.sink.offset, record: t.records() });
  }

  /** Writes packets `order[0, n)`; returns the alerts written. */
  write(buf: EventBuffer, order: Uint32Array, n: number): number {
    this.iptables?.write(buf, order, 0, n);
    const before = this.eve?.records ?? 0;
    this.eve?.write(buf, order, 0, n);
    this.pcap?.write(buf, order, 0, n);
    const alerts = (this.eve?.records ?? 0) - before;
    if (n === 0) return alerts;
    for (const t of this.files) {
      if (t.format === 'eve') continue;
      if (t.firstUs < 0) t.firstUs = buf.t[order[0]!]!;
      t.lastUs = buf.t[order[n - 1]!]!;
    }
    if (alerts > 0) {
      const te = this.files.find((t) => t.format === 'eve')!;
      for (let j = 0; j < n; j++) {
        const i = order[j]!;
        if (buf.alert[i]! < 0) continue;
        if (te.firstUs < 0) te.firstUs = buf.t[i]!;
        te.lastUs = buf.t[i]!;
      }
    }
    return alerts;
  }

  /** Flushes and closes the files; returns what the manifest says about them. */
  close(): FileResult[] {
    return this.files.map((t) => {
      t.sink.close();
      return {
        format: t.format,
        path: t.path,
        records: t.records(),
        bytes: t.sink.written,
        firstMs: t.firstUs < 0 ? null : Math.floor(t.firstUs / 1000),
        lastMs: t.lastUs < 0 ? null : Math.floor(t.lastUs / 1000),
        index: t.index,
      };
    });
  }
}
