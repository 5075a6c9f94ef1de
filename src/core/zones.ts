/**
 * The default UTC offset of a country: the operator's day is the domestic country's day (a center
 * in Japan counts its days in JST, +09:00), unless `utcOffset` says otherwise. Koban buckets in a
 * fixed offset (time.ts), so a country observing daylight saving time gets its standard offset,
 * and a country spanning several offsets (US, RU, AU, BR …) gets none: the operator sets one.
 * The zones of a country come from the CLDR data bundled with Node's ICU (`Intl.Locale` zones),
 * with the principal zone named here where a country has one zone of national time and others
 * at its edges.
 */
import { formatUtcOffset } from './time.js';

/** Countries with one national time and outlying zones at other offsets. */
const PRINCIPAL_ZONES: Readonly<Record<string, string>> = {
  JP: 'Asia/Tokyo',
  // Beijing time is the official time everywhere; Asia/Urumqi is the local usage in Xinjiang.
  CN: 'Asia/Shanghai',
};

/** The IANA zones CLDR lists for a region (empty when unknown or when ICU lacks the data). */
function zonesOf(country: string): readonly string[] {
  try {
    const locale = new Intl.Locale(`und-${country}`) as Intl.Locale & {
      readonly timeZones?: readonly string[];
      getTimeZones?: () => readonly string[];
    };
    return locale.getTimeZones?.() ?? locale.timeZones ?? [];
  } catch {
    return [];
  }
}

/** Minutes east of UTC of a zone at an instant. */
function offsetAt(zone: string, ms: number): number | null {
  try {
    const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
      .formatToParts(ms)
      .find((p) => p.type === 'timeZoneName')?.value;
    if (name === 'GMT') return 0;
    const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name ?? '');
    if (!m) return null;
    const minutes = Number(m[2]) * 60 + Number(m[3]);
    return m[1] === '-' ? -minutes : minutes;
  } catch {
    return null;
  }
}

/** Standard (non-DST) offset of a zone: DST moves clocks forward, so the smaller of January's and July's. */
function standardOffset(zone: string, year: number): number | null {
  const jan = offsetAt(zone, Date.UTC(year, 0, 1));
  const jul = offsetAt(zone, Date.UTC(year, 6, 1));
  return jan === null || jul === null ? null : Math.min(jan, jul);
}

/** The country's principal time zone, or null when it has none (unknown, or several offsets). */
export function countryTimeZone(country: string, year = new Date().getUTCFullYear()): string | null {
  const cc = country.toUpperCase();
  const principal = PRINCIPAL_ZONES[cc];
  if (principal) return principal;
  const zones = zonesOf(cc);
  if (zones.length === 0) return null;
  const offsets = new Set(zones.map((z) => standardOffset(z, year)));
  return offsets.size === 1 && !offsets.has(null) ? zones[0]! : null;
}

/** `+09:00` for JP: the standard offset of the country's principal zone, or null (see above). */
export function countryUtcOffset(country: string, year = new Date().getUTCFullYear()): string | null {
  const zone = countryTimeZone(country, year);
  if (zone === null) return null;
  const minutes = standardOffset(zone, year);
  return minutes === null ? null : formatUtcOffset(minutes);
}
