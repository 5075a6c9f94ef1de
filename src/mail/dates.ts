/**
 * Date-time parsing for `Date:` and the time stamp of `Received:` (RFC 5322 §3.3, obsolete forms
 * §4.3). `Date.parse` is not used directly: it reads a zone-less date in the host's local time
 * and rejects zone names mail servers still write (`JST`), and mailparser substitutes the current
 * time for an unreadable date, which would plant a false fact in a report.
 */

const MONTHS: Readonly<Record<string, number>> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

/** RFC 5322 §4.3 obs-zone names (military letters read as -0000), plus zones seen in Asian mail. */
const ZONES: Readonly<Record<string, number>> = {
  ut: 0,
  utc: 0,
  gmt: 0,
  z: 0,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
  jst: 540,
  kst: 540,
  cet: 60,
  cest: 120,
  bst: 60,
};

const RFC5322 =
  /^(?:[A-Za-z]{3},?\s*)?(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*([+-]\d{4}|[A-Za-z]{1,5})?/;
const ISO_LIKE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?\s*([+-]\d{2}:?\d{2}|Z|UTC)?/i;

export interface ParsedDate {
  readonly iso: string;
  /** The zone was missing or unknown and UTC was assumed. */
  readonly zoneAssumed: boolean;
}

/** Parses a mail date-time to ISO 8601 UTC, or null. */
export function parseMailDate(text: string): ParsedDate | null {
  const t = text
    .replace(/\([^()]*\)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const m = RFC5322.exec(t);
  if (m) {
    const month = MONTHS[m[2]!.toLowerCase()];
    if (month === undefined) return null;
    let year = Number(m[3]);
    if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
    else if (m[3]!.length === 3) year += 1900;
    const zone = zoneMinutes(m[7]);
    return build(year, month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0), zone);
  }
  const iso = ISO_LIKE.exec(t);
  if (iso) {
    const z = iso[7]?.toUpperCase();
    const zone = z === undefined ? null : z === 'Z' || z === 'UTC' ? 0 : zoneMinutes(z.replace(':', ''));
    const [y, mo, d, h, mi, s] = iso.slice(1, 7).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    return build(y, mo - 1, d, h, mi, s, zone);
  }
  return null;
}

function zoneMinutes(z: string | undefined): number | null {
  if (z === undefined) return null;
  if (/^[+-]\d{4}$/.test(z)) {
    const sign = z[0] === '-' ? -1 : 1;
    return sign * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
  }
  const named = ZONES[z.toLowerCase()];
  if (named !== undefined) return named;
  return z.length === 1 ? 0 : null;
}

function build(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  zone: number | null,
): ParsedDate | null {
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  const ms = Date.UTC(year, month, day, hour, minute, Math.min(second, 59)) - (zone ?? 0) * 60_000;
  const d = new Date(ms);
  if (Number.isNaN(ms) || d.getUTCFullYear() < 1970 || d.getUTCFullYear() > 9999) return null;
  return { iso: d.toISOString(), zoneAssumed: zone === null };
}

const EMBEDDED_DATE =
  /(?:[A-Za-z]{3},?\s+)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?\s*(?:[+-]\d{4}|[A-Z]{1,5})?|\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?\s*(?:[+-]\d{2}:?\d{2}|Z|UTC)?/;

/** Finds a date-time anywhere in `text` (for `Received:` fields that omit the `;`). */
export function findMailDate(text: string): ParsedDate | null {
  const m = EMBEDDED_DATE.exec(text);
  return m ? parseMailDate(m[0]) : null;
}
