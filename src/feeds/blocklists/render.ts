/**
 * Blocklist entries (entries.ts) in the formats the service-provider council's devices read —
 * pure, deterministic (dates come from the data), so the same list gives the same bytes and ETag:
 * - `text`: one value per line under a `#` comment header (firewalls, proxies, `ipset`);
 * - `csv`: RFC 4180, a header row, value, type, confidence, valid_until, first_seen, last_seen,
 *   campaigns;
 * - `suricata`: one rule per destination (Suricata 6+ sticky buffers: `dns.query`, `http.host`,
 *   `http.uri`), sids stable per value (sids.ts);
 * - `rpz`: a DNS Response Policy Zone (draft-vixie-dnsop-dns-rpz): SOA and NS at the apex, each
 *   domain and its subdomains as `CNAME .` (NXDOMAIN), each address or network as an `rpz-ip`
 *   trigger (`CNAME .` for answers holding it). URLs have no RPZ trigger and are left out (counted
 *   in the header).
 * The incremental variant (`since`) lists what was added or changed after `since` and what left
 * the list (expired) since; the RPZ zone is always whole (a zone is transferred whole or by IXFR).
 */
import { canonicalIp } from '../../core/index.js';
import type { BlocklistEntry } from './entries.js';
import { stableSids } from './sids.js';

export const BLOCKLIST_FORMATS = ['text', 'csv', 'suricata', 'rpz'] as const;
export type BlocklistFormat = (typeof BLOCKLIST_FORMATS)[number];

export interface RenderInput {
  readonly center: string;
  /** The list's version (entries.ts `listVersionMs`). */
  readonly versionMs: number;
  readonly listed: readonly BlocklistEntry[];
  /** Set for the incremental variant: entries added since, and entries that left the list. */
  readonly since?: { readonly sinceMs: number; readonly removed: readonly BlocklistEntry[] };
  /** RPZ zone's SOA contact and name server (default `hostmaster.invalid.`, `localhost.`). */
  readonly rpz?: { readonly contact?: string; readonly nameServer?: string };
}

const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());
const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');

function header(f: BlocklistFormat, x: RenderInput, comment: string): string[] {
  const lines = [
    `Koban C2 destinations (${f}) from ${oneLine(x.center)}`,
    `version ${x.versionMs > 0 ? iso(x.versionMs) : 'empty'}; ${x.listed.length} ${x.since ? 'added or changed' : 'entries'}`,
  ];
  if (x.since) lines.push(`changes since ${iso(x.since.sinceMs)}; ${x.since.removed.length} removed`);
  lines.push('each entry expires at its valid_until; fetch again with If-None-Match');
  return lines.map((l) => `${comment} ${l}`);
}

function text(x: RenderInput): string {
  const lines = header('text', x, '#');
  if (x.since) {
    for (const e of x.listed) lines.push(`+${e.value}`);
    for (const e of x.since.removed) lines.push(`-${e.value}`);
  } else for (const e of x.listed) lines.push(e.value);
  return `${lines.join('\n')}\n`;
}

