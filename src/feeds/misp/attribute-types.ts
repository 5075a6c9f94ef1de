/**
 * MISP attribute types ↔ Koban's atomic indicator types (docs/sharing.md#misp). MISP's types and
 * categories are those of its `describeTypes.json`; composite types (`a|b`) carry two values, of
 * which Koban keeps the ones it has a type for. Types with no Koban equivalent are skipped with the
 * reason, never guessed.
 */
import {
  type AtomicType,
  canonicalIndicator,
  type IndicatorRole,
  type IndicatorType,
} from '../../intel/index.js';

export interface MispTypeOut {
  readonly type: string;
  readonly category: string;
}

/** The MISP type and category a Koban value is published as. */
export function mispTypeOf(type: AtomicType, role: IndicatorRole): MispTypeOut {
  const src = role === 'sender' || role === 'relay';
  switch (type) {
    case 'ipv4':
    case 'ipv6':
    case 'cidr':
      // MISP's ip-src/ip-dst take a single address or a CIDR block.
      return { type: src ? 'ip-src' : 'ip-dst', category: 'Network activity' };
    case 'domain':
      return { type: 'domain', category: 'Network activity' };
    case 'url':
      return { type: 'url', category: 'Network activity' };
    case 'email':
      return { type: src ? 'email-src' : 'email', category: 'Payload delivery' };
    default:
      return { type, category: 'Payload delivery' };
  }
}

/** What each part of a MISP type is for Koban: a type, `ip` (v4, v6 or CIDR by value) or null (dropped). */
type Part = IndicatorType | 'ip' | null;

const PARTS: Readonly<Record<string, readonly Part[]>> = {
  'ip-src': ['ip'],
  'ip-dst': ['ip'],
  'ip-src|port': ['ip', null],
  'ip-dst|port': ['ip', null],
  domain: ['domain'],
  hostname: ['domain'],
  'hostname|port': ['domain', null],
  'domain|ip': ['domain', 'ip'],
  url: ['url'],
  email: ['email'],
  'email-src': ['email'],
  'email-dst': ['email'],
  'email-reply-to': ['email'],
  md5: ['md5'],
  sha1: ['sha1'],
  sha256: ['sha256'],
  'filename|md5': [null, 'md5'],
  'filename|sha1': [null, 'sha1'],
  'filename|sha256': [null, 'sha256'],
};

/** Types skipped on purpose, with why (others: "no Koban equivalent"). */
const NOT_INDICATORS: Readonly<Record<string, string>> = {
  link: 'a link is a reference to a source, not an indicator',
  comment: 'a comment is prose, not an indicator',
  text: 'free text is not an indicator',
  port: 'a port alone is not an indicator',
};

export type AttributeValues =
  | { readonly ok: true; readonly values: readonly { type: IndicatorType; value: string }[] }
  | { readonly ok: false; readonly skip: boolean; readonly reason: string };

function ipType(v: string): IndicatorType {
  if (v.includes('/')) return 'cidr';
  return v.includes(':') ? 'ipv6' : 'ipv4';
}

/**
 * The Koban values of one MISP attribute: skipped (a type Koban does not hold) or rejected (a
 * value that is not what its type says), each with the reason.
 */
export function valuesOfAttribute(mispType: string, value: string): AttributeValues {
  const parts = PARTS[mispType];
  if (!parts) {
    const why = NOT_INDICATORS[mispType] ?? `MISP type ${mispType} has no Koban equivalent`;
    return { ok: false, skip: true, reason: why };
  }
  const pieces = parts.length > 1 ? value.split('|') : [value];
  if (pieces.length !== parts.length)
    return { ok: false, skip: false, reason: `${mispType} needs ${parts.length} values joined by "|"` };
  const out: { type: IndicatorType; value: string }[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === null) continue;
    const raw = pieces[i]!.trim();
    const type = part === 'ip' ? ipType(raw) : part;
    const c = canonicalIndicator(type, raw);
    if (!c) return { ok: false, skip: false, reason: `"${raw}" is not a valid ${type} (${mispType})` };
    out.push({ type: c.type, value: c.value });
  }
  return { ok: true, values: out };
}
