/**
 * A file written through one large buffer: writers put bytes straight into `buf` at `pos` (no string
 * building per record) and the sink hands the buffer to the kernel in one `fs.writeSync` per few
 * megabytes. Plus the small byte-formatting helpers the text writers share.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

/** Bytes per write. */
export const SINK_BYTES = 4 * 1024 * 1024;
/** Room kept free for one record: writers check `pos > limit` once per record. */
const RECORD_SLACK = 4096;

export class ByteSink {
  readonly buf: Uint8Array;
  pos = 0;
  /** Bytes already handed to the file. */
  written = 0;
  /** Flush when `pos` exceeds this. */
  readonly limit: number;
  private fd: number;

  constructor(
    readonly path: string,
    size = SINK_BYTES,
  ) {
    this.buf = new Uint8Array(size + RECORD_SLACK);
    this.limit = size;
    this.fd = openSync(path, 'w');
  }

  /** Current file offset (written plus buffered). */
  get offset(): number {
    return this.written + this.pos;
  }

  flush(): void {
    let off = 0;
    while (off < this.pos) off += writeSync(this.fd, this.buf, off, this.pos - off);
    this.written += this.pos;
    this.pos = 0;
  }

  close(): void {
    this.flush();
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

export const encodeAscii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

/** Copies `src` into `b` at `p`; returns the new position. */
export function putBytes(b: Uint8Array, p: number, src: Uint8Array): number {
  const n = src.length;
  if (n > 24) {
    b.set(src, p);
    return p + n;
  }
  for (let i = 0; i < n; i++) b[p + i] = src[i]!;
  return p + n;
}

/** ASCII digits of 000–999, three bytes each. */
const DIGITS3 = (() => {
  const t = new Uint8Array(3000);
  for (let i = 0; i < 1000; i++) {
    t[i * 3] = 48 + Math.floor(i / 100);
    t[i * 3 + 1] = 48 + (Math.floor(i / 10) % 10);
    t[i * 3 + 2] = 48 + (i % 10);
  }
  return t;
})();

/** Writes 0–999 without leading zeros. */
function putSmall(b: Uint8Array, p: number, n: number): number {
  const k = n * 3;
  if (n >= 100) {
    b[p] = DIGITS3[k]!;
    b[p + 1] = DIGITS3[k + 1]!;
    b[p + 2] = DIGITS3[k + 2]!;
    return p + 3;
  }
  if (n >= 10) {
    b[p] = DIGITS3[k + 1]!;
    b[p + 1] = DIGITS3[k + 2]!;
    return p + 2;
  }
  b[p] = 48 + n;
  return p + 1;
}

/** Writes exactly three digits (000–999). */
function put3(b: Uint8Array, p: number, n: number): number {
  const k = n * 3;
  b[p] = DIGITS3[k]!;
  b[p + 1] = DIGITS3[k + 1]!;
  b[p + 2] = DIGITS3[k + 2]!;
  return p + 3;
}

/** Decimal digits of a non-negative integer (up to 2^53). */
export function putUint(b: Uint8Array, p: number, n: number): number {
  if (n < 1000) return putSmall(b, p, n);
  if (n < 1_000_000) {
    const hi = (n / 1000) | 0;
    return put3(b, putSmall(b, p, hi), n - hi * 1000);
  }
  if (n < 1_000_000_000) {
    const hi = (n / 1_000_000) | 0;
    const rest = n - hi * 1_000_000;
    const mid = (rest / 1000) | 0;
    return put3(b, put3(b, putSmall(b, p, hi), mid), rest - mid * 1000);
  }
  const hi = Math.floor(n / 1_000_000_000);
  const lo = n - hi * 1_000_000_000;
  p = putUint(b, p, hi);
  const a = (lo / 1_000_000) | 0;
  const r = lo - a * 1_000_000;
  const m = (r / 1000) | 0;
  return put3(b, put3(b, put3(b, p, a), m), r - m * 1000);
}

/** Two decimal digits (00–99). */
export function put2(b: Uint8Array, p: number, n: number): number {
  const k = n * 3;
  b[p] = DIGITS3[k + 1]!;
  b[p + 1] = DIGITS3[k + 2]!;
  return p + 2;
}

/** Six decimal digits (000000–999999). */
export function put6(b: Uint8Array, p: number, n: number): number {
  const hi = (n / 1000) | 0;
  return put3(b, put3(b, p, hi), n - hi * 1000);
}

export function putIpv4(b: Uint8Array, p: number, a: number): number {
  p = putSmall(b, p, a >>> 24);
  b[p++] = 46;
  p = putSmall(b, p, (a >>> 16) & 255);
  b[p++] = 46;
  p = putSmall(b, p, (a >>> 8) & 255);
  b[p++] = 46;
  return putSmall(b, p, a & 255);
}

/**
 * Caches the text of the current local date and hour (`2006-08-18T09:`) for a time zone; times are
 * written as that prefix plus minutes, seconds and microseconds.
 */
export class LocalClock {
  private hourKey = Number.NaN;
  /** `YYYY-MM-DDTHH:` of the cached hour. */
  prefix: Uint8Array = new Uint8Array(14);

  constructor(readonly offsetMinutes: number) {}

  /** Sets the prefix for the hour holding `tUs` (UTC µs); returns µs since that local hour began. */
  enter(tUs: number): number {
    const localUs = tUs + this.offsetMinutes * 60_000_000;
    const hour = Math.floor(localUs / 3_600_000_000);
    if (hour !== this.hourKey) {
      this.hourKey = hour;
      const iso = new Date(hour * 3_600_000).toISOString(); // 2006-08-18T09:00:00.000Z
      this.prefix = encodeAscii(iso.slice(0, 14));
    }
    return localUs - hour * 3_600_000_000;
  }
}

/** Writes `mm:ss.uuuuuu` for µs within an hour. */
export function putMinuteSecondMicros(b: Uint8Array, p: number, us: number): number {
  const totalSec = Math.floor(us / 1_000_000);
  const min = (totalSec / 60) | 0;
  p = put2(b, p, min);
  b[p] = 58;
  p = put2(b, p + 1, totalSec - min * 60);
  b[p] = 46;
  return put6(b, p + 1, us - totalSec * 1_000_000);
}
