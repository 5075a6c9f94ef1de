/**
 * Replays a simulated set to a center in time order: every sensor's files are parsed and merged
 * into one stream by event time, paced by a speed factor (simulated seconds per real second) in
 * windows of simulated time, and cut into batches by size and age as the sensor agent cuts them
 * (`BatchCutter`): as fast as possible, full batches; paced, a batch leaves when it is full or its
 * first event has waited `flushMs` (at the pacing speed). Each batch carries its sensor names (a
 * relay token is needed) and a batch id derived from the set and the position of its events in the
 * merged stream, so replaying the same set again is stored once (the center deduplicates by id).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ObservationEvent } from '../core/index.js';
import { openInput, type ParseBatch, parseInput } from '../parse/index.js';
import { BatchCutter, encodeEvent, eventsBatchBody } from '../wire/index.js';
import type { Manifest } from './documents.js';
import { readManifest } from './read-back.js';

export interface ReplayOptions {
  readonly dir: string;
  /**
   * Simulated seconds per real second; 0 sends as fast as the center takes it. `'wall'` follows
   * the wall clock: events up to now at once, later ones when their time comes (the live demo).
   */
  readonly speed: number | 'wall';
  /** Only events after this time (UTC ms) are sent: resuming, or continuing a demo. */
  readonly afterMs?: number | undefined;
  /** Pacing step in simulated time (default 10 s): the events of a window leave when it has come. */
  readonly windowMs?: number | undefined;
  /**
   * With `speed: 'wall'`, the window for events more than an hour old (catching up on the past):
   * large windows make large batches, so the backlog goes in quickly. Default one hour.
   */
  readonly catchUpWindowMs?: number | undefined;
  /** Events per batch at most (default 5,000, as the agent). */
  readonly batchEvents?: number | undefined;
  /** Longest the first event of a batch waits before it is sent, ms (default 500, as the agent). */
  readonly flushMs?: number | undefined;
  /** Delivers one batch (uncompressed NDJSON with its header line). */
  send(body: string, batchId: string, events: number): Promise<void>;
  readonly onProgress?: ((p: ReplayProgress) => void) | undefined;
  readonly isStopped?: (() => boolean) | undefined;
}

export interface ReplayProgress {
  readonly sent: number;
  readonly batches: number;
  readonly simTimeMs: number;
}

export interface ReplayResult extends ReplayProgress {
  readonly skipped: number;
}

interface Stream {
  readonly sensor: string;
  readonly it: AsyncIterator<ParseBatch>;
  events: ObservationEvent[];
  i: number;
}

async function nextEvent(s: Stream): Promise<ObservationEvent | null> {
  while (s.i >= s.events.length) {
    const r = await s.it.next();
    if (r.done) return null;
    s.events = r.value.events;
    s.i = 0;
  }
  return s.events[s.i]!;
}

/** A min-heap of streams keyed by their current event's time. */
class StreamHeap {
  private readonly a: { t: number; s: Stream }[] = [];
  get size(): number {
    return this.a.length;
  }
  push(t: number, s: Stream): void {
    const a = this.a;
    a.push({ t, s });
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]!.t <= a[i]!.t) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): { t: number; s: Stream } | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]!.t < a[m]!.t) m = l;
        if (r < a.length && a[r]!.t < a[m]!.t) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

/** A short id of the simulated set, from its manifest (seed, options, period). */
export function setId(m: Manifest): string {
  return createHash('sha256')
    .update(JSON.stringify([m.seed, m.start, m.end, m.options]))
    .digest('hex')
    .slice(0, 12);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function replay(o: ReplayOptions): Promise<ReplayResult> {
  const manifest = readManifest(o.dir);
  const id = setId(manifest);
  const windowMs = o.windowMs ?? 10_000;
  const heap = new StreamHeap();
  for (const sensor of manifest.sensors) {
    for (const file of sensor.files) {
      const input = await openInput(join(o.dir, file.path));
      const ctx = { sensor: sensor.name, year: 2000, utcOffsetMinutes: 0, nowMs: Date.UTC(2100, 0, 1) };
      const { batches } = parseInput(input, file.format, ctx, { maxLineChars: 1 << 16, name: file.path });
      const s: Stream = { sensor: sensor.name, it: batches[Symbol.asyncIterator](), events: [], i: 0 };
      const e = await nextEvent(s);
      if (e) heap.push(e.timeMs, s);
    }
  }
  // A batch's age is measured on the replay's own clock — simulated time at the pacing speed — so
  // the cuts, and with them the batch ids, are the same every run. As fast as possible, the clock
  // stands still: only size cuts (the source never keeps a batch waiting).
  const perRealMs = o.speed === 'wall' ? 1 : o.speed;
  let clockSimMs = 0;
  const batcher = new BatchCutter({
    maxEvents: o.batchEvents ?? 5000,
    maxAgeMs: perRealMs === 0 ? Number.POSITIVE_INFINITY : (o.flushMs ?? 500) * perRealMs,
    now: () => clockSimMs,
  });
  const startWall = Date.now();
  let firstSim: number | null = null;
  let windowStart = -1;
  let windowSize = windowMs;
  const catchUpMs = o.catchUpWindowMs ?? 3_600_000;
  /** Position in the merged stream (skipped events included) of the next event, and of the batch's first. */
  let seq = 0;
  let batchSeq = 0;
  let sent = 0;
  let batches = 0;
  let skipped = 0;
  let simTimeMs = 0;

  const flush = async () => {
    if (batcher.events === 0) return;
    const lines = batcher.take();
    const batchId = `replay-${id}-${batchSeq}-${lines.length}`;
    await o.send(eventsBatchBody(batchId, lines), batchId, lines.length);
    sent += lines.length;
    batches++;
    o.onProgress?.({ sent, batches, simTimeMs });
  };

  while (heap.size > 0) {
    if (o.isStopped?.()) break;
    const top = heap.pop()!;
    const s = top.s;
    const e = s.events[s.i++]!;
    const next = await nextEvent(s);
    if (next) heap.push(next.timeMs, s);
    const at = seq++;
    if (o.afterMs !== undefined && e.timeMs <= o.afterMs) {
      skipped++;
      continue;
    }
    if (o.speed !== 0) {
      const size = o.speed === 'wall' && e.timeMs < Date.now() - catchUpMs ? catchUpMs : windowMs;
      const w = Math.floor(e.timeMs / size) * size;
      if (w !== windowStart || size !== windowSize) {
        windowStart = w;
        windowSize = size;
        // The window's events leave when its end has come: a batch that is due by then goes first.
        clockSimMs = Math.max(clockSimMs, w + size);
        if (batcher.isDue()) await flush();
        firstSim ??= w;
        const due = o.speed === 'wall' ? w + size : startWall + (w + size - firstSim) / o.speed;
        while (due > Date.now() && !o.isStopped?.()) await sleep(Math.min(1000, due - Date.now()));
      }
    }
    simTimeMs = e.timeMs;
    if (batcher.events === 0) batchSeq = at;
    if (batcher.add(JSON.stringify(encodeEvent(e, null, s.sensor)))) await flush();
  }
  await flush();
  return { sent, batches, simTimeMs, skipped };
}
