/**
 * Parsers: one module per input format, grouped by the family of tools that writes it —
 * `netfilter/` (iptables/ip6tables and ufw, nftables: the kernel's log text over syslog), `pf/` (pf
 * via tcpdump), `ids/` (Suricata EVE JSON, Snort/Suricata fast.log, the technique classification),
 * `pcap/` (pcap/pcapng captures and the packet decoder), `dshield/` (DShield submissions) — all
 * turning records into the one `ObservationEvent` of `core`. Input is streamed with bounded memory;
 * a bad record becomes a counted rejection with its line (or packet) number, never an abort.
 *
 * Main entry: `parseInput(input, format, ctx)` → the detected format and an async stream of
 * `ParseBatch`es. Data comes from files, pipes or sensor agents and goes to `observe`. A new format
 * is one file exporting a `TextFormat` or `BinaryFormat` (types.ts) plus one line in `FORMATS`.
 */
import { KobanError } from '../core/index.js';
import { HEAD_BYTES } from './_input.js';
import { parseLines } from './_lines.js';
import { dshieldFormat } from './dshield/dshield.js';
import { eveFormat } from './ids/eve.js';
import { fastlogFormat } from './ids/fastlog.js';
import { iptablesFormat } from './netfilter/iptables.js';
import { nftablesFormat } from './netfilter/nftables.js';
import { pcapFormat } from './pcap/pcap.js';
import { pfFormat } from './pf/pf.js';
import type { Format, LineOutcome, ParseBatch, ParseContext, TextDetection, TextFormat } from './types.js';

export { HEAD_BYTES, openInput, type PeekedInput, peek } from './_input.js';
export { classtypeFromDescription, techniqueOf } from './ids/technique.js';
export { isCalendarDate } from './pf/_tcpdump-time.js';
export {
  emptyBatch,
  type ParseBatch,
  type ParseContext,
  type RecordRejection,
} from './types.js';

/**
 * The formats, by name: the one place a parser is registered (its file exports a `TextFormat` or a
 * `BinaryFormat`; one line here). Names, `--format` choices and auto-detection derive from it.
 */
const REGISTRY = {
  iptables: iptablesFormat,
  nftables: nftablesFormat,
  pf: pfFormat,
  eve: eveFormat,
  fastlog: fastlogFormat,
  pcap: pcapFormat,
  dshield: dshieldFormat,
} as const;

/** Input formats `koban import` reads. `pcap` covers pcap and pcapng. */
export type FormatName = keyof typeof REGISTRY;
export const FORMATS: Readonly<Record<FormatName, Format>> = REGISTRY;
export const FORMAT_NAMES = Object.keys(REGISTRY) as readonly FormatName[];

type Guessable = TextFormat<LineOutcome> & { readonly detect: TextDetection };

/** Text formats that can be guessed, in detection order (their `detect.rank`). */
const GUESSABLE: readonly Guessable[] = Object.values(FORMATS)
  .filter((f): f is Guessable => f.kind === 'text' && f.detect !== undefined)
  .sort((a, b) => a.detect.rank - b.detect.rank);

const DETECT_LINES = 64;

/**
 * Names the format of an input from its first bytes: binary magics first, then the text format
 * whose parser accepts the most of the first lines. Returns null when nothing fits.
 */
export function detectFormat(head: Uint8Array, ctx: ParseContext): FormatName | null {
  for (const f of Object.values(FORMATS)) if (f.kind === 'binary' && f.sniff(head)) return f.name;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  const all = text.split('\n');
  if (head.length >= HEAD_BYTES) all.pop(); // the last line of a cut head may be partial
  const lines = all
    .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
    .filter((l) => l.length > 0)
    .slice(0, DETECT_LINES);
  let best: FormatName | null = null;
  let bestScore = 0;
  for (const f of GUESSABLE) {
    const parse = f.create(ctx);
    const skippedScore = f.detect.skippedLinesCount ? 1 : 0;
    let score = 0;
    for (const l of lines) {
      const o = parse(l);
      if ((o as { outcome?: string }).outcome === undefined) score += 2;
      else if ((o as { outcome: string }).outcome === 'skipped') score += skippedScore;
    }
    if (score > bestScore) {
      best = f.name;
      bestScore = score;
    }
  }
  if (best !== null) return best;
  // No parser accepted a line (e.g. every address anonymised): fall back to the record shapes,
  // so the file is read in its format and each line gets its own precise rejection.
  let fallback: FormatName | null = null;
  let fallbackScore = 0;
  for (const f of GUESSABLE) {
    const n = lines.filter((l) => f.detect.looksLike(l)).length;
    if (n > fallbackScore && n * 2 >= lines.length) {
      fallback = f.name;
      fallbackScore = n;
    }
  }
  return fallback;
}

export interface ParseInputOptions {
  /** Longest accepted text line, in characters. */
  readonly maxLineChars: number;
  /** Display name of the input for error messages. */
  readonly name: string;
}

/** Parses an already-peeked input in the given (or detected) format. */
export function parseInput(
  input: { head: Uint8Array; stream: AsyncIterable<Uint8Array> },
  format: FormatName | 'auto',
  ctx: ParseContext,
  options: ParseInputOptions,
): { format: FormatName; batches: AsyncGenerator<ParseBatch> } {
  const name = format === 'auto' ? detectFormat(input.head, ctx) : format;
  if (name === null) {
    throw new KobanError(
      'E_FORMAT',
      `${options.name}: could not recognise the format; name it with --format (one of ${Object.keys(FORMATS).join(', ')})`,
    );
  }
  const f = FORMATS[name];
  if (f.kind === 'binary') return { format: name, batches: f.parse(input.stream, ctx) };
  return {
    format: name,
    batches: parseLines(input.stream, f.create(ctx), options.maxLineChars, ctx.skipRecords ?? 0),
  };
}
