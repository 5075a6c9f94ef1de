import { describe, expect, it } from 'vitest';
import {
  INVALID_TIMESTAMP,
  JOURNAL_MARKER,
  NO_WALL_CLOCK,
  SyslogPrefixReader,
  UNRECOGNISED_TIMESTAMP,
} from './_syslog.js';

// Year 2026, JST (+09:00), reference time 2026-06-01T00:00Z: the context the tests read lines in.
const YEAR = 2026;
const JST = 540;
const NOW = Date.UTC(2026, 5, 1);

interface Prefix {
  readonly timeMs: number;
  readonly host: string;
  readonly body: string;
}

/** Reads one line's prefix with a fresh reader; the rejection reason when it is refused. */
function prefix(line: string, year = YEAR, offset = JST, now = NOW): Prefix | string {
  const r = new SyslogPrefixReader(year, offset, now);
  const why = r.read(line);
  if (why !== null) return why;
  return { timeMs: r.timeMs, host: r.host, body: line.slice(r.bodyStart) };
}

describe('SyslogPrefixReader on BSD syslog and journalctl short timestamps', () => {
  it('reads a space-padded day in the context year and offset, and the host', () => {
    expect(prefix('Mar  5 10:00:00 gw01 kernel: [12345.678901] IN=eth0')).toEqual({
      timeMs: Date.UTC(2026, 2, 5, 1, 0, 0),
      host: 'gw01',
      body: ' kernel: [12345.678901] IN=eth0',
    });
  });

  it('reads journalctl short (zero-padded day) and short-precise (microseconds, truncated to ms)', () => {
    expect(prefix('Mar 05 10:20:00 jhost kernel: x')).toMatchObject({
      timeMs: Date.UTC(2026, 2, 5, 1, 20, 0),
    });
    expect(prefix('Mar 05 10:20:00.123999 jhost kernel: x')).toMatchObject({
      timeMs: Date.UTC(2026, 2, 5, 1, 20, 0, 123),
      host: 'jhost',
    });
  });

  it('accepts a single-space single-digit day', () => {
    expect(prefix('Apr 1 12:00:00 h kernel: x')).toMatchObject({ timeMs: Date.UTC(2026, 3, 1, 3, 0, 0) });
  });

  it('puts a date more than a day after the reference time in the previous year', () => {
    expect(prefix('Dec 31 23:59:59 gw01 kernel: x')).toMatchObject({
      timeMs: Date.UTC(2025, 11, 31, 14, 59, 59),
    });
  });

  it('keeps the context year for a date less than a day after the reference time', () => {
    // 2026-12-31 23:59:59 JST is 14:59:59Z, one second short of a day after the reference time.
    const now = Date.UTC(2026, 11, 30, 15, 0, 0);
    expect(prefix('Dec 31 23:59:59 h kernel: x', 2026, JST, now)).toMatchObject({
      timeMs: Date.UTC(2026, 11, 31, 14, 59, 59),
    });
    expect(prefix('Jan  1 00:00:00 h kernel: x', 2027, JST, now)).toMatchObject({
      timeMs: Date.UTC(2026, 11, 31, 15, 0, 0),
    });
  });

  it('places Feb 29 in the previous year when the context year is not a leap year', () => {
    expect(prefix('Feb 29 12:00:00 h kernel: x', 2025, 0, Date.UTC(2025, 5, 1))).toMatchObject({
      timeMs: Date.UTC(2024, 1, 29, 12, 0, 0),
    });
    expect(prefix('Feb 29 12:00:00 h kernel: x', 2026, 0, Date.UTC(2026, 5, 1))).toBe(INVALID_TIMESTAMP);
  });

  it('reads the syslog priority in front and a tag with no host as no host', () => {
    expect(prefix('<4>Apr  1 12:00:04 kernel: [iptables denied] IN=eth0')).toEqual({
      timeMs: Date.UTC(2026, 3, 1, 3, 0, 4),
      host: '',
      body: 'kernel: [iptables denied] IN=eth0',
    });
  });

  it('rejects impossible dates and clocks as invalid, other shapes as unrecognised', () => {
    expect(prefix('Feb 30 10:00:00 h kernel: x')).toBe(INVALID_TIMESTAMP);
    expect(prefix('Mar 32 10:00:00 h kernel: x')).toBe(INVALID_TIMESTAMP);
    expect(prefix('Mar  5 24:00:00 h kernel: x')).toBe(INVALID_TIMESTAMP);
    expect(prefix('Mar  5 10:60:00 h kernel: x')).toBe(INVALID_TIMESTAMP);
    expect(prefix('Foo  5 10:00:00 h kernel: x')).toBe(UNRECOGNISED_TIMESTAMP);
    expect(prefix('Mar  5 10:00 h kernel: x')).toBe(UNRECOGNISED_TIMESTAMP);
    expect(prefix('Mar  5 10:00:00x h kernel: x')).toBe(UNRECOGNISED_TIMESTAMP);
    expect(prefix('Mar 123 10:00:00 h')).toBe(UNRECOGNISED_TIMESTAMP);
  });

  it('does not let a cached day hide a new month or day', () => {
    const r = new SyslogPrefixReader(YEAR, 0, NOW);
    expect(r.read('Mar  5 10:00:00 h x')).toBeNull();
    expect(r.timeMs).toBe(Date.UTC(2026, 2, 5, 10));
    expect(r.read('Mar  6 10:00:00 h x')).toBeNull();
    expect(r.timeMs).toBe(Date.UTC(2026, 2, 6, 10));
    expect(r.read('Apr  6 10:00:01 h x')).toBeNull();
    expect(r.timeMs).toBe(Date.UTC(2026, 3, 6, 10, 0, 1));
    expect(r.read('Foo  6 10:00:01 h x')).toBe(UNRECOGNISED_TIMESTAMP);
  });
});

