/**
 * Decodes one sensor batch, a chunk of lines at a time (ndjson-stream.ts): the header first, then
 * every record, each validated field by field before anything is queued for a write. A bad record
 * (not JSON, too long, a malformed field, a time outside the plausible range, a sensor name the
 * token may not write) is one counted rejection; the rest of the batch is kept.
 */
import {
  type EnrichedEvent,
  isEvent,
  type KobanConfig,
  KobanError,
  type ObservationEvent,
  parseUtcOffset,
  type RecordOutcome,
} from '../core/index.js';
import { FORMAT_NAMES, FORMATS, type FormatName } from '../parse/index.js';
import { type BatchHeader, decodeEvent, parseBatchHeader } from '../wire/index.js';
import type { Enricher } from './enrich.js';
import type { IngestLimits } from './ingest-limits.js';
import { type NdjsonLine, OVERLONG } from './ndjson-stream.js';
import type { SensorRecord } from './sensor-registry.js';
import { isReceiveTime, storableProblem } from './storable.js';

const REJECTIONS_LISTED = 20;

/** Events stored for one sensor by one batch: the token's own name, or a name it relays. */
export interface SensorTally {
  readonly name: string;
  events: number;
  newestMs: number | null;
}

export interface DecodeContext {
  readonly sensor: SensorRecord;
  readonly header: BatchHeader;
  readonly config: KobanConfig;
  readonly limits: IngestLimits;
  readonly enricher: Enricher;
  readonly nowMs: number;
  /** The sensor id a relay token may write `name` under, or the reason it may not. */
  readonly relayTarget: (name: string) => Promise<number | string>;
}

const NOT_JSON = Symbol('not JSON');
type Parsed = unknown | typeof NOT_JSON | typeof OVERLONG;

export class BatchDecoder {
  readonly events: EnrichedEvent[] = [];
  readonly rejections: { record: number; reason: string }[] = [];
  rejected = 0;
  records = 0;
  /** Per sensor id: what this batch stores under that sensor's name. */
  readonly tallies = new Map<number, SensorTally>();
  private readonly lineParser: ((line: string) => RecordOutcome | readonly ObservationEvent[]) | null;
  private readonly targets = new Map<string, number | string>();
  private notJson = 0;

  constructor(private readonly ctx: DecodeContext) {
    const format = ctx.header.format;
    this.lineParser =
      format === 'events' ? null : textParser(format as FormatName, ctx.sensor.name, ctx.config, ctx.nowMs);
  }

  /** Decodes the records among `lines` (blank lines are not records). */
  async add(lines: readonly NdjsonLine[]): Promise<void> {
    const values = parseLines(lines, () => {
      // A line or two garbled on the way are rejections; a batch of garbage is not NDJSON, and
      // parsing it line by line to its end would cost an exception per line.
      if (++this.notJson > this.ctx.limits.maxNotJsonLines)
        throw new KobanError(
          'E_FORMAT',
          `more than ${this.ctx.limits.maxNotJsonLines} lines are not JSON (the body must be NDJSON)`,
        );
    });
    for (const value of values) {
      if (++this.records > this.ctx.limits.maxRecords)
        throw new KobanError('E_LIMIT', `batch has more than ${this.ctx.limits.maxRecords} records`);
      if (value === NOT_JSON) this.reject('not JSON (the body must be NDJSON: one JSON value per line)');
      else if (value === OVERLONG)
        this.reject(`record longer than ${this.ctx.limits.maxRecordChars} characters`);
      else if (this.lineParser === null) await this.addEvent(value);
      else this.addLine(value, this.lineParser);
    }
  }

  private async addEvent(value: unknown): Promise<void> {
    const { sensor } = this.ctx;
    const d = decodeEvent(value, sensor.name);
    if (typeof d === 'string') return this.reject(d);
    if (d.sensor === null || d.sensor === sensor.name) return this.accept(d.event, d.receivedMs, sensor.id);
    if (!sensor.relay) return this.reject('sensor name not allowed for this token');
    let target = this.targets.get(d.sensor);
    if (target === undefined) {
      target = await this.ctx.relayTarget(d.sensor);
      this.targets.set(d.sensor, target);
    }
    if (typeof target === 'string') return this.reject(target);
    d.event.sensor = d.sensor;
    this.accept(d.event, d.receivedMs, target);
  }

