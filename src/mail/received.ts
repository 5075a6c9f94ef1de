/**
 * `Received:` fields (RFC 5321 §4.4 Time-stamp-line; RFC 5322 §3.6.7). The grammar is
 * `from <domain> (<TCP-info>) by <domain> (<comment>) via … with <protocol> id <id> for <path>;
 * <date-time>`, but every MTA bends it: Postfix writes `from helo (rdns [ip])`, Exim
 * `from rdns ([ip] helo=name)` or `from [ip] (port=… helo=name)`, Microsoft `from helo (ip)`,
 * qmail `from unknown (HELO name) (ip)`. We read the clauses token by token, keep comments with
 * the clause they follow, and pull names and addresses out of them by those conventions.
 */
import { canonicalIp } from '../core/index.js';
import { findMailDate, parseMailDate } from './dates.js';
import { normaliseHost } from './domains.js';

export interface ReceivedFacts {
  readonly fromHost: string | null;
  readonly fromRdns: string | null;
  readonly relayIp: string | null;
  readonly byHost: string | null;
  readonly byIp: string | null;
  readonly with: string | null;
  readonly id: string | null;
  readonly for: string | null;
  readonly timestamp: string | null;
  readonly raw: string;
}

type Token = { readonly kind: 'word' | 'comment' | 'angle'; readonly text: string };

const KEYWORDS = new Set(['from', 'by', 'via', 'with', 'id', 'for']);

interface Clause {
  readonly words: string[];
  readonly comments: string[];
  readonly angles: string[];
}

/** Parses one unfolded `Received:` field value. Never throws; unknown parts stay null. */
export function parseReceived(value: string): ReceivedFacts {
  const raw = value.replace(/\s+/g, ' ').trim();
  const semi = lastTopLevelSemicolon(raw);
  let clauses = raw;
  let timestamp: string | null = null;
  if (semi !== -1) {
    timestamp = parseMailDate(raw.slice(semi + 1))?.iso ?? null;
    clauses = raw.slice(0, semi);
  }
  if (timestamp === null) timestamp = findMailDate(raw)?.iso ?? null;
  const parts = splitClauses(tokenize(clauses));
  const from = parts.get('from');
  const by = parts.get('by');
  const fromInfo = from ? readFrom(from) : { host: null, rdns: null, ip: null };
  const byInfo = by ? readBy(by) : { host: null, ip: null };
  const w = parts.get('with');
  const id = parts.get('id');
  const forClause = parts.get('for');
  return {
    fromHost: fromInfo.host,
    fromRdns: fromInfo.rdns,
    relayIp: fromInfo.ip,
    byHost: byInfo.host,
    byIp: byInfo.ip,
    with: w && w.words.length > 0 ? w.words.join(' ') : null,
    id: id?.words[0]?.replace(/[;,]$/, '') ?? null,
    for: forClause ? readFor(forClause) : null,
    timestamp,
    raw,
  };
}

function lastTopLevelSemicolon(s: string): number {
  let depth = 0;
  let last = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (c === ';' && depth === 0) last = i;
  }
  return last;
}

/** Words, `<angle>` paths and (possibly nested) comments (RFC 5322 §3.2.2). */
function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '(') {
      let depth = 0;
      const start = i;
      for (; i < s.length; i++) {
        if (s[i] === '\\') i++;
        else if (s[i] === '(') depth++;
        else if (s[i] === ')' && --depth === 0) break;
      }
      out.push({ kind: 'comment', text: s.slice(start + 1, i) });
      i++;
    } else if (c === '<') {
      const end = s.indexOf('>', i);
      const stop = end === -1 ? s.length : end;
      out.push({ kind: 'angle', text: s.slice(i + 1, stop) });
      i = stop + 1;
    } else {
      const start = i;
      while (i < s.length && !' \t(<'.includes(s[i]!)) i++;
      out.push({ kind: 'word', text: s.slice(start, i) });
    }
  }
  return out;
}

function splitClauses(tokens: readonly Token[]): Map<string, Clause> {
  const out = new Map<string, Clause>();
  let current: Clause | null = null;
  for (const t of tokens) {
    if (t.kind === 'word' && KEYWORDS.has(t.text.toLowerCase()) && !out.has(t.text.toLowerCase())) {
      current = { words: [], comments: [], angles: [] };
      out.set(t.text.toLowerCase(), current);
      continue;
    }
    if (!current) continue;
    if (t.kind === 'word') current.words.push(t.text);
    else if (t.kind === 'comment') current.comments.push(t.text);
    else current.angles.push(t.text);
  }
  return out;
}

const BRACKET_IP = /\[(?:IPv6:)?([0-9A-Fa-f:.]+)(?:%[\w.-]+)?\]/;
const BARE_IP = /^\s*(?:IPv6:)?([0-9A-Fa-f:.]+)(?:%[\w.-]+)?\s*$/;
const HELO = /\bhelo\s*[= ]\s*([^\s()[\]]+)/i;

function literalIp(word: string): string | null {
  const m = BRACKET_IP.exec(word);
  if (m && m.index === 0) return canonicalIp(m[1]!);
  return canonicalIp(word);
}

function ipFromComment(c: string): string | null {
  const b = BRACKET_IP.exec(c);
  if (b) {
    const ip = canonicalIp(b[1]!);
    if (ip) return ip;
  }
  const bare = BARE_IP.exec(c);
  return bare ? canonicalIp(bare[1]!) : null;
}

function readFrom(clause: Clause): { host: string | null; rdns: string | null; ip: string | null } {
  const value = clause.words[0] ?? '';
  let ip = literalIp(value);
  let helo: string | null = null;
  let rdns: string | null = null;
  for (const c of clause.comments) {
    ip ??= ipFromComment(c);
    const h = HELO.exec(c);
    if (h) helo ??= h[1]!;
    // `rdns [ip]` (Postfix, sendmail) or `rdns ([ip] …)`: the name before the bracket.
    const named = /^\s*([^\s[\]()]+)\s+\[/.exec(c);
    if (named && named[1]!.toLowerCase() !== 'unknown') rdns ??= named[1]!;
  }
  // qmail writes a second comment with the address alone: `(HELO name) (1.2.3.4)` is handled above.
  const valueHost = ip !== null && literalIp(value) === ip ? null : value;
  const host = helo ?? valueHost;
  if (helo !== null && valueHost !== null && rdns === null && valueHost.toLowerCase() !== 'unknown')
    rdns = valueHost;
  return { host: cleanHost(host), rdns: cleanHost(rdns), ip };
}

function readBy(clause: Clause): { host: string | null; ip: string | null } {
  const value = clause.words[0] ?? '';
  let ip = literalIp(value);
  for (const c of clause.comments) ip ??= ipFromComment(c);
  const host = literalIp(value) !== null ? null : value;
  return { host: cleanHost(host), ip };
}

function readFor(clause: Clause): string | null {
  const v = clause.angles[0] ?? clause.words[0]?.replace(/^<|>?[;,]?$/g, '');
  return v ? v.trim().toLowerCase() : null;
}

/** A host name as written, lower-cased; the claimed HELO may be anything, so non-names are kept verbatim. */
function cleanHost(s: string | null): string | null {
  if (s === null) return null;
  const t = s.replace(/[;,]$/, '');
  if (t === '') return null;
  return normaliseHost(t)?.ascii ?? t;
}
