/**
 * Numbers, dates and names as a reader of each language writes them, through `Intl`. Times are
 * shown in the operator's UTC offset (koban.json `utcOffset`; +09:00, Asia/Tokyo's, by default):
 * Node 20's Intl takes IANA zone names only, so an instant is shifted by the offset and formatted
 * as UTC, and the offset is written out where a time of day is shown.
 */
import { formatUtcOffset } from '../../../core/index.js';
import type { Lang } from './negotiate.js';

const LOCALES: Readonly<Record<Lang, string>> = { ja: 'ja-JP', en: 'en-GB' };

export class Formatter {
  private readonly int: Intl.NumberFormat;
  private readonly dec: Intl.NumberFormat;
  private readonly pct: Intl.NumberFormat;
  private readonly day: Intl.DateTimeFormat;
  private readonly month: Intl.DateTimeFormat;
  private readonly time: Intl.DateTimeFormat;
  private readonly regions: Intl.DisplayNames;

  constructor(
    readonly lang: Lang,
    readonly utcOffsetMinutes: number,
  ) {
    const locale = LOCALES[lang];
    this.int = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    this.dec = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    this.pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
    this.day = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', dateStyle: 'medium' });
    this.month = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', year: 'numeric', month: 'long' });
    this.time = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' });
    this.regions = new Intl.DisplayNames([locale], { type: 'region', fallback: 'code' });
  }

  /** A count, with the locale's grouping. */
  count(n: number): string {
    return this.int.format(n);
  }

  /** A rate with two decimals (accesses per address per day). */
  rate(n: number): string {
    return this.dec.format(n);
  }

  /** A share in [0, 1] as a percentage; a change as a signed one. */
  percent(share: number, signed = false): string {
    const s = this.pct.format(share);
    return signed && share > 0 ? `+${s}` : s;
  }

  private shifted(ms: number): Date {
    return new Date(ms + this.utcOffsetMinutes * 60_000);
  }

  /** The day an instant falls on in the operator's offset. */
  date(ms: number): string {
    return this.day.format(this.shifted(ms));
  }

  /** Date and time of day in the operator's offset, with the offset (UTC+09:00). */
  dateTime(ms: number): string {
    return `${this.time.format(this.shifted(ms))} (UTC${formatUtcOffset(this.utcOffsetMinutes)})`;
  }

  /** A calendar month, e.g. 2026年11月 / November 2026. */
  monthName(year: number, month: number): string {
    return this.month.format(new Date(Date.UTC(year, month - 1, 1)));
  }

  /** A country's name from its ISO 3166 code; the code itself when unknown to ICU. */
  country(code: string): string {
    try {
      return this.regions.of(code) ?? code;
    } catch {
      return code;
    }
  }
}
