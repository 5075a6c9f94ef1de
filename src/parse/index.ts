/**
 * Parsers: one module per input format (iptables/ip6tables and ufw, nftables, pf via tcpdump,
 * Suricata EVE JSON, Snort/Suricata fast.log, pcap/pcapng, DShield submissions), all turning
 * records into the one `ObservationEvent` of `core`. Input is streamed with bounded memory;
 * a bad record becomes a counted rejection with its line (or packet) number, never an abort.
 *
 * Main entry: `parseInput(input, format, ctx)` → the detected format and an async stream of
 * `ParseBatch`es. Data comes from files, pipes or sensor agents and goes to `observe`.
 */
import { KobanError } from '../core/index.js';
import { HEAD_BYTES } from './_input.js';
import { parseLines } from './_lines.js';
import { dshieldFormat } from './dshield.js';
import { eveFormat } from './eve.js';
import { fastlogFormat } from './fastlog.js';
import { iptablesFormat } from './iptables.js';
import { nftablesFormat } from './nftables.js';
import { pcapFormat } from './pcap.js';
import { pfFormat } from './pf.js';
import type { Format, FormatName, LineOutcome, ParseBatch, ParseContext, TextFormat } from './types.js';

export { HEAD_BYTES, openInput, type PeekedInput, peek } from './_input.js';
export { isCalendarDate } from './_tcpdump-time.js';
export { classtypeFromDescription, techniqueOf } from './technique.js';
export {
  emptyBatch,
  FORMAT_NAMES,
  type FormatName,
  type ParseBatch,
  type ParseContext,
  type RecordRejection,
} from './types.js';

export const FORMATS: Readonly<Record<FormatName, Format>> = {
  iptables: iptablesFormat,
  nftables: nftablesFormat,
  pf: pfFormat,
  eve: eveFormat,
  fastlog: fastlogFormat,
  pcap: pcapFormat,
  dshield: dshieldFormat,
};

/** Text formats in detection order; on a tie the earlier wins (nftables reads iptables lines too). */
const TEXT_DETECTION_ORDER: readonly FormatName[] = ['eve', 'iptables', 'fastlog', 'pf', 'dshield'];

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
  for (const name of TEXT_DETECTION_ORDER) {
    const parse = (FORMATS[name] as TextFormat<LineOutcome>).create(ctx);
    let score = 0;
    for (const l of lines) {
      const o = parse(l);
      if ((o as { outcome?: string }).outcome === undefined) score += 2;
      else if ((o as { outcome: string }).outcome === 'skipped' && name === 'eve') score += 1;
    }
    if (score > bestScore) {
      best = name;
      bestScore = score;
    }
  }
  if (best !== null) return best;
  // No parser accepted a line (e.g. every address anonymised): fall back to the record shapes,
  // so the file is read in its format and each line gets its own precise rejection.
  let fallback: FormatName | null = null;
  let fallbackScore = 0;
  for (const [name, looksLike] of SHAPES) {
    const n = lines.filter(looksLike).length;
    if (n > fallbackScore && n * 2 >= lines.length) {
      fallback = name;
      fallbackScore = n;
    }
  }
  return fallback;
}

/** Cheap structural recognition of each text format's lines, used only when no line parses. */
const SHAPES: readonly [FormatName, (line: string) => boolean][] = [
  ['eve', (l) => l.startsWith('{') && l.includes('"event_type"')],
  [
    'iptables',
    (l) => / IN=\S* OUT=/.test(l) || (l.includes('IN=') && l.includes(' SRC=') && l.includes(' PROTO=')),
  ],
  ['fastlog', (l) => l.includes('[**]') && l.includes(' -> ')],
  ['pf', (l) => / rule [^ ]+: (block|pass|match)| (block|pass|match) (in|out) on /.test(l)],
  ['dshield', (l) => l.split('\t').length >= 8 && l.split('\t').length <= 9],
];

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