/** RFC 4180: quote a field holding a comma, quote or line break; double the quotes. */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csv(x: RenderInput): string {
  const cols = ['value', 'type', 'confidence', 'valid_until', 'first_seen', 'last_seen', 'campaigns'];
  const row = (e: BlocklistEntry) =>
    [
      e.value,
      e.type,
      String(e.confidence),
      iso(e.validUntilMs),
      iso(e.firstSeenMs),
      iso(e.lastSeenMs),
      e.campaigns.join(';'),
    ].map(csvField);
  const lines = [(x.since ? ['action', ...cols] : cols).join(',')];
  for (const e of x.listed) lines.push((x.since ? ['add', ...row(e)] : row(e)).join(','));
  for (const e of x.since?.removed ?? []) lines.push(['remove', ...row(e)].join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Suricata content: `;`, `"`, `\` and `|` written as hex bytes (Suricata rules format, "content"). */
function content(s: string): string {
  return s.replace(/[;"\\|]/g, (c) => `|${c.charCodeAt(0).toString(16).padStart(2, '0')}|`);
}

/** Suricata msg: `;`, `"` and `\` escaped with a backslash. */
function msg(s: string): string {
  return s.replace(/[;"\\]/g, (c) => `\\${c}`);
}

function suricataRule(e: BlocklistEntry, sid: number): string {
  const meta = `metadata:koban_confidence ${e.confidence}, koban_valid_until ${iso(e.validUntilMs).slice(0, 10) || 'none'};`;
  const tail = `classtype:trojan-activity; ${meta} sid:${sid}; rev:1;`;
  const m = `msg:"Koban C2 destination ${msg(e.value)}";`;
  switch (e.type) {
    case 'domain':
      return `alert dns $HOME_NET any -> any any (${m} dns.query; dotprefix; content:".${content(e.value)}"; nocase; endswith; ${tail})`;
    case 'url': {
      const u = new URL(e.value);
      // The path as the center holds it (URL's own serialisation would percent-encode quotes).
      const slash = e.value.indexOf('/', e.value.indexOf('//') + 2);
      const path = slash < 0 ? '/' : e.value.slice(slash).replace(/#.*$/, '');
      return `alert http $HOME_NET any -> any any (${m} flow:established,to_server; http.host; content:"${content(u.hostname)}"; nocase; endswith; http.uri; content:"${content(path)}"; startswith; ${tail})`;
    }
    default:
      return `alert ip $HOME_NET any -> [${e.value}] any (${m} ${tail})`;
  }
}

function suricata(x: RenderInput): string {
  const lines = header('suricata', x, '#');
  const sids = stableSids([...x.listed, ...(x.since?.removed ?? [])]);
  for (const e of x.listed) lines.push(suricataRule(e, sids.get(`${e.type}:${e.value}`)!));
  for (const e of x.since?.removed ?? [])
    lines.push(`# removed sid:${sids.get(`${e.type}:${e.value}`)!} ${oneLine(e.value)}`);
  return `${lines.join('\n')}\n`;
}

/** The rpz-ip owner name of an address or network (draft-vixie-dnsop-dns-rpz §4.3). */
export function rpzIpOwner(value: string): string {
  const [addr, len] = value.split('/') as [string, string | undefined];
  const ip = canonicalIp(addr) ?? addr;
  if (!ip.includes(':')) return `${len ?? '32'}.${ip.split('.').reverse().join('.')}.rpz-ip`;
  // IPv6: the eight 16-bit words, lowest first, without leading zeros; the longest run of zero
  // words (two or more) written `zz`, as `::` is in text.
  const [head, rest] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = rest ? rest.split(':') : [];
  const words = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((w) =>
    w.replace(/^0+(?=.)/, ''),
  );
  let best = { at: -1, n: 0 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && words[j] === '0') j++;
    if (j - i > best.n) best = { at: i, n: j - i };
    i = j === i ? i + 1 : j;
  }
  const out = best.n >= 2 ? [...words.slice(0, best.at), 'zz', ...words.slice(best.at + best.n)] : words;
  return `${len ?? '128'}.${out.reverse().join('.')}.rpz-ip`;
}

function rpz(x: RenderInput): string {
  const contact = x.rpz?.contact ?? 'hostmaster.invalid.';
  const ns = x.rpz?.nameServer ?? 'localhost.';
  // The serial is the list's version in seconds: it grows whenever the list changes (RFC 1982
  // arithmetic holds for 32-bit seconds until 2106).
  const serial = Math.floor(x.versionMs / 1000) >>> 0;
  const urls = x.listed.filter((e) => e.type === 'url').length;
  const lines = [
    ...header('rpz', { ...x, since: undefined }, ';'),
    `; ${urls} URL entries have no RPZ trigger and are not in this zone`,
    '$TTL 300',
    `@ IN SOA ${ns} ${contact} ${serial} 3600 600 604800 300`,
    `@ IN NS ${ns}`,
  ];
  for (const e of x.listed) {
    if (e.type === 'domain') lines.push(`${e.value} CNAME .`, `*.${e.value} CNAME .`);
    else if (e.type !== 'url') lines.push(`${rpzIpOwner(e.value)} CNAME .`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderBlocklist(f: BlocklistFormat, x: RenderInput): string {
  switch (f) {
    case 'text':
      return text(x);
    case 'csv':
      return csv(x);
    case 'suricata':
      return suricata(x);
    case 'rpz':
      return rpz(x);
  }
}

export const BLOCKLIST_MEDIA_TYPES: Readonly<Record<BlocklistFormat, string>> = {
  text: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
  suricata: 'text/plain; charset=utf-8',
  rpz: 'text/dns; charset=utf-8',
};
