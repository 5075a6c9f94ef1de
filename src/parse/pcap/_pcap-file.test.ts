import { describe, expect, it } from 'vitest';
import {
  ascii,
  block,
  cat,
  epb,
  i64,
  idb,
  opb,
  pcapHeader,
  pcapRecord,
  shb,
  spb,
  u16,
  u32,
} from '../../../test/pcap-bytes.js';
import {
  CaptureReader,
  DONE,
  FATAL,
  MAX_CAPLEN,
  NEED_MORE,
  PACKET,
  REJECTED,
  STOP_REASON,
  sniffCapture,
} from './_pcap-file.js';

type Out =
  | { packet: number[]; linkType: number; timeMs: number }
  | { rejected: string }
  | { fatal: string; stop: string | null }
  | { end: string };

/** Drives a reader over `bytes` in `size`-byte chunks and lists what it reports. */
function drive(bytes: Uint8Array, size: number): { out: Out[]; carry: number } {
  const r = new CaptureReader();
  const out: Out[] = [];
  let done = false;
  for (let i = 0; i < bytes.length && !done; i += size) {
    r.push(bytes.subarray(i, Math.min(bytes.length, i + size)));
    for (;;) {
      const c = r.next();
      if (c === NEED_MORE) break;
      if (c === DONE) {
        done = true;
        break;
      }
      if (c === PACKET) {
        out.push({
          packet: Array.from(r.pb.subarray(r.po, r.po + r.caplen)),
          linkType: r.linkType,
          timeMs: r.timeMs,
        });
      } else if (c === REJECTED) out.push({ rejected: r.reason });
      else if (c === FATAL) out.push({ fatal: r.reason, stop: r.stopReason });
    }
  }
  const end = r.finish();
  if (end !== null) out.push({ end });
  return { out, carry: r.carryCapacity };
}

/** Reads `bytes` whole, in 1-byte and in 7-byte chunks; all three must agree. */
function read(bytes: Uint8Array): Out[] {
  const whole = drive(bytes, Math.max(1, bytes.length)).out;
  expect(drive(bytes, 1).out).toEqual(whole);
  expect(drive(bytes, 7).out).toEqual(whole);
  return whole;
}

const P1 = [1, 2, 3, 4, 5];
const P2 = [9, 8, 7];
const pkt = (data: number[], linkType: number, timeMs: number): Out => ({ packet: data, linkType, timeMs });

describe('sniffCapture', () => {
  it('recognises every pcap magic in both byte orders and the pcapng section header', () => {
    for (const m of [0xa1b2c3d4, 0xa1b23c4d, 0xa1b2cd34]) {
      expect(sniffCapture(u32(m, false))).toBe(true);
      expect(sniffCapture(u32(m, true))).toBe(true);
    }
    expect(sniffCapture(shb(true))).toBe(true);
    expect(sniffCapture(shb(false))).toBe(true);
  });

  it('refuses text, short heads, and a pcapng start without a byte-order magic', () => {
    expect(sniffCapture(ascii('Jan  1 00:00:00 host kernel: IN=eth0'))).toBe(false);
    expect(sniffCapture(ascii('{"event_type":"alert"}'))).toBe(false);
    expect(sniffCapture(Uint8Array.of(0xd4, 0xc3, 0xb2))).toBe(false);
    expect(sniffCapture(new Uint8Array(0))).toBe(false);
    expect(sniffCapture(cat(u32(0x0a0d0d0a), u32(28), u32(0x12345678)))).toBe(false);
  });
});