describe('SyslogPrefixReader on RFC 3339 timestamps', () => {
  it('honours the offset and keeps milliseconds of rsyslog high-precision stamps', () => {
    expect(prefix('2026-03-20T14:49:24.202833+00:00 lab-defender kernel: x')).toEqual({
      timeMs: Date.UTC(2026, 2, 20, 14, 49, 24, 202),
      host: 'lab-defender',
      body: ' kernel: x',
    });
    expect(prefix('<5>2016-05-05T23:12:09.649085-05:00 quaff kernel:[27198521.247185] x')).toMatchObject({
      timeMs: Date.UTC(2016, 4, 6, 4, 12, 9, 649),
      host: 'quaff',
    });
  });

  it('reads journalctl short-iso (+0900) and short-iso-precise (+09:00)', () => {
    expect(prefix('2026-03-20T14:49:24+0900 jhost kernel: x')).toMatchObject({
      timeMs: Date.UTC(2026, 2, 20, 5, 49, 24),
    });
    expect(prefix('2026-03-20T14:49:24.987654+09:00 jhost kernel: x')).toMatchObject({
      timeMs: Date.UTC(2026, 2, 20, 5, 49, 24, 987),
    });
  });

  it('reads Z, a short fraction, no offset (the context offset) and a space separator', () => {
    expect(prefix('2026-04-01T00:00:00Z r k: x')).toMatchObject({ timeMs: Date.UTC(2026, 3, 1) });
    expect(prefix('2026-04-01T12:00:03.5+09:00 r k: x')).toMatchObject({
      timeMs: Date.UTC(2026, 3, 1, 3, 0, 3, 500),
    });
    expect(prefix('2026-04-01T09:00:00 r k: x')).toMatchObject({ timeMs: Date.UTC(2026, 3, 1) });
    expect(prefix('2026-04-01 09:00:00 r k: x')).toMatchObject({ timeMs: Date.UTC(2026, 3, 1) });
  });

  it('skips the RFC 5424 version after the priority', () => {
    expect(prefix('<4>1 2026-04-01T12:00:03.5+09:00 ziggo kernel - - - x')).toMatchObject({
      timeMs: Date.UTC(2026, 3, 1, 3, 0, 3, 500),
      host: 'ziggo',
    });
  });

  it('reads dmesg --time-format=iso (comma fraction) as naming no host', () => {
    expect(prefix('2015-12-29T11:52:40,123456+0100 [UFW BLOCK] IN=eth0')).toEqual({
      timeMs: Date.UTC(2015, 11, 29, 10, 52, 40, 123),
      host: '',
      body: '[UFW BLOCK] IN=eth0',
    });
  });

  it('rejects impossible dates and offsets as invalid', () => {
    expect(prefix('2026-13-01T00:00:00Z h k: x')).toBe(INVALID_TIMESTAMP);
    expect(prefix('2026-02-29T00:00:00Z h k: x')).toBe(INVALID_TIMESTAMP);
    expect(prefix('2026-03-01T25:00:00Z h k: x')).toBe(INVALID_TIMESTAMP);
    expect(prefix('2026-03-01T00:00:00+25:00 h k: x')).toBe(INVALID_TIMESTAMP);
    expect(prefix('2026-03-01T00:00:00. h k: x')).toBe(UNRECOGNISED_TIMESTAMP);
    expect(prefix('2026-03-01X00:00:00Z h k: x')).toBe(UNRECOGNISED_TIMESTAMP);
    expect(prefix('2026-03-01T00:00:00.1234567890Z h k: x')).toBe(UNRECOGNISED_TIMESTAMP);
  });
});

