/**
 * Tor's published exit data: the TorDNSEL exit list (check.torproject.org `exit-addresses`, and
 * CollecTor's copies with `@type tordnsel 1.0` and `Downloaded`), the bulk exit list (one address a
 * line), Onionoo `details` documents and CSV relay lists (`fingerprint, ipaddr, port`).
 * Pure functions over text; the record shapes are summarised in docs/anonymizer.md.
 */
import { canonicalIp } from '../../core/index.js';
import type { LineRejection, ListEntry, ParsedList } from './entry.js';
import { torTimeMs } from './entry.js';
import { policyFromSummary } from './policy.js';

const FINGERPRINT = /^[0-9A-F]{40}$/;

interface ExitNodeDraft {
  fingerprint: string;
  line: number;
  addresses: { address: string; seenMs: number }[];
}

/**
 * A TorDNSEL exit list. Each `ExitNode` starts a record; `ExitAddress IP TIME` lines give the
 * addresses it was measured exiting from. The list is valid at `Downloaded` when present, otherwise
 * at the newest time it mentions (the plain file has no header).
 */
export function parseTorDnsel(text: string): ParsedList {
  const rejected: LineRejection[] = [];
  const nodes: ExitNodeDraft[] = [];
  let downloaded: number | null = null;
  let newest = Number.NEGATIVE_INFINITY;
  let node: ExitNodeDraft | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const sp = line.indexOf(' ');
    const key = sp < 0 ? line : line.slice(0, sp);
    const rest = sp < 0 ? '' : line.slice(sp + 1);
    const n = i + 1;
    if (key === '@type') continue;
    if (key === 'Downloaded') {
      const t = torTimeMs(rest);
      if (Number.isNaN(t)) rejected.push({ line: n, reason: `bad Downloaded time: ${rest.slice(0, 40)}` });
      else downloaded = t;
    } else if (key === 'ExitNode') {
      if (!FINGERPRINT.test(rest)) {
        rejected.push({ line: n, reason: 'ExitNode without a 40-hex fingerprint' });
        node = null;
        continue;
      }
      node = { fingerprint: rest, line: n, addresses: [] };
      nodes.push(node);
    } else if (key === 'Published' || key === 'LastStatus') {
      const t = torTimeMs(rest);
      if (Number.isNaN(t)) rejected.push({ line: n, reason: `bad ${key} time` });
      else newest = Math.max(newest, t);
    } else if (key === 'ExitAddress') {
      const [ip = '', ...time] = rest.split(' ');
      const address = canonicalIp(ip);
      const t = torTimeMs(time.join(' '));
      if (node === null) rejected.push({ line: n, reason: 'ExitAddress outside an ExitNode record' });
      else if (address === null) rejected.push({ line: n, reason: `not an address: ${ip.slice(0, 60)}` });
      else if (Number.isNaN(t)) rejected.push({ line: n, reason: 'bad ExitAddress time' });
      else {
        node.addresses.push({ address, seenMs: t });
        newest = Math.max(newest, t);
      }
    } else rejected.push({ line: n, reason: `unknown keyword: ${key.slice(0, 40)}` });
  }
  const entries: ListEntry[] = nodes.flatMap((nd) =>
    nd.addresses.map((a) => ({
      address: a.address,
      fingerprint: nd.fingerprint,
      policy: null,
      seenMs: a.seenMs,
      reason: null,
    })),
  );
  const publishedMs = downloaded ?? (Number.isFinite(newest) ? newest : null);
  return { format: 'tordnsel', publishedMs, entries, rejected };
}

/** The bulk exit list (`torbulkexitlist`): one address a line, `#` comments. No validity time. */
export function parseBulk(text: string): ParsedList {
  const rejected: LineRejection[] = [];
  const entries: ListEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const address = canonicalIp(line);
    if (address === null) rejected.push({ line: i + 1, reason: `not an address: ${line.slice(0, 60)}` });
    else entries.push({ address, fingerprint: null, policy: null, seenMs: null, reason: null });
  }
  return { format: 'bulk', publishedMs: null, entries, rejected };
}

