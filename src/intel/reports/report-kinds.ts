/**
 * The report kinds other than e-mail, turned into what intake stores: a title, the shareable
 * content, the private part and the indicator candidates. Structured values (C2 destinations,
 * sample hashes) are canonicalised and must be valid; prose is scanned with the text extractor.
 * Private values found in prose (internal addresses, the reporter's own domains) are moved to the
 * private part and replaced in the shared text — by exact match, so a value written in a form the
 * extractor rewrote (defanged, upper case) may survive; reporters are asked to keep prose sender-side.
 */
import { addressScope, KobanError } from '../../core/index.js';
import { canonicalHash, guessIndicator } from '../indicators/canonical.js';
import { indicatorsFromText, type PrivateValue } from '../indicators/from-text.js';
import type { Candidate } from '../indicators/types.js';
import { type ParsedReportInput, whenMs } from './submissions.js';

export const REDACTED_PRIVATE = '[private]';

export interface BuiltReport {
  readonly title: string;
  readonly observedMs: number;
  readonly shared: Record<string, unknown>;
  readonly privatePart: { readonly values: readonly PrivateValue[] };
  readonly candidates: readonly Candidate[];
  readonly warnings: readonly string[];
}

type Destination = {
  value: string;
  port?: number | undefined;
  protocol?: string | undefined;
  note?: string | undefined;
};

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Replaces the private values and every name within the reporter's own domains — the whole name: a
 * host (`pc-0314.x-sangyo.example`) or an address (`taro@x-sangyo.example`) is private as a whole,
 * not only its domain (a host label or a local part left readable names a machine or a person).
 */
function redactor(values: readonly PrivateValue[], ownDomains: readonly string[]): (s: string) => string {
  const byLength = (a: string, b: string) => b.length - a.length;
  const exact = [...new Set(values.map((v) => v.value))].filter((n) => n.length >= 3).sort(byLength);
  const domains = [...new Set(ownDomains)].filter((n) => n.length >= 3).sort(byLength);
  const parts = [
    ...(domains.length > 0
      ? [
          `(?<![A-Za-z0-9._%+-])(?:[A-Za-z0-9._%+-]+@)?(?:[A-Za-z0-9-]+\\.)*(?:${domains.map(escapeRe).join('|')})`,
        ]
      : []),
    ...exact.map(escapeRe),
  ];
  if (parts.length === 0) return (s) => s;
  const re = new RegExp(parts.join('|'), 'gi');
  return (s) => s.replace(re, REDACTED_PRIVATE);
}

function destinations(
  list: readonly Destination[],
  out: Candidate[],
  privateValues: PrivateValue[],
): Record<string, unknown>[] {
  return list.map((d, i) => {
    const g = guessIndicator(d.value);
    if (!g || g.type === 'email' || g.type === 'md5' || g.type === 'sha1' || g.type === 'sha256') {
      throw new KobanError(
        'E_USAGE',
        `destination ${i + 1}: "${d.value}" is not an address, network, domain or URL`,
      );
    }
    const port = d.port ?? g.port;
    if ((g.type === 'ipv4' || g.type === 'ipv6') && addressScope(g.value) === 'private') {
      privateValues.push({ kind: g.type, value: g.value, reason: 'private-address' });
      return { value: REDACTED_PRIVATE };
    }
    const context = {
      ...(port ? { port } : {}),
      ...(d.protocol ? { protocol: d.protocol } : {}),
      ...(d.note ? { note: d.note } : {}),
    };
    out.push({ type: g.type, value: g.value, role: 'c2', confidence: 80, context });
    if (g.type === 'url') {
      const host = new URL(g.value).hostname;
      const h = guessIndicator(host);
      if (h)
        out.push({
          type: h.type,
          value: h.value,
          role: 'c2',
          confidence: 80,
          context: { ...context, from: 'url' },
        });
    }
    return { type: g.type, value: g.value, ...context };
  });
}

export function buildOtherReport(
  r: ParsedReportInput,
  ownDomains: readonly string[],
  receivedMs: number,
): BuiltReport {
  const candidates: Candidate[] = [];
  const privateValues: PrivateValue[] = [];
  const warnings: string[] = [];
  const scan = (text: string, field: string, role: 'mentioned' | 'c2', confidence: number) => {
    const found = indicatorsFromText(text, { role, confidence, ownDomains, field });
    candidates.push(...found.candidates);
    privateValues.push(...found.privateValues);
  };
  const observed = (w: number | string | undefined) => {
    const t = whenMs(w, receivedMs);
    return Number.isFinite(t) ? t : receivedMs;
  };
  switch (r.kind) {
    case 'incident': {
      scan(r.title, 'title', 'mentioned', 50);
      scan(r.description, 'description', 'mentioned', 50);
      for (const [k, v] of Object.entries(r.fields)) scan(v, k, 'mentioned', 50);
      const red = redactor(privateValues, ownDomains);
      const fields = Object.fromEntries(Object.entries(r.fields).map(([k, v]) => [k, red(v)]));
      return done(red(r.title), observed(r.occurredAt), {
        kind: r.kind,
        description: red(r.description),
        fields,
      });
    }
    case 'c2': {
      const shared = destinations(r.destinations, candidates, privateValues);
      if (r.note) scan(r.note, 'note', 'mentioned', 50);
      const red = redactor(privateValues, ownDomains);
      const title = r.title ?? `C2 destinations (${r.destinations.length})`;
      return done(red(title), observed(r.observedAt), {
        kind: r.kind,
        destinations: shared,
        note: r.note ? red(r.note) : null,
      });
    }
    case 'malware': {
      const hashes = r.hashes.map((h, i) => {
        const c = canonicalHash(h);
        if (!c) throw new KobanError('E_USAGE', `hash ${i + 1}: "${h}" is not an MD5, SHA-1 or SHA-256`);
        candidates.push({
          type: c.type,
          value: c.value,
          role: 'payload',
          confidence: 90,
          context: r.fileName ? { fileName: r.fileName } : {},
        });
        return c;
      });
      const c2 = destinations(r.c2, candidates, privateValues);
      if (r.note) scan(r.note, 'note', 'mentioned', 50);
      const red = redactor(privateValues, ownDomains);
      const title = r.title ?? r.family ?? r.fileName ?? 'malware sample';
      return done(red(title), observed(r.observedAt), {
        kind: r.kind,
        hashes,
        fileName: r.fileName ?? null,
        family: r.family ?? null,
        c2,
        note: r.note ? red(r.note) : null,
      });
    }
    case 'text': {
      scan(r.title, 'title', 'mentioned', 40);
      scan(r.text, 'text', 'mentioned', 40);
      const red = redactor(privateValues, ownDomains);
      return done(red(r.title), observed(r.observedAt), { kind: r.kind, text: red(r.text) });
    }
  }

  function done(title: string, observedMs: number, shared: Record<string, unknown>): BuiltReport {
    if (privateValues.length > 0) {
      warnings.push(
        `${privateValues.length} value(s) identifying the reporter were kept private and replaced by ${REDACTED_PRIVATE}`,
      );
    }
    return { title, observedMs, shared, privatePart: { values: privateValues }, candidates, warnings };
  }
}