describe('classic pcap framing', () => {
  it('reads little-endian microsecond records with their link type and time', () => {
    const bytes = cat(
      pcapHeader({ le: true, linkType: 101 }),
      pcapRecord(Uint8Array.from(P1), { sec: 1_700_000_000, frac: 123_999 }),
      pcapRecord(Uint8Array.from(P2), { sec: 1_700_000_001, frac: 999_999 }),
    );
    expect(read(bytes)).toEqual([pkt(P1, 101, 1_700_000_000_123), pkt(P2, 101, 1_700_000_001_999)]);
  });

  it('reads big-endian nanosecond records', () => {
    const bytes = cat(
      pcapHeader({ le: false, nanos: true, linkType: 1 }),
      pcapRecord(Uint8Array.from(P1), { le: false, sec: 1_700_000_000, frac: 987_654_321 }),
    );
    expect(read(bytes)).toEqual([pkt(P1, 1, 1_700_000_000_987)]);
  });

  it('reads little-endian nanosecond and big-endian microsecond files alike', () => {
    const le = cat(
      pcapHeader({ le: true, nanos: true }),
      pcapRecord(Uint8Array.from(P1), { frac: 1_999_999 }),
    );
    const be = cat(pcapHeader({ le: false }), pcapRecord(Uint8Array.from(P1), { le: false, frac: 1_999 }));
    expect(read(le)).toEqual([pkt(P1, 1, 1_700_000_000_001)]);
    expect(read(be)).toEqual([pkt(P1, 1, 1_700_000_000_001)]);
  });

  it('reads seconds above 2^31 as unsigned', () => {
    const bytes = cat(pcapHeader(), pcapRecord(Uint8Array.from(P1), { sec: 0xfffffff0, frac: 0 }));
    expect(read(bytes)).toEqual([pkt(P1, 1, 0xfffffff0 * 1000)]);
  });

  it('reads the 24-byte record headers of the Kuznetzov magic', () => {
    const rec = cat(
      u32(1_700_000_000, true),
      u32(5000, true),
      u32(3, true),
      u32(3, true),
      new Uint8Array(8),
      P2,
    );
    const bytes = cat(u32(0xa1b2cd34, true), pcapHeader().subarray(4), rec);
    expect(read(bytes)).toEqual([pkt(P2, 1, 1_700_000_000_005)]);
  });

  it('takes the link type from the low 16 bits, ignoring the FCS bits above', () => {
    const h = pcapHeader({ linkType: 0x1000_0000 | 1 });
    expect(read(cat(h, pcapRecord(Uint8Array.from(P1))))).toEqual([pkt(P1, 1, 1_700_000_000_000)]);
  });

  it('accepts an empty capture with only a file header, and an empty input', () => {
    expect(read(pcapHeader())).toEqual([]);
    expect(drive(new Uint8Array(0), 1).out).toEqual([]);
  });

  it('stops at a record longer than the snaplen, keeping the records before it', () => {
    const bytes = cat(
      pcapHeader({ snaplen: 4 }),
      pcapRecord(Uint8Array.from(P2)),
      pcapRecord(Uint8Array.from(P1)),
      pcapRecord(Uint8Array.from(P2)),
    );
    expect(read(bytes)).toEqual([
      pkt(P2, 1, 1_700_000_000_000),
      { fatal: 'record length exceeds snaplen', stop: STOP_REASON },
    ]);
  });

  it('stops at a record header claiming more than 256 KiB without buffering it', () => {
    const bytes = cat(
      pcapHeader({ snaplen: 0 }),
      pcapRecord(Uint8Array.from(P1)),
      pcapRecord(new Uint8Array(0), { caplen: 0x7fff_ffff }),
      new Uint8Array(4096),
    );
    const { out, carry } = drive(bytes, 7);
    expect(out).toEqual([
      pkt(P1, 1, 1_700_000_000_000),
      { fatal: 'record length exceeds 256 KiB', stop: STOP_REASON },
    ]);
    expect(carry).toBeLessThan(64);
  });

  it('treats a snaplen above 256 KiB as 256 KiB', () => {
    const bytes = cat(
      pcapHeader({ snaplen: 0x7fff_ffff }),
      pcapRecord(new Uint8Array(0), { caplen: MAX_CAPLEN + 1 }),
    );
    expect(read(bytes)).toEqual([{ fatal: 'record length exceeds 256 KiB', stop: STOP_REASON }]);
  });

  it('names a truncated final record and a truncated file header', () => {
    const full = cat(pcapHeader(), pcapRecord(Uint8Array.from(P1)), pcapRecord(Uint8Array.from(P2)));
    expect(read(full.subarray(0, full.length - 1))).toEqual([
      pkt(P1, 1, 1_700_000_000_000),
      { end: 'truncated record' },
    ]);
    expect(read(full.subarray(0, 24 + 21 + 10))).toEqual([
      pkt(P1, 1, 1_700_000_000_000),
      { end: 'truncated record' },
    ]);
    expect(read(full.subarray(0, 23))).toEqual([{ end: 'truncated file header' }]);
    expect(read(full.subarray(0, 2))).toEqual([{ end: 'truncated file header' }]);
  });

  it('rejects a pcap major version other than 2, and input that is no capture at all', () => {
    const h = pcapHeader();
    h.set(u16(3, true), 4);
    expect(read(cat(h, pcapRecord(Uint8Array.from(P1))))).toEqual([
      { fatal: 'unsupported pcap version', stop: null },
    ]);
    expect(read(ascii('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).toEqual([
      { fatal: 'not a pcap or pcapng file', stop: null },
    ]);
  });

  it('holds at most one record in its carry buffer when fed 7-byte chunks', () => {
    const big = new Uint8Array(3000).fill(1);
    const bytes = cat(pcapHeader(), ...Array.from({ length: 20 }, () => pcapRecord(big)));
    const { out, carry } = drive(bytes, 7);
    expect(out).toHaveLength(20);
    expect(carry).toBeLessThanOrEqual(16 + 3000);
  });
});

describe('pcapng framing', () => {
  const US = 1_700_000_000_123_456n; // µs since the epoch

  it('reads EPBs of a little-endian and a big-endian section in one file', () => {
    const bytes = cat(
      shb(true),
      idb(1),
      epb(Uint8Array.from(P1), { ts: US }),
      shb(false),
      idb(101, { le: false }),
      idb(228, { le: false }),
      epb(Uint8Array.from(P2), { le: false, ifId: 1, ts: US + 1000n }),
      epb(Uint8Array.from(P1), { le: false, ifId: 0, ts: US + 2000n }),
    );
    expect(read(bytes)).toEqual([
      pkt(P1, 1, 1_700_000_000_123),
      pkt(P2, 228, 1_700_000_000_124),
      pkt(P1, 101, 1_700_000_000_125),
    ]);
  });

  it('applies if_tsresol: nanoseconds, milliseconds, whole seconds and powers of 2', () => {
    const bytes = cat(
      shb(),
      idb(1, { tsresol: 9 }),
      idb(1, { tsresol: 3 }),
      idb(1, { tsresol: 0 }),
      idb(1, { tsresol: 0x8a }), // 2^-10 s
      idb(1, { tsresol: 0x80 | 30 }), // 2^-30 s: beyond exact doubles
      idb(1, { tsresol: 7 }), // 100 ns units
      epb(Uint8Array.from(P1), { ifId: 0, ts: 1_700_000_000_987_654_321n }),
      epb(Uint8Array.from(P1), { ifId: 1, ts: 1_700_000_000_987n }),
      epb(Uint8Array.from(P1), { ifId: 2, ts: 1_700_000_000n }),
      epb(Uint8Array.from(P1), { ifId: 3, ts: 1_700_000_000n * 1024n + 1023n }),
      epb(Uint8Array.from(P1), { ifId: 4, ts: (1_700_000_000n << 30n) + (1n << 29n) + 1n }),
      epb(Uint8Array.from(P1), { ifId: 5, ts: 17_000_000_009_876_543n }),
    );
    const times = read(bytes).map((o) => ('timeMs' in o ? o.timeMs : o));
    expect(times).toEqual([
      1_700_000_000_987, 1_700_000_000_987, 1_700_000_000_000, 1_700_000_000_999, 1_700_000_000_500,
      1_700_000_000_987,
    ]);
  });

  it('keeps microsecond and nanosecond arithmetic exact at ms boundaries', () => {
    const bytes = cat(
      shb(),
      idb(1),
      idb(1, { tsresol: 9 }),
      epb(Uint8Array.from(P1), { ifId: 0, ts: 4_102_444_800_000_999n }),
      epb(Uint8Array.from(P1), { ifId: 0, ts: 4_102_444_800_001_000n }),
      epb(Uint8Array.from(P1), { ifId: 1, ts: 4_102_444_800_000_999_999n }),
      epb(Uint8Array.from(P1), { ifId: 1, ts: 4_102_444_800_001_000_000n }),
    );
    expect(read(bytes).map((o) => ('timeMs' in o ? o.timeMs : o))).toEqual([
      4_102_444_800_000, 4_102_444_800_001, 4_102_444_800_000, 4_102_444_800_001,
    ]);
  });

  it('adds if_tsoffset seconds, also negative ones', () => {
    const bytes = cat(
      shb(false),
      idb(1, { le: false, tsoffset: 3600n }),
      idb(1, { le: false, tsoffset: -1_000_000_000n }),
      epb(Uint8Array.from(P1), { le: false, ifId: 0, ts: 500_000n }),
      epb(Uint8Array.from(P1), { le: false, ifId: 1, ts: 1_700_000_000_000_000n }),
    );
    expect(read(bytes).map((o) => ('timeMs' in o ? o.timeMs : o))).toEqual([3_600_500, 700_000_000_000]);
  });

  it('reads obsolete packet blocks, and simple packet blocks with the time of the packet before', () => {
    const bytes = cat(
      shb(),
      idb(1, { snaplen: 64 }),
      spb(Uint8Array.from(P1)),
      opb(Uint8Array.from(P2), { ts: US }),
      spb(new Uint8Array(100).fill(7)),
      // A new section forgets the time: its first SPB has none to take.
      shb(false),
      idb(1, { le: false }),
      spb(Uint8Array.from(P1), false),
    );
    expect(read(bytes)).toEqual([
      { rejected: 'simple packet block has no timestamp and no packet before it has one' },
      pkt(P2, 1, 1_700_000_000_123),
      // Captured up to the interface's snaplen (64 of 100 bytes).
      pkt(new Array<number>(64).fill(7), 1, 1_700_000_000_123),
      { rejected: 'simple packet block has no timestamp and no packet before it has one' },
    ]);
  });

  it('says which packets took their time from the packet before, and gives each its length on the wire', () => {
    const r = new CaptureReader();
    r.push(
      cat(shb(), idb(1, { snaplen: 64 }), epb(Uint8Array.from(P1), { ts: US }), spb(new Uint8Array(100))),
    );
    const seen: [number, boolean, number, number][] = [];
    for (let c = r.next(); c !== NEED_MORE && c !== DONE; c = r.next()) {
      if (c === PACKET) seen.push([r.timeMs, r.timeInherited, r.caplen, r.origLen]);
    }
    expect(seen).toEqual([
      [1_700_000_000_123, false, 5, 5],
      [1_700_000_000_123, true, 64, 100],
    ]);
  });

  it('skips name resolution, statistics, secrets, custom and unknown blocks by their length', () => {
    const bytes = cat(
      shb(),
      block(4, cat(u16(0), u16(0))), // NRB, only nrb_record_end
      idb(1),
      block(5, new Uint8Array(12)), // ISB
      block(0x0a, new Uint8Array(16)), // DSB
      block(0x00000bad, cat(u32(32473), ascii('custom data'))),
      block(0x40000bad, u32(32473)),
      block(0x7777, ascii('an unknown block type')),
      epb(Uint8Array.from(P1), { ts: US }),
    );
    expect(read(bytes)).toEqual([pkt(P1, 1, 1_700_000_000_123)]);
  });

  it('skips a 1 MiB custom block without buffering it', () => {
    const bytes = cat(
      shb(),
      idb(1),
      block(0x00000bad, new Uint8Array(1 << 20)),
      epb(Uint8Array.from(P1), { ts: US }),
    );
    for (const size of [7, 4096, 65536]) {
      const { out, carry } = drive(bytes, size);
      expect(out).toEqual([pkt(P1, 1, 1_700_000_000_123)]);
      expect(carry).toBeLessThanOrEqual(256);
    }
  });

  it('skips and rejects a packet block too large to buffer whose length is true, then goes on', () => {
    const huge = new Uint8Array(MAX_CAPLEN + 200_000);
    const bytes = cat(shb(), idb(1, { snaplen: 0 }), epb(huge), epb(Uint8Array.from(P1), { ts: US }));
    const { out, carry } = drive(bytes, 65536);
    expect(out).toEqual([{ rejected: 'record length exceeds 256 KiB' }, pkt(P1, 1, 1_700_000_000_123)]);
    expect(carry).toBeLessThan(1024);
  });

  it('rejects a packet over 256 KiB that fits the block limit, and one over its interface snaplen', () => {
    const bytes = cat(
      shb(),
      idb(1, { snaplen: 0 }),
      idb(1, { snaplen: 4 }),
      epb(new Uint8Array(MAX_CAPLEN + 4)),
      epb(Uint8Array.from(P1), { ifId: 1 }),
      epb(Uint8Array.from(P2), { ifId: 1, ts: US }),
    );
    expect(read(bytes)).toEqual([
      { rejected: 'record length exceeds 256 KiB' },
      { rejected: 'record length exceeds snaplen' },
      pkt(P2, 1, 1_700_000_000_123),
    ]);
  });

  it('rejects packets naming an interface the section does not have, since a new section forgets them', () => {
    const bytes = cat(
      shb(),
      idb(1),
      shb(),
      epb(Uint8Array.from(P1)),
      idb(101),
      epb(Uint8Array.from(P2), { ts: US }),
    );
    expect(read(bytes)).toEqual([{ rejected: 'unknown interface id' }, pkt(P2, 101, 1_700_000_000_123)]);
  });

  it('rejects an EPB whose captured length overruns its block, and goes on', () => {
    const bytes = cat(
      shb(),
      idb(1),
      epb(Uint8Array.from(P1), { caplen: 200 }),
      epb(Uint8Array.from(P2), { ts: US }),
    );
    expect(read(bytes)).toEqual([
      { rejected: 'captured length exceeds block length' },
      pkt(P2, 1, 1_700_000_000_123),
    ]);
  });

  it('marks packets of an interface block too short to read as invalid', () => {
    const bytes = cat(shb(), block(1, u32(1)), epb(Uint8Array.from(P1)));
    expect(read(bytes)).toEqual([{ rejected: 'invalid interface description block' }]);
  });

  it('stops at a block length that is not a multiple of 4, keeping earlier packets', () => {
    const bytes = cat(
      shb(),
      idb(1),
      epb(Uint8Array.from(P1), { ts: US }),
      block(6, new Uint8Array(20), true, 30),
      epb(Uint8Array.from(P2)),
    );
    expect(read(bytes)).toEqual([
      pkt(P1, 1, 1_700_000_000_123),
      { fatal: 'block length not a multiple of 4', stop: STOP_REASON },
    ]);
  });

  it('stops at a block length below 12', () => {
    const bytes = cat(shb(), idb(1), u32(6, true), u32(8, true), new Uint8Array(40));
    expect(read(bytes)).toEqual([{ fatal: 'block length below minimum', stop: STOP_REASON }]);
  });

  it('stops at a trailing length that does not match, in a read block and in a skipped one', () => {
    const read1 = cat(
      shb(),
      idb(1),
      block(6, new Uint8Array(28), true, undefined, 44),
      epb(Uint8Array.from(P1)),
    );
    expect(read(read1)).toEqual([{ fatal: 'block trailer length mismatch', stop: STOP_REASON }]);
    const skipped = cat(
      shb(),
      idb(1),
      block(0x0bad, new Uint8Array(8), true, undefined, 99),
      epb(Uint8Array.from(P1)),
    );
    expect(read(skipped)).toEqual([{ fatal: 'block trailer length mismatch', stop: STOP_REASON }]);
  });

  it('stops at a section header with a bad byte-order magic or an unknown major version', () => {
    const badBom = cat(shb(), idb(1), u32(0x0a0d0d0a), u32(28, true), u32(0x11223344), new Uint8Array(16));
    expect(read(badBom)).toEqual([{ fatal: 'invalid section header byte-order magic', stop: STOP_REASON }]);
    expect(read(cat(shb(true, 2), idb(1)))).toEqual([
      { fatal: 'unsupported pcapng version', stop: STOP_REASON },
    ]);
    const shortShb = cat(
      u32(0x0a0d0d0a),
      u32(24),
      u32(0x1a2b3c4d),
      u16(1),
      u16(0),
      new Uint8Array(8),
      u32(24),
    ); // big-endian
    expect(read(shortShb)).toEqual([{ fatal: 'block length below minimum', stop: STOP_REASON }]);
  });

  it('names a block cut off by the end of the input', () => {
    const full = cat(shb(), idb(1), epb(Uint8Array.from(P1), { ts: US }), epb(Uint8Array.from(P2)));
    expect(read(full.subarray(0, full.length - 2))).toEqual([
      pkt(P1, 1, 1_700_000_000_123),
      { end: 'truncated block' },
    ]);
    expect(read(full.subarray(0, 10))).toEqual([{ end: 'truncated block' }]);
    const skipping = cat(shb(), block(0x0bad, new Uint8Array(100)));
    expect(read(skipping.subarray(0, skipping.length - 50))).toEqual([{ end: 'truncated block' }]);
    expect(read(skipping.subarray(0, skipping.length - 2))).toEqual([{ end: 'truncated block' }]);
  });

  it('reads an IDB option list with unknown options before if_tsresol', () => {
    const opts = cat(
      ...[u16(2, true), u16(4, true), ascii('eth0'), u16(12, true), u16(5, true), ascii('Linux'), [0, 0, 0]],
      ...[u16(9, true), u16(1, true), [3, 0, 0, 0], u32(0)],
    );
    const bytes = cat(
      shb(),
      block(1, cat(u16(1, true), u16(0), u32(0), opts)),
      epb(Uint8Array.from(P1), { ts: 1_700_000_000_456n }),
    );
    expect(read(bytes)).toEqual([pkt(P1, 1, 1_700_000_000_456)]);
  });

  it('ignores an option whose length overruns the block', () => {
    const opts = cat(u16(9, true), u16(200, true), [3, 0, 0, 0]);
    const bytes = cat(
      shb(),
      block(1, cat(u16(1, true), u16(0), u32(0), opts)),
      epb(Uint8Array.from(P1), { ts: US }),
    );
    expect(read(bytes)).toEqual([pkt(P1, 1, 1_700_000_000_123)]);
  });

  it('reads the SHB section length as the signed 64-bit field it is, without caring', () => {
    const s = cat(
      u32(0x0a0d0d0a),
      u32(28, true),
      u32(0x1a2b3c4d, true),
      u16(1, true),
      u16(0),
      i64(123n, true),
      u32(28, true),
    );
    expect(read(cat(s, idb(1), epb(Uint8Array.from(P1), { ts: US })))).toEqual([
      pkt(P1, 1, 1_700_000_000_123),
    ]);
  });
});
