/**
 * What a pcapng Interface Description Block (draft-ietf-opsawg-pcapng §4.2) tells about the
 * packets captured on it: link type, snaplen, and how to read their timestamps (`if_tsresol`,
 * `if_tsoffset`). Also the byte readers the capture framing shares.
 */

export function be32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** Unsigned 32-bit value at `o`, little- or big-endian. */
export function u32At(b: Uint8Array, o: number, le: boolean): number {
  return le ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0 : be32(b, o);
}

export function u16At(b: Uint8Array, o: number, le: boolean): number {
  return le ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!;
}

// Timestamp units of an interface.
const TS_USEC = 0;
const TS_NSEC = 1;
/** Any other if_tsresol: exact BigInt arithmetic (rare, so its cost does not matter). */
const TS_OTHER = 2;

// IDB option codes (§4.2).
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

export interface PcapngInterface {
  /** Link type, or -1 for an IDB too malformed to use. */
  readonly linkType: number;
  /** 0: no limit. */
  readonly snaplen: number;
  readonly tsKind: number;
  /** For TS_OTHER: ms = units · tsMul / tsDiv. */
  readonly tsMul: bigint;
  readonly tsDiv: bigint;
  /** if_tsoffset, in ms. */
  readonly tsOffsetMs: number;
}

/** Stands in for an IDB that could not be read, so later interface ids keep their meaning. */
export const BROKEN_INTERFACE: PcapngInterface = {
  linkType: -1,
  snaplen: 0,
  tsKind: TS_USEC,
  tsMul: 1n,
  tsDiv: 1n,
  tsOffsetMs: 0,
};

/**
 * The IDB of `len` bytes at `o` (whole block, header and trailer included): LinkType(2)
 * reserved(2) SnapLen(4), then options (§3.5: code(2) length(2) value padded to 32 bits, ended
 * by opt_endofopt). An option overrunning the block ends the list; it does not spoil the IDB.
 */
export function readInterface(b: Uint8Array, o: number, len: number, le: boolean): PcapngInterface {
  if (len < 20) return BROKEN_INTERFACE;
  const linkType = u16At(b, o + 8, le);
  const snaplen = u32At(b, o + 12, le);
  let tsKind = TS_USEC;
  let tsMul = 1n;
  let tsDiv = 1n;
  let tsOffsetMs = 0;
  const end = o + len - 4;
  let p = o + 16;
  while (end - p >= 4) {
    const code = u16At(b, p, le);
    const olen = u16At(b, p + 2, le);
    if (code === 0 || end - p - 4 < olen) break;
    if (code === IF_TSRESOL && olen >= 1) {
      // The most significant bit selects a negative power of 2, else of 10; 6 (µs) is the default.
      const v = b[p + 4]!;
      const exp = v & 0x7f;
      if (v === 6) tsKind = TS_USEC;
      else if (v === 9) tsKind = TS_NSEC;
      else {
        tsKind = TS_OTHER;
        tsMul = 1000n;
        tsDiv = v & 0x80 ? 1n << BigInt(exp) : 10n ** BigInt(exp);
      }
    } else if (code === IF_TSOFFSET && olen >= 8) {
      // A signed 64-bit count of seconds in the section's byte order.
      const w0 = u32At(b, p + 4, le);
      const w1 = u32At(b, p + 8, le);
      const high = le ? w1 : w0;
      const low = le ? w0 : w1;
      tsOffsetMs = Number(BigInt.asIntN(64, (BigInt(high) << 32n) | BigInt(low))) * 1000;
    }
    p += 4 + ((olen + 3) & ~3);
  }
  return { linkType, snaplen, tsKind, tsMul, tsDiv, tsOffsetMs };
}

/** UTC ms (floored) of a 64-bit timestamp `high·2^32 + low` in the interface's units (§4.3). */
export function interfaceTimeMs(ifc: PcapngInterface, high: number, low: number): number {
  let ms: number;
  if (ifc.tsKind === TS_USEC) {
    // Exact without leaving the safe-integer range: 2^32 = 4294967·1000 + 296.
    ms = high * 4294967 + Math.floor((high * 296 + low) / 1000);
  } else if (ifc.tsKind === TS_NSEC) {
    // 2^32 = 4294·10^6 + 967296.
    ms = high * 4294 + Math.floor((high * 967296 + low) / 1_000_000);
  } else {
    ms = Number((((BigInt(high) << 32n) | BigInt(low)) * ifc.tsMul) / ifc.tsDiv);
  }
  return ms + ifc.tsOffsetMs;
}
