/**
 * Netfilter `LOG` target lines (iptables, ip6tables, ufw) as they reach a log file: the kernel's
 * text (read by `_nflog.ts`) behind a syslog, journalctl or `dmesg -T` prefix (read by
 * `_syslog.ts`), e.g.
 *
 *   Mar  5 10:00:00 gw kernel: [12345.678901] [UFW BLOCK] IN=eth0 OUT= MAC=… SRC=198.51.100.7 …
 *
 * The event's sensor is the syslog host name when the line has one, else the context's sensor.
 * The nftables `log` statement writes the same text, so `nftables.ts` reuses this parser.
 */
import { type RecordOutcome, type Skip, skip } from '../../core/index.js';
import type { ParseContext, TextFormat } from '../types.js';
import { frozenReject, NetfilterLogReader, SKIP_NOT_FIREWALL } from './_nflog.js';
import {
  INVALID_TIMESTAMP,
  JOURNAL_MARKER,
  NO_WALL_CLOCK,
  SyslogPrefixReader,
  UNRECOGNISED_TIMESTAMP,
} from './_syslog.js';

const SKIP_JOURNAL: Skip = Object.freeze(skip(JOURNAL_MARKER));
const R_NO_WALL_CLOCK = frozenReject(NO_WALL_CLOCK);
const R_INVALID_TIMESTAMP = frozenReject(INVALID_TIMESTAMP);
const R_UNRECOGNISED_TIMESTAMP = frozenReject(UNRECOGNISED_TIMESTAMP);

/**
 * A line parser for kernel netfilter log lines (iptables/ip6tables `LOG`, ufw, nftables `log`).
 * Shared by `iptablesFormat` and `nftablesFormat`. A raw `dmesg` line (`[12345.678] …`) has no
 * wall-clock time and is rejected; the same line from `dmesg -T` is read in the context's offset.
 */
export function createNetfilterLogParser(ctx: ParseContext): (line: string) => RecordOutcome {
  const prefix = new SyslogPrefixReader(ctx.year, ctx.utcOffsetMinutes, ctx.nowMs);
  const reader = new NetfilterLogReader();
  const sensor = ctx.sensor;
  return (line) => {
    const why = prefix.read(line);
    if (why === null) return reader.read(line, prefix.bodyStart, prefix.timeMs, prefix.host || sensor);
    if (why === NO_WALL_CLOCK)
      return reader.findIn(line, prefix.bodyStart) === -1 ? SKIP_NOT_FIREWALL : R_NO_WALL_CLOCK;
    if (why === JOURNAL_MARKER) return SKIP_JOURNAL;
    return why === INVALID_TIMESTAMP ? R_INVALID_TIMESTAMP : R_UNRECOGNISED_TIMESTAMP;
  };
}

export const iptablesFormat: TextFormat = {
  name: 'iptables',
  kind: 'text',
  create: createNetfilterLogParser,
  // nftables' log lines are the same text: `nftables` is never guessed, iptables reads them.
  detect: {
    rank: 2,
    looksLike: (l) =>
      / IN=\S* OUT=/.test(l) || (l.includes('IN=') && l.includes(' SRC=') && l.includes(' PROTO=')),
  },
};