describe('SyslogPrefixReader on journalctl short-unix and dmesg', () => {
  it('reads seconds since the epoch with a fraction', () => {
    expect(prefix('1774018164.202833 jhost kernel: x')).toMatchObject({
      timeMs: Date.UTC(2026, 2, 20, 14, 49, 24, 202),
      host: 'jhost',
    });
  });

  it('reads dmesg -T in the context offset, with no host', () => {
    expect(prefix('[Tue Dec 29 11:52:40 2015] [UFW BLOCK] IN=eth0')).toEqual({
      timeMs: Date.UTC(2015, 11, 29, 2, 52, 40),
      host: '',
      body: '[UFW BLOCK] IN=eth0',
    });
    expect(prefix('[Sat Jan  2 03:04:05 2016] IN=eth0')).toMatchObject({
      timeMs: Date.UTC(2016, 0, 1, 18, 4, 5),
    });
  });

  it('reports raw dmesg seconds-since-boot as having no wall clock', () => {
    const r = new SyslogPrefixReader(YEAR, JST, NOW);
    expect(r.read('[12345.678901] [UFW BLOCK] IN=eth0')).toBe(NO_WALL_CLOCK);
    expect(r.bodyStart).toBe('[12345.678901]'.length);
    expect(r.read('[    0.000000] Linux version 6.1.0')).toBe(NO_WALL_CLOCK);
    expect(r.read('<4>[  123.456789] IN=eth0')).toBe(NO_WALL_CLOCK);
  });

  it('knows journalctl separator lines and rejects everything else', () => {
    expect(prefix('-- Boot 0123456789abcdef0123456789abcdef --')).toBe(JOURNAL_MARKER);
    expect(prefix('-- No entries --')).toBe(JOURNAL_MARKER);
    expect(prefix('[UFW BLOCK] IN=eth0 OUT=')).toBe(UNRECOGNISED_TIMESTAMP);
    expect(prefix('[Tue Dec 32 11:52:40 2015] x')).toBe(INVALID_TIMESTAMP);
    expect(prefix('[12345.678901 no bracket')).toBe(UNRECOGNISED_TIMESTAMP);
    expect(prefix('kernel: IN=eth0')).toBe(UNRECOGNISED_TIMESTAMP);
    expect(prefix('<999999>Mar  5 10:00:00 h x')).toBe(UNRECOGNISED_TIMESTAMP);
    expect(prefix('12345 h x')).toBe(UNRECOGNISED_TIMESTAMP);
    expect(prefix('')).toBe(UNRECOGNISED_TIMESTAMP);
  });

  it('treats a token with = or a [ right after the time as the message, not a host', () => {
    expect(prefix('Mar  5 10:00:00 IN=eth0 OUT=')).toMatchObject({ host: '', body: 'IN=eth0 OUT=' });
    expect(prefix('Mar  5 10:00:00 [UFW BLOCK] IN=eth0')).toMatchObject({
      host: '',
      body: '[UFW BLOCK] IN=eth0',
    });
  });

  it('remembers the host across lines without mistaking a longer name for it', () => {
    const r = new SyslogPrefixReader(YEAR, JST, NOW);
    expect(r.read('Mar  5 10:00:00 gw kernel: x')).toBeNull();
    expect(r.host).toBe('gw');
    expect(r.read('Mar  5 10:00:00 gw2 kernel: x')).toBeNull();
    expect(r.host).toBe('gw2');
    expect(r.read('Mar  5 10:00:00 gw2 kernel: x')).toBeNull();
    expect(r.host).toBe('gw2');
    expect(r.read('Mar  5 10:00:00 kernel: x')).toBeNull();
    expect(r.host).toBe('');
  });
});
