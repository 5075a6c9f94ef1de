/**
 * Indicators in free text (incident descriptions, analysts' notes, pasted sandbox output): the
 * same extractor the e-mail bodies use (URLs, addresses, IPs, domains, refanged) plus file hashes.
 * Values that identify the reporter are not indicators but private: addresses in private ranges
 * (their internal network) and names within the reporting organisation's own domains.
 */
import { addressScope } from '../../core/index.js';
import { extractFromText, isWithin } from '../../mail/index.js';
import { canonicalHash, canonicalIndicator } from './canonical.js';
import type { Candidate, IndicatorRole, IndicatorType } from './types.js';

export interface PrivateValue {
  readonly kind: string;
  readonly value: string;
  readonly reason: 'private-address' | 'reporter-domain';
}

export interface TextIndicators {
  readonly candidates: Candidate[];
  readonly privateValues: PrivateValue[];
}

const HASH_RE = /(?<![0-9a-f])(?:[0-9a-f]{64}|[0-9a-f]{40}|[0-9a-f]{32})(?![0-9a-f])/gi;

/** Characters of one text scanned (the e-mail extraction's default body limit). */
export const MAX_TEXT_CHARS = 4 * 1024 * 1024;

function hostOf(type: IndicatorType, value: string): string | null {
  if (type === 'domain') return value;
  if (type === 'email') return value.slice(value.lastIndexOf('@') + 1);
  if (type === 'url') {
    try {
      return new URL(value).hostname;
    } catch {
      return null;
    }
  }
  return null;
}

export function indicatorsFromText(
  text: string,
  opts: { role: IndicatorRole; confidence: number; ownDomains: readonly string[]; field?: string },
): TextIndicators {
  const t = text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) : text;
  const candidates: Candidate[] = [];
  const privateValues: PrivateValue[] = [];
  const context = opts.field ? { field: opts.field } : {};
  for (const f of extractFromText(t)) {
    const type: IndicatorType = f.kind === 'ip' ? (f.value.includes(':') ? 'ipv6' : 'ipv4') : f.kind;
    const c = canonicalIndicator(type, f.value);
    if (!c) continue;
    if ((c.type === 'ipv4' || c.type === 'ipv6') && addressScope(c.value) === 'private') {
      privateValues.push({ kind: c.type, value: c.value, reason: 'private-address' });
      continue;
    }
    const host = hostOf(c.type, c.value);
    if (host !== null && opts.ownDomains.some((d) => isWithin(host, d))) {
      privateValues.push({ kind: c.type, value: c.value, reason: 'reporter-domain' });
      continue;
    }
    candidates.push({
      type: c.type,
      value: c.value,
      role: opts.role,
      confidence: opts.confidence,
      context: f.defanged ? { ...context, defanged: true } : context,
    });
  }
  for (const m of t.matchAll(HASH_RE)) {
    const h = canonicalHash(m[0]);
    if (h)
      candidates.push({
        type: h.type,
        value: h.value,
        role: opts.role === 'c2' ? 'payload' : opts.role,
        confidence: opts.confidence,
        context,
      });
  }
  return { candidates, privateValues };
}
