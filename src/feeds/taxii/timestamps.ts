/**
 * TAXII 2.1 timestamps (§3.2: RFC 3339, UTC, "Z", any sub-second precision). Object versions are
 * compared through a fixed-width key (nanoseconds), so "…:59Z" sorts before "…:59.444Z" as time
 * does and unlike their text. Dates added are whole microseconds, written with six digits as the
 * OASIS reference server writes them.
 */
import { KobanError } from '../../core/index.js';

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/;

/** The version key of a STIX timestamp, or null when it is not one. */
export function versionKey(ts: string): string | null {
  const m = RFC3339.exec(ts);
  if (!m) return null;
  if (Number.isNaN(Date.parse(`${m[1]}Z`))) return null;
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z`;
}

/** Microseconds since the epoch of an RFC 3339 UTC timestamp (digits past the µs are dropped). */
export function parseMicros(ts: string, what: string): number {
  const m = RFC3339.exec(ts);
  const ms = m ? Date.parse(`${m[1]}Z`) : Number.NaN;
  if (!m || Number.isNaN(ms))
    throw new KobanError(
      'E_USAGE',
      `${what}: "${ts}" is not a timestamp (RFC 3339, UTC, e.g. 2024-01-02T03:04:05.000000Z)`,
    );
  return ms * 1000 + Number((m[2] ?? '').padEnd(6, '0').slice(0, 6));
}

/** A date added (µs) as TAXII writes it: `2024-01-02T03:04:05.123456Z`. */
export function formatMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const base = new Date(ms).toISOString().slice(0, 19);
  const frac = String(us - Math.floor(us / 1_000_000) * 1_000_000).padStart(6, '0');
  return `${base}.${frac}Z`;
}
