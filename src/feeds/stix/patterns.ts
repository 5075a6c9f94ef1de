/**
 * Koban values as STIX patterns and back (STIX 2.1 §9, the patterning language). Out: one
 * equality comparison per value. In: a pattern made only of equality comparisons on the object
 * paths Koban has values for, joined by OR (within or between observation expressions), yields
 * those values; anything else — AND, MATCHES, LIKE, other paths, qualifiers — says "not
 * expressible" (a valid pattern Koban does not hold), and text that is no pattern says "malformed".
 */
import type { AtomicType } from '../../intel/index.js';

const PATH_OF: Readonly<Record<AtomicType, string>> = {
  ipv4: 'ipv4-addr:value',
  ipv6: 'ipv6-addr:value',
  // STIX 2.1 §6.4.1/§6.5.1: ipv4-addr and ipv6-addr values may be CIDR blocks.
  cidr: 'ipv4-addr:value',
  domain: 'domain-name:value',
  url: 'url:value',
  email: 'email-addr:value',
  md5: 'file:hashes.MD5',
  sha1: "file:hashes.'SHA-1'",
  sha256: "file:hashes.'SHA-256'",
};

const TYPE_OF: Readonly<Record<string, AtomicType | 'ip'>> = {
  'ipv4-addr:value': 'ip',
  'ipv6-addr:value': 'ip',
  'domain-name:value': 'domain',
  'url:value': 'url',
  'email-addr:value': 'email',
  'file:hashes.md5': 'md5',
  "file:hashes.'md5'": 'md5',
  "file:hashes.'sha-1'": 'sha1',
  'file:hashes.sha1': 'sha1',
  "file:hashes.'sha-256'": 'sha256',
  'file:hashes.sha256': 'sha256',
};

/** §9.4 string literals: a backslash escapes a quote or a backslash. */
function quote(v: string): string {
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function patternOf(type: AtomicType, value: string): string {
  const path = type === 'cidr' && value.includes(':') ? 'ipv6-addr:value' : PATH_OF[type];
  return `[${path} = ${quote(value)}]`;
}

export type PatternValue = { readonly type: AtomicType | 'ip'; readonly value: string };
export type PatternResult =
  | { readonly ok: true; readonly values: readonly PatternValue[] }
  | { readonly ok: false; readonly malformed: boolean; readonly reason: string };

type Token = { kind: 'str' | 'word' | 'punct'; text: string };

function tokenize(p: string): Token[] | string {
  const out: Token[] = [];
  let i = 0;
  while (i < p.length) {
    const c = p[i]!;
    if (/\s/.test(c)) i++;
    else if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= p.length) return 'an unterminated string literal';
        const d = p[i]!;
        if (d === '\\' && i + 1 < p.length) {
          s += p[i + 1];
          i += 2;
        } else if (d === "'") {
          i++;
          break;
        } else {
          s += d;
          i++;
        }
      }
      out.push({ kind: 'str', text: s });
    } else if ('[]()'.includes(c)) {
      out.push({ kind: 'punct', text: c });
      i++;
    } else if (c === '=' || c === '!' || c === '<' || c === '>') {
      const two = p.slice(i, i + 2);
      const op = two === '!=' || two === '<=' || two === '>=' ? two : c;
      out.push({ kind: 'word', text: op });
      i += op.length;
    } else {
      // An object path (with quoted hash names such as hashes.'SHA-256') or a keyword.
      let w = '';
      while (i < p.length && !/[\s[\]()=!<>]/.test(p[i]!)) {
        if (p[i] === "'") {
          const end = p.indexOf("'", i + 1);
          if (end < 0) return 'an unterminated quoted path component';
          w += p.slice(i, end + 1);
          i = end + 1;
        } else w += p[i++];
      }
      out.push({ kind: 'word', text: w });
    }
  }
  return out;
}

/** Reads a pattern of OR-ed equality comparisons on known paths. */
export function valuesOfPattern(pattern: string): PatternResult {
  const tokens = tokenize(pattern);
  if (typeof tokens === 'string') return { ok: false, malformed: true, reason: `pattern has ${tokens}` };
  const values: PatternValue[] = [];
  let depth = 0;
  let expectComparison = true;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'punct') {
      if (t.text === '[' || t.text === '(') depth++;
      else depth--;
      if (depth < 0) return { ok: false, malformed: true, reason: 'pattern has unbalanced brackets' };
      continue;
    }
    if (t.kind === 'word' && /^(OR|AND|FOLLOWEDBY)$/i.test(t.text) && !expectComparison) {
      if (t.text.toUpperCase() !== 'OR')
        return {
          ok: false,
          malformed: false,
          reason: `pattern joins comparisons with ${t.text.toUpperCase()}`,
        };
      expectComparison = true;
      continue;
    }
    if (t.kind === 'word' && !expectComparison)
      return {
        ok: false,
        malformed: false,
        reason: `pattern uses ${t.text} (a qualifier or an operator Koban does not hold)`,
      };
    const op = tokens[i + 1];
    const lit = tokens[i + 2];
    if (t.kind !== 'word' || !op || !lit || op.kind !== 'word')
      return { ok: false, malformed: true, reason: 'pattern is not a list of comparisons' };
    if (!t.text.includes(':'))
      return { ok: false, malformed: true, reason: `"${t.text}" is not an object path` };
    if (op.text !== '=')
      return { ok: false, malformed: false, reason: `pattern compares ${t.text} with ${op.text}, not =` };
    if (lit.kind !== 'str')
      return { ok: false, malformed: false, reason: `pattern compares ${t.text} with a non-string` };
    const type = TYPE_OF[t.text.toLowerCase()];
    if (!type)
      return {
        ok: false,
        malformed: false,
        reason: `pattern tests ${t.text}, which Koban holds no values for`,
      };
    values.push({ type, value: lit.text });
    i += 2;
    expectComparison = false;
  }
  if (depth !== 0) return { ok: false, malformed: true, reason: 'pattern has unbalanced brackets' };
  if (values.length === 0 || expectComparison)
    return { ok: false, malformed: true, reason: 'pattern has no complete comparison' };
  return { ok: true, values };
}