/** A relay list as CSV `fingerprint, ipaddr, port`: relays' OR addresses (kind `tor-relay`). */
export function parseRelayCsv(text: string): ParsedList {
  const rejected: LineRejection[] = [];
  const entries: ListEntry[] = [];
  const seen = new Set<string>();
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const cols = line.split(',').map((c) => c.trim());
    const address = canonicalIp(cols[1] ?? '');
    if (cols.length !== 3 || !FINGERPRINT.test(cols[0]!)) {
      rejected.push({ line: i + 1, reason: 'expected fingerprint, ipaddr, port' });
    } else if (address === null) {
      rejected.push({ line: i + 1, reason: `not an address: ${cols[1]!.slice(0, 60)}` });
    } else if (!seen.has(`${cols[0]} ${address}`)) {
      seen.add(`${cols[0]} ${address}`);
      entries.push({ address, fingerprint: cols[0]!, policy: null, seenMs: null, reason: null });
    }
  }
  return { format: 'tor-relays-csv', publishedMs: null, entries, rejected };
}

/** An address out of an Onionoo `or_addresses` item (`1.2.3.4:9001`, `[2001:db8::1]:443`). */
function orHost(s: string): string | null {
  const m = /^\[([^\]]+)\]:\d+$/.exec(s) ?? /^([^:]+):\d+$/.exec(s);
  return m ? canonicalIp(m[1]!) : null;
}

/**
 * An Onionoo `details` document: relays with the Exit flag or measured exit addresses. Their
 * addresses are `exit_addresses` plus the OR addresses (Onionoo lists in `exit_addresses` only
 * those that differ), each with the relay's `exit_policy_summary`.
 */
export function parseOnionoo(doc: unknown): ParsedList {
  const rejected: LineRejection[] = [];
  const entries: ListEntry[] = [];
  const root = (doc ?? {}) as { relays?: unknown; relays_published?: unknown };
  const published = typeof root.relays_published === 'string' ? torTimeMs(root.relays_published) : Number.NaN;
  const relays = Array.isArray(root.relays) ? root.relays : [];
  if (!Array.isArray(root.relays)) rejected.push({ line: 0, reason: 'no relays array' });
  relays.forEach((r: unknown, idx) => {
    const relay = (r ?? {}) as Record<string, unknown>;
    const fp = typeof relay.fingerprint === 'string' ? relay.fingerprint.toUpperCase() : '';
    const exits = Array.isArray(relay.exit_addresses) ? relay.exit_addresses : [];
    const flags = Array.isArray(relay.flags) ? relay.flags : [];
    if (!FINGERPRINT.test(fp)) {
      rejected.push({ line: idx + 1, reason: 'relay without a 40-hex fingerprint' });
      return;
    }
    if (!flags.includes('Exit') && exits.length === 0) return;
    const policy =
      relay.exit_policy_summary === undefined ? null : policyFromSummary(relay.exit_policy_summary);
    if (relay.exit_policy_summary !== undefined && policy === null) {
      rejected.push({ line: idx + 1, reason: `relay ${fp}: unreadable exit_policy_summary` });
      return;
    }
    const ors = Array.isArray(relay.or_addresses) ? relay.or_addresses : [];
    const addresses = new Set<string>();
    for (const a of exits) {
      const c = typeof a === 'string' ? canonicalIp(a) : null;
      if (c === null) rejected.push({ line: idx + 1, reason: `relay ${fp}: bad exit address` });
      else addresses.add(c);
    }
    for (const a of ors) {
      const c = typeof a === 'string' ? orHost(a) : null;
      if (c === null) rejected.push({ line: idx + 1, reason: `relay ${fp}: bad OR address` });
      else addresses.add(c);
    }
    for (const address of addresses)
      entries.push({ address, fingerprint: fp, policy, seenMs: null, reason: null });
  });
  return { format: 'onionoo', publishedMs: Number.isNaN(published) ? null : published, entries, rejected };
}
