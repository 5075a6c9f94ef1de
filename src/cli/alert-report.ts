/**
 * `koban alerts show ID` as a report an operator reads top to bottom: what happened (title,
 * severity, kind, status), when (in the operator's UTC offset, with how long it lasted), what was
 * seen (the kind's own figures, alert-report-kinds.ts), who it came from (the top sources with their
 * country and AS — looked up when the detector did not record them), and what to do next. `--json`
 * keeps the whole stored document; this page leaves out the series and the internals.
 */
import { formatInOffset, formatUtcOffset } from '../core/index.js';
import { episodeState, formatDuration, type OperatorAlert } from '../detect/index.js';
import { table } from './_output.js';
import { type Evidence, kindReport, list, num, str } from './alert-report-kinds.js';

/** Country and AS of an address (observe's enrichment, or a test's table). */
export type AddressLookup = (address: string) => { country: string | null; asn: number | null };

export interface ReportOptions {
  /** The operator's UTC offset in minutes (koban.json `utcOffset`). */
  readonly offsetMinutes: number;
  /** Fills in the country and AS of top sources the evidence lacks them for. */
  readonly lookup?: AddressLookup | undefined;
}

/** A source as the report lists it. */
interface SourceLine {
  readonly address: string;
  readonly packets: number | null;
  readonly country: string | null;
  readonly asn: number | null;
}

/** `2006-08-18 14:05` in the offset (the offset itself is said once, in the heading). */
export function humanTime(ms: number, offsetMinutes: number): string {
  return formatInOffset(ms, offsetMinutes).slice(0, 16).replace('T', ' ');
}

const msOf = (v: unknown): number | null => {
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
};

/** The sources the evidence names: its top sources, a scan's source, a DDoS victim. */
function sourcesOf(a: OperatorAlert): SourceLine[] {
  const ev = a.evidence as Evidence;
  const top = list(ev.top_sources).map((r) => ({
    address: str(r.src) ?? str(r.source) ?? '?',
    packets: num(r.packets),
    country: str(r.country),
    asn: num(r.asn),
  }));
  if (top.length > 0) return top;
  const single = a.kind === 'scan' ? str(ev.source) : a.kind === 'backscatter' ? str(ev.victim) : null;
  if (single === null) return [];
  return [{ address: single, packets: num(ev.packets), country: str(ev.country), asn: num(ev.asn) }];
}

/** The addresses whose country or AS the report would have to look up (none: no database opened). */
export function addressesToEnrich(a: OperatorAlert): string[] {
  return sourcesOf(a)
    .filter((s) => s.country === null || s.asn === null)
    .map((s) => s.address);
}

function enriched(sources: readonly SourceLine[], lookup: AddressLookup | undefined): SourceLine[] {
  if (!lookup) return [...sources];
  return sources.map((s) => {
    if (s.country !== null && s.asn !== null) return s;
    const info = lookup(s.address);
    return { ...s, country: s.country ?? info.country, asn: s.asn ?? info.asn };
  });
}

function whenLines(a: OperatorAlert, off: number): string[] {
  const ev = a.evidence as Evidence;
  const began = msOf(ev.episode_start) ?? a.firstMs;
  const detected = msOf(ev.detected);
  const ended = msOf(ev.end) ?? msOf(ev.ended);
  const state = episodeState(a);
  const endMs = ended ?? a.lastMs;
  const rows: [string, string][] = [['began', humanTime(began, off)]];
  if (detected !== null)
    rows.push([
      'detected',
      `${humanTime(detected, off)}${detected > began ? ` (${formatDuration(detected - began)} after it began)` : ''}`,
    ]);
  rows.push([state === 'ended' ? 'ended' : 'last seen', humanTime(endMs, off)]);
  rows.push([
    'duration',
    `${formatDuration(Math.max(0, endMs - began))}${state === 'ongoing' ? ', still going on' : ''}`,
  ]);
  if (a.ackedBy !== null && a.ackedMs !== null)
    rows.push(['acknowledged', `by ${a.ackedBy}, ${humanTime(a.ackedMs, off)}`]);
  if (a.closedBy !== null && a.closedMs !== null)
    rows.push(['closed', `by ${a.closedBy}, ${humanTime(a.closedMs, off)}`]);
  return rows.map(([k, v]) => `  ${k.padEnd(12)} ${v}`);
}

const indent = (text: string): string =>
  text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');

function counted(v: unknown, key: string, value: string): string | null {
  const rows = list(v)
    .map((r) => [str(r[key]), num(r[value]) ?? num(r.packets) ?? num(r.sources)] as const)
    .filter((r): r is readonly [string, number | null] => r[0] !== null);
  if (rows.length === 0) return null;
  return rows.map(([k, n]) => (n === null ? k : `${k} ${n.toLocaleString('en-US')}`)).join(', ');
}

/** The alert as a readable report (see the file's comment). */
export function renderAlertReport(a: OperatorAlert, o: ReportOptions): string {
  const ev = a.evidence as Evidence;
  const state = episodeState(a);
  const out: string[] = [
    `Alert ${a.id} · ${a.severity.toUpperCase()} · ${a.kind} · ${a.status}${state === '-' ? '' : ` · episode ${state}`}`,
    a.title,
    '',
    `When (UTC${formatUtcOffset(o.offsetMinutes)})`,
    ...whenLines(a, o.offsetMinutes),
  ];
  const k = kindReport(a);
  if (k.seen.length > 0) out.push('', 'What was seen', ...k.seen.map((l) => `  ${l}`));
  const sources = enriched(sourcesOf(a), o.lookup);
  if (sources.length > 0) {
    const label = a.kind === 'backscatter' ? 'Victim' : sources.length === 1 ? 'Source' : 'Top sources';
    const rows = sources.map((s) => [
      s.address,
      s.packets,
      s.country ?? '-',
      s.asn === null ? '-' : `AS${s.asn}`,
    ]);
    out.push('', label, indent(table(['address', 'packets', 'country', 'AS'], rows)));
  }
  const countries = counted(ev.countries, 'country', 'sources');
  const sensors = counted(ev.sensors, 'sensor', 'sources');
  if (countries !== null || sensors !== null) out.push('');
  if (countries !== null) out.push(`Countries   ${countries}`);
  if (sensors !== null) out.push(`Sensors     ${sensors}`);
  out.push('', 'What to do next', ...k.next.map((l, i) => `  ${i + 1}. ${l}`));
  const verbs =
    a.status === 'open'
      ? [`koban alerts ack ${a.id}`, `koban alerts close ${a.id}`]
      : a.status === 'acknowledged'
        ? [`koban alerts close ${a.id}`]
        : [];
  out.push(`  ${[...verbs, `koban alerts show ${a.id} --json (the full evidence)`].join(' · ')}`);
  return out.join('\n');
}