  private addLine(
    value: unknown,
    parse: (line: string) => RecordOutcome | readonly ObservationEvent[],
  ): void {
    const [raw, recv] = Array.isArray(value) && value.length === 2 ? value : [value, null];
    const problem =
      typeof raw !== 'string' || (recv !== null && !isReceiveTime(recv))
        ? 'raw record is not a string or [string, recv_ms]'
        : raw.length > this.ctx.limits.maxLineChars
          ? `line longer than ${this.ctx.limits.maxLineChars} characters`
          : null;
    if (problem !== null) {
      this.reject(problem);
      return;
    }
    const out = parse(raw as string);
    const events = Array.isArray(out)
      ? (out as readonly ObservationEvent[])
      : isEvent(out as RecordOutcome)
        ? [out as ObservationEvent]
        : [];
    if (events.length === 0 && (out as { outcome?: string }).outcome === 'rejected')
      this.reject((out as { reason: string }).reason);
    for (const e of events) {
      const problem = storableProblem(e);
      if (problem === null) this.accept(e, recv as number | null, this.ctx.sensor.id);
      else this.reject(problem);
    }
  }

  private accept(e: ObservationEvent, recv: number | null, sensorId: number): void {
    const { limits, nowMs } = this.ctx;
    // A sensor clock running fast would put its events in every future view (and ahead of live
    // detection); one that was never set stamps 1970 or 2000.
    const problem =
      e.timeMs > nowMs + limits.maxClockAheadMs
        ? `event time more than ${limits.maxClockAheadMs / 1000} s ahead of the center clock`
        : e.timeMs < limits.minEventTimeMs
          ? `event time before ${new Date(limits.minEventTimeMs).toISOString()}`
          : null;
    if (problem !== null) {
      this.reject(problem);
      return;
    }
    const en = this.ctx.enricher.enrich(e);
    if (recv !== null) en.receivedMs = recv;
    this.events.push(en);
    let t = this.tallies.get(sensorId);
    if (!t) {
      t = { name: e.sensor, events: 0, newestMs: null };
      this.tallies.set(sensorId, t);
    }
    t.events++;
    if (t.newestMs === null || e.timeMs > t.newestMs) t.newestMs = e.timeMs;
  }

  private reject(reason: string): void {
    this.rejected++;
    if (this.rejections.length < REJECTIONS_LISTED) this.rejections.push({ record: this.records, reason });
  }
}

/**
 * The values of the lines (ndjsonLines drops blank ones). One JSON.parse of a chunk's lines as an
 * array is several times faster than one per line; only when it fails (or yields another count: a
 * line holding two values) are the lines parsed one by one, each failure costing an exception —
 * `onNotJson` may stop that early. Lines that together still parse to as many values as lines
 * while not holding one each (`1,2` then `[3` and `4]`) only misnumber their own rejections: every
 * value is validated on its own.
 */
function parseLines(lines: readonly NdjsonLine[], onNotJson: () => void): Parsed[] {
  const texts = lines.filter((l): l is string => l !== OVERLONG);
  let values: unknown[] | null = null;
  if (texts.length > 0) {
    try {
      const all = JSON.parse(`[${texts.join(',')}]`) as unknown[];
      if (all.length === texts.length) values = all;
    } catch {
      values = null;
    }
  }
  let i = 0;
  return lines.map((l) => {
    if (l === OVERLONG) return l;
    if (values !== null) return values[i++];
    try {
      return JSON.parse(l) as unknown;
    } catch {
      onNotJson();
      return NOT_JSON;
    }
  });
}

/** The raw-line formats a batch may carry (the rest are files: pcap). */
const TEXT_FORMATS: readonly string[] = FORMAT_NAMES.filter((f) => FORMATS[f].kind === 'text');

/** The batch header (the first line), validated (wire's schema, with the formats parse knows). */
export function parseHeader(line: NdjsonLine | undefined): BatchHeader {
  if (line === OVERLONG || line === undefined)
    throw new KobanError('E_FORMAT', 'the first NDJSON line must be the batch header (JSON)');
  let h: unknown;
  try {
    h = JSON.parse(line);
  } catch {
    throw new KobanError('E_FORMAT', 'the first NDJSON line must be the batch header (JSON)');
  }
  const header = parseBatchHeader(h, TEXT_FORMATS);
  if (typeof header === 'string') throw new KobanError('E_FORMAT', header);
  return header;
}

function textParser(format: FormatName, sensor: string, config: KobanConfig, nowMs: number) {
  const f = FORMATS[format];
  if (f.kind !== 'text') throw new KobanError('E_FORMAT', `${format} records cannot be sent raw`);
  const offset = parseUtcOffset(config.utcOffset);
  return f.create({
    sensor,
    year: new Date(nowMs + offset * 60_000).getUTCFullYear(),
    utcOffsetMinutes: offset,
    nowMs,
  }) as (line: string) => RecordOutcome | readonly ObservationEvent[];
}
