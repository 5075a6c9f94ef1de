/**
 * `koban recorder timeline` (docs/recorder-format.md#timeline): which process talked to which
 * address when — each `connection` record joined to the `process-start` record of the process
 * that held the socket (pid, executable and its hash, command line, user), filtered by time,
 * remote address or block, and process name. The time is when the recorder first saw the socket:
 * the connection was opened at most one polling interval before. Marks (C2 indicators, anonymizer
 * answers) are added afterwards by `markTimeline` from any source that can answer for an address.
 */
import { addrBytes, type Cidr, canonicalIp, cidrContains, KobanError, parseCidr } from '../core/index.js';
import type { RecorderRecord } from './format.js';

type ConnectionRecord = Extract<RecorderRecord, { kind: 'connection' }>;
type ProcessStartRecord = Extract<RecorderRecord, { kind: 'process-start' }>;

export interface TimelineProcess {
  readonly pid: number;
  readonly ppid: number | null;
  readonly exe: string | null;
  readonly exeSha256: string | null;
  readonly cmdline: readonly string[];
  readonly uid: number | null;
  readonly user: string | null;
  /** When the recorder first saw the process; null when its start record is not in the chain. */
  readonly seenSince: string | null;
}

export interface Mark {
  /** Which source said so: `indicators`, `center`, `anonymizer`. */
  readonly source: string;
  /** What the address is: `c2`, `indicator`, `tor-exit`, `proxy`, … */
  readonly kind: string;
  readonly detail: string;
}

export interface TimelineEntry {
  readonly time: string;
  readonly seq: number;
  readonly proto: ConnectionRecord['proto'];
  readonly state: string;
  /** `out`: this machine connected; `in`: a listening socket of it accepted; `unknown` (UDP). */
  readonly direction: 'out' | 'in' | 'unknown';
  readonly localAddr: string;
  readonly localPort: number;
  readonly remoteAddr: string;
  readonly remotePort: number;
  /** null: the socket belonged to no process the recorder could see. */
  readonly process: TimelineProcess | null;
  marks: Mark[];
}

export interface TimelineFilter {
  readonly fromMs?: number | undefined;
  readonly toMs?: number | undefined;
  /** An address or a CIDR block. */
  readonly remote?: string | undefined;
  /** Matches the executable's path or the command's first word, case-insensitively, in part. */
  readonly process?: string | undefined;
}

const UNSPECIFIED = new Set(['0.0.0.0', '::']);
const listenKey = (proto: string, addr: string, port: number) => `${proto.replace('6', '')} ${addr} ${port}`;

/** An address or block as a matcher; E_USAGE when it is neither. */
export function addressMatcher(text: string): (addr: string) => boolean {
  const cidr: Cidr | null = text.includes('/') ? parseCidr(text) : null;
  if (cidr !== null)
    return (addr) => {
      const b = addrBytes(addr);
      return b !== null && cidrContains(cidr, b);
    };
  const one = canonicalIp(text);
  if (one === null) throw new KobanError('E_USAGE', `"${text}" is not an address or a CIDR block`);
  return (addr) => canonicalIp(addr) === one;
}

function processOf(c: ConnectionRecord, starts: Map<number, ProcessStartRecord>): TimelineProcess | null {
  if (c.pid === null) return null;
  const p = starts.get(c.pid);
  if (p === undefined)
    return {
      pid: c.pid,
      ppid: null,
      exe: c.exe,
      exeSha256: null,
      cmdline: [],
      uid: null,
      user: null,
      seenSince: null,
    };
  return {
    pid: p.pid,
    ppid: p.ppid,
    exe: p.exe,
    exeSha256: p.exeSha256,
    cmdline: p.cmdline,
    uid: p.uid,
    user: p.user,
    seenSince: p.time,
  };
}

function processMatches(p: TimelineProcess | null, name: string): boolean {
  if (p === null) return false;
  const n = name.toLowerCase();
  return [p.exe, p.cmdline[0]].some((s) => s?.toLowerCase().includes(n) ?? false);
}

/** The connections of a chain, in chain order, each with the process that held its socket. */
export function buildTimeline(records: readonly RecorderRecord[], f: TimelineFilter = {}): TimelineEntry[] {
  const remote = f.remote === undefined ? null : addressMatcher(f.remote);
  // The process a pid names now: a later start of the same pid (reused) replaces it.
  const starts = new Map<number, ProcessStartRecord>();
  const listening = new Set<string>();
  const out: TimelineEntry[] = [];
  for (const r of records) {
    if (r.kind === 'process-start') starts.set(r.pid, r);
    if (r.kind !== 'connection') continue;
    if (r.state === 'listen') listening.add(listenKey(r.proto, r.localAddr, r.localPort));
    if (UNSPECIFIED.has(r.remoteAddr)) continue;
    const t = Date.parse(r.time);
    if ((f.fromMs !== undefined && t < f.fromMs) || (f.toMs !== undefined && t > f.toMs)) continue;
    if (remote !== null && !remote(r.remoteAddr)) continue;
    const process = processOf(r, starts);
    if (f.process !== undefined && !processMatches(process, f.process)) continue;
    const inbound =
      listening.has(listenKey(r.proto, r.localAddr, r.localPort)) ||
      listening.has(listenKey(r.proto, r.proto.endsWith('6') ? '::' : '0.0.0.0', r.localPort));
    out.push({
      time: r.time,
      seq: r.seq,
      proto: r.proto,
      state: r.state,
      direction: r.proto.startsWith('udp') ? 'unknown' : inbound ? 'in' : 'out',
      localAddr: r.localAddr,
      localPort: r.localPort,
      remoteAddr: r.remoteAddr,
      remotePort: r.remotePort,
      process,
      marks: [],
    });
  }
  return out;
}

/** Something that knows about addresses: a list of indicators, the center, the anonymizer database. */
export interface AddressMarker {
  mark(addr: string, atMs: number): Mark[] | Promise<Mark[]>;
}

/**
 * Adds each marker's marks to the entries, asking it once per address and minute (the anonymizer's
 * answer depends on the time; a C2 list's does not, and then the cache holds one answer per address).
 */
export async function markTimeline(
  entries: readonly TimelineEntry[],
  markers: readonly AddressMarker[],
): Promise<void> {
  for (const m of markers) {
    const cache = new Map<string, Mark[]>();
    for (const e of entries) {
      const atMs = Date.parse(e.time);
      const key = `${e.remoteAddr} ${Math.floor(atMs / 60_000)}`;
      let marks = cache.get(key);
      if (marks === undefined) {
        marks = await m.mark(e.remoteAddr, atMs);
        cache.set(key, marks);
      }
      e.marks.push(...marks);
    }
  }
}
