/**
 * Where `koban recorder timeline` learns what a remote address is: C2 destinations from a file
 * (a STIX bundle `koban intel export --format stix` wrote, or a text list), the indicators the
 * center lets the token's organisation see (`GET /api/v1/intel/export?format=stix`, through intel's
 * access check), and the anonymizer database — the center's `GET /api/v1/anonymizer/check` with
 * the token, or this machine's data directory (`--anonymizer`) — asked at the connection's time.
 */
import { readFileSync } from 'node:fs';
import { KobanError } from '../core/index.js';
import { type StixObject, valuesOfPattern } from '../feeds/index.js';
import {
  type AddressIndicator,
  type AddressMarker,
  type CenterAccess,
  getCenterJson,
  type Mark,
  type ParsedIndicators,
  parseAddressList,
} from '../recorder/index.js';

/** The address indicators of a STIX 2.1 bundle; objects that are not address indicators are skipped. */
export function indicatorsFromStix(bundle: unknown, source: string): ParsedIndicators {
  const objects = (bundle as { type?: unknown; objects?: unknown } | null)?.objects;
  if ((bundle as { type?: unknown } | null)?.type !== 'bundle' || !Array.isArray(objects))
    throw new KobanError('E_FORMAT', `${source}: not a STIX bundle`);
  const indicators: AddressIndicator[] = [];
  const rejected: { line: number; reason: string }[] = [];
  objects.forEach((o: StixObject, i) => {
    if (o?.type !== 'indicator' || o.pattern_type !== 'stix' || typeof o.pattern !== 'string') return;
    const r = valuesOfPattern(o.pattern);
    if (!r.ok) {
      if (r.malformed) rejected.push({ line: i + 1, reason: `object ${String(o.id)}: ${r.reason}` });
      return;
    }
    const validity = [o.valid_from, o.valid_until].map((t) => (typeof t === 'string' ? t : '…')).join(' – ');
    // A Koban export names the value's roles in `labels`: a C2 destination is marked as one.
    const labels = Array.isArray(o.labels) ? o.labels.map(String) : [];
    const kind = labels.includes('c2') ? 'c2' : 'indicator';
    for (const v of r.values)
      if (v.type === 'ip' || v.type === 'ipv4' || v.type === 'ipv6' || v.type === 'cidr')
        indicators.push({
          value: v.value,
          kind,
          detail: `${source}: ${String(o.name ?? o.id)} (${validity}, confidence ${String(o.confidence ?? '?')})`,
        });
  });
  return { indicators, rejected };
}

/** A file: a STIX bundle when it parses as JSON, else a text list. */
export function indicatorsFromFile(file: string): ParsedIndicators {
  const text = readFileSync(file, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return parseAddressList(text, file);
  }
  return indicatorsFromStix(json, file);
}

/** The indicators the token's organisation may see at the center. */
export async function centerIndicators(a: CenterAccess): Promise<ParsedIndicators> {
  return indicatorsFromStix(await getCenterJson(a, '/api/v1/intel/export?format=stix'), 'center');
}

interface AnonAnswer {
  readonly listed: boolean;
  readonly evidence: readonly {
    kind: string;
    list: string;
    entry: string;
    fingerprint: string | null;
    from: string;
    to: string | null;
  }[];
}

const anonMarks = (a: AnonAnswer): Mark[] =>
  a.evidence.map((e) => ({
    source: 'anonymizer',
    kind: e.kind,
    detail: `${e.list} ${e.entry}${e.fingerprint ? ` relay ${e.fingerprint}` : ''} from ${e.from} to ${e.to ?? 'now'}`,
  }));

/**
 * The anonymizer database asked at the connection's time; an answer it refuses (stale data, a time
 * before its history) marks nothing and is counted in `refused`.
 */
export function anonymizerMarker(
  check: (ip: string, atMs: number) => Promise<AnonAnswer>,
  refused: string[],
): AddressMarker {
  return {
    async mark(addr, atMs) {
      try {
        return anonMarks(await check(addr, atMs));
      } catch (e) {
        refused.push(
          `${addr} at ${new Date(atMs).toISOString()}: ${e instanceof Error ? e.message : String(e)}`,
        );
        return [];
      }
    },
  };
}

export const centerAnonymizer = (a: CenterAccess) => (ip: string, atMs: number) =>
  getCenterJson(
    a,
    `/api/v1/anonymizer/check?ip=${encodeURIComponent(ip)}&at=${encodeURIComponent(new Date(atMs).toISOString())}`,
  ) as Promise<AnonAnswer>;
