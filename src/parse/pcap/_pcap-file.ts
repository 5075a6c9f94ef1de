/**
 * File framing of packet captures, streamed: classic pcap (draft-ietf-opsawg-pcap) and pcapng
 * (draft-ietf-opsawg-pcapng), fed chunk by chunk. A record that lies inside one chunk is handed
 * out as a view of that chunk; only a record that spans chunks is assembled (`_chunk-window.ts`),
 * so memory stays at one record plus one chunk. Blocks we do not read are skipped by length
 * without being buffered.
 *
 * Pull interface without per-record objects: `push(chunk)`, then `next()` until `NEED_MORE`;
 * after `PACKET` the packet is in `pb[po, po + caplen)` with `linkType`, `timeMs`, `origLen`
 * (its length on the wire) and `timeInherited` (a Simple Packet Block's borrowed time); after
 * `REJECTED` or `FATAL` the reason is in `reason` (and after `FATAL`, `stopReason` says the
 * rest of the input is unreadable when it is). `finish()` at end of input names a truncation.
 */
import { ChunkWindow } from './_chunk-window.js';
import { isSupportedLinkType } from './_link-layer.js';
import {
  BROKEN_INTERFACE,
  be32,
  interfaceTimeMs,
  type PcapngInterface,
  readInterface,
  u16At,
  u32At,
} from './_pcapng-interface.js';

export const NEED_MORE = 0;
export const PACKET = 1;
/** One record rejected; the capture goes on. */
export const REJECTED = 2;
/** The capture cannot be read further: `reason`, then `stopReason` when not null. */
export const FATAL = 3;
export const DONE = 4;

/** Largest captured length accepted: libpcap's maximum snapshot length (MAXIMUM_SNAPLEN, 256 KiB). */
export const MAX_CAPLEN = 262_144;
/**
 * Largest pcapng block we buffer: a maximal packet plus room for options and the fixed fields,
 * as libpcap's MAX_BLOCKSIZE_FOR_SNAPLEN allows (128 KiB of options). Larger blocks are skipped.
 */
export const MAX_BLOCK = MAX_CAPLEN + 131_072 + 64;

export const STOP_REASON = 'corrupt record header: rest of capture unreadable';

// pcap file header magics (draft-ietf-opsawg-pcap §4), read big-endian.
const PCAP_USEC = 0xa1b2c3d4;
const PCAP_NSEC = 0xa1b23c4d;
/** Alexey Kuznetzov's patched libpcap: 8 more bytes in each record header (libpcap sf-pcap.c). */
const PCAP_KUZNETZOV = 0xa1b2cd34;
const PCAP_USEC_SWAPPED = 0xd4c3b2a1;
const PCAP_NSEC_SWAPPED = 0x4d3cb2a1;
const PCAP_KUZNETZOV_SWAPPED = 0x34cdb2a1;
// pcapng block types (draft-ietf-opsawg-pcapng §4 and Appendix A).
const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 1;
const BT_OPB = 2;
const BT_SPB = 3;
const BT_EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;

const S_MAGIC = 0;
const S_PCAP_HEADER = 1;
const S_PCAP_RECORD = 2;
const S_BLOCK = 3;
const S_SKIP = 4;
const S_TRAILER = 5;
const S_DONE = 6;

/** True when `head` starts with a pcap or pcapng magic (and, for pcapng, its byte-order magic). */
export function sniffCapture(head: Uint8Array): boolean {
  if (head.length < 4) return false;
  switch (be32(head, 0)) {
    case PCAP_USEC:
    case PCAP_NSEC:
    case PCAP_KUZNETZOV:
    case PCAP_USEC_SWAPPED:
    case PCAP_NSEC_SWAPPED:
    case PCAP_KUZNETZOV_SWAPPED:
      return true;
    case BT_SHB: {
      if (head.length < 12) return true;
      const bom = be32(head, 8);
      return bom === BYTE_ORDER_MAGIC || bom === BYTE_ORDER_MAGIC_SWAPPED;
    }
    default:
      return false;
  }
}

export class CaptureReader extends ChunkWindow {
  // Output of the last next().
  pb: Uint8Array = new Uint8Array(0);
  po = 0;
  caplen = 0;
  linkType = 0;
  timeMs = 0;
  /** Length of the packet on the wire (the record's original length; at least `caplen`). */
  origLen = 0;
  /**
   * True when the packet's block carries no timestamp (a pcapng Simple Packet Block, §4.4) and
   * `timeMs` is the previous packet's of the section.
   */
  timeInherited = false;
  reason = '';
  stopReason: string | null = null;

  private state = S_MAGIC;

  private le = true;
  private pcapng = false;
  // Classic pcap.
  private nanos = false;
  private recHdr = 16;
  private snapLimit = MAX_CAPLEN;
  private fileLinkType = 0;
  // pcapng.
  private ifaces: PcapngInterface[] = [];
  private skipRemain = 0;
  private trailerExpect = 0;
  private afterSkip: string | null = null;
  /** Time of the last packet of the section read with a timestamp; NaN before the first. */
  private lastTimeMs = Number.NaN;

  constructor() {
    super(MAX_BLOCK);
  }

  /**
   * Byte order the capture was written in: the writer's host order, which is also the order of
   * link-layer headers written in host order (LINKTYPE_NFLOG's TLVs).
   */
  get littleEndian(): boolean {
    return this.le;
  }

  /** At end of input: the rejection reason for a record left incomplete, or null. */
  finish(): string | null {
    const s = this.state;
    this.state = S_DONE;
    if (s === S_DONE) return null;
    // NEED_MORE leaves every unread byte in the carry or in a skip, so nothing pending is a clean end.
    if (!this.assembling && s !== S_SKIP && s !== S_TRAILER) return null;
    if (!this.pcapng && this.consumed === 0) return 'truncated file header';
    return this.pcapng ? 'truncated block' : 'truncated record';
  }

  next(): number {
    for (;;) {
      switch (this.state) {
        case S_PCAP_RECORD:
          return this.pcapRecord();
        case S_BLOCK: {
          const r = this.block();
          if (r >= 0) return r;
          break;
        }
        case S_SKIP: {
          this.skipRemain -= this.skip(this.skipRemain);
          if (this.skipRemain > 0) return NEED_MORE;
          this.state = S_TRAILER;
          break;
        }
        case S_TRAILER: {
          if (!this.ensure(4)) return NEED_MORE;
          const len = this.rd32(this.b, this.o);
          this.consume(4);
          if (len !== this.trailerExpect) return this.fatal('block trailer length mismatch', STOP_REASON);
          this.state = S_BLOCK;
          if (this.afterSkip !== null) {
            this.reason = this.afterSkip;
            this.afterSkip = null;
            return REJECTED;
          }
          break;
        }
        case S_MAGIC: {
          if (!this.ensure(4)) return NEED_MORE;
          const r = this.magic(be32(this.b, this.o));
          if (r >= 0) return r;
          break;
        }
        case S_PCAP_HEADER: {
          const r = this.pcapHeader();
          if (r >= 0) return r;
          break;
        }
        default:
          return DONE;
      }
    }
  }

  private fatal(reason: string, stopReason: string | null): number {
    this.reason = reason;
    this.stopReason = stopReason;
    this.state = S_DONE;
    return FATAL;
  }

  private rd32(b: Uint8Array, o: number): number {
    return u32At(b, o, this.le);
  }

  private rd16(b: Uint8Array, o: number): number {
    return u16At(b, o, this.le);
  }

  private magic(m: number): number {
    switch (m) {
      case BT_SHB:
        this.pcapng = true;
        this.state = S_BLOCK;
        return -1;
      case PCAP_USEC:
      case PCAP_NSEC:
      case PCAP_KUZNETZOV:
        this.le = false;
        break;
      case PCAP_USEC_SWAPPED:
      case PCAP_NSEC_SWAPPED:
      case PCAP_KUZNETZOV_SWAPPED:
        this.le = true;
        break;
      default:
        return this.fatal('not a pcap or pcapng file', null);
    }
    this.nanos = m === PCAP_NSEC || m === PCAP_NSEC_SWAPPED;
    this.recHdr = m === PCAP_KUZNETZOV || m === PCAP_KUZNETZOV_SWAPPED ? 24 : 16;
    this.state = S_PCAP_HEADER;
    return -1;
  }

  /** draft-ietf-opsawg-pcap §4: magic, version 2.x, reserved ×2, SnapLen, LinkType and FCS bits. */
  private pcapHeader(): number {
    if (!this.ensure(24)) return NEED_MORE;
    const b = this.b;
    const o = this.o;
    if (this.rd16(b, o + 4) !== 2) return this.fatal('unsupported pcap version', null);
    const snaplen = this.rd32(b, o + 16);
    // Writers put 0 or huge values here; libpcap then applies its own maximum, and so do we.
    this.snapLimit = snaplen > 0 && snaplen < MAX_CAPLEN ? snaplen : MAX_CAPLEN;
    // The link type is the low 16 bits; the upper bits carry the FCS length (§4, LinkType field).
    this.fileLinkType = this.rd32(b, o + 20) & 0xffff;
    this.consume(24);
    this.state = S_PCAP_RECORD;
    return -1;
  }

  /** draft-ietf-opsawg-pcap §5: ts seconds, ts µs/ns, CapLen, OrigLen, then CapLen bytes. */
  private pcapRecord(): number {
    const h = this.recHdr;
    if (!this.ensure(h)) return NEED_MORE;
    const caplen = this.rd32(this.b, this.o + 8);
    // pcap has no resync marker: a lying length leaves every later record unreadable.
    if (caplen > this.snapLimit) {
      return this.fatal(
        caplen > MAX_CAPLEN ? 'record length exceeds 256 KiB' : 'record length exceeds snaplen',
        STOP_REASON,
      );
    }
    if (!this.ensure(h + caplen)) return NEED_MORE;
    const b = this.b;
    const o = this.o;
    const sec = this.rd32(b, o);
    const frac = this.rd32(b, o + 4);
    this.timeMs = sec * 1000 + Math.floor(this.nanos ? frac / 1_000_000 : frac / 1000);
    this.timeInherited = false;
    this.pb = b;
    this.po = o + h;
    this.caplen = caplen;
    this.origLen = Math.max(this.rd32(b, o + 12), caplen);
    this.linkType = this.fileLinkType;
    this.consume(h + caplen);
    return PACKET;
  }

  /** Starts skipping the rest of a block whose first `have` bytes were consumed. */
  private skipBlock(len: number, have: number, after: string | null): number {
    this.consume(have);
    this.skipRemain = len - have - 4;
    this.trailerExpect = len;
    this.afterSkip = after;
    this.state = S_SKIP;
    return -1;
  }

  /** draft-ietf-opsawg-pcapng §3.1: type, total length, body, total length again. */
  private block(): number {
    if (!this.ensure(8)) return NEED_MORE;
    const type0 = this.rd32(this.b, this.o);
    if (type0 === BT_SHB) {
      // The SHB's byte-order magic decides how this and every later block of the section reads.
      if (!this.ensure(12)) return NEED_MORE;
      const bom = be32(this.b, this.o + 8);
      if (bom === BYTE_ORDER_MAGIC) this.le = false;
      else if (bom === BYTE_ORDER_MAGIC_SWAPPED) this.le = true;
      else return this.fatal('invalid section header byte-order magic', STOP_REASON);
    }
    const type = this.rd32(this.b, this.o);
    const len = this.rd32(this.b, this.o + 4);
    if (len < 12) return this.fatal('block length below minimum', STOP_REASON);
    if (len % 4 !== 0) return this.fatal('block length not a multiple of 4', STOP_REASON);
    switch (type) {
      case BT_SHB: {
        // §4.1: BOM(4) major(2) minor(2) section length(8) options.
        if (len < 28) return this.fatal('block length below minimum', STOP_REASON);
        if (!this.ensure(16)) return NEED_MORE;
        if (this.rd16(this.b, this.o + 12) !== 1)
          return this.fatal('unsupported pcapng version', STOP_REASON);
        this.ifaces = [];
        this.lastTimeMs = Number.NaN;
        return this.skipBlock(len, 16, null);
      }
      case BT_EPB:
      case BT_OPB:
      case BT_SPB:
      case BT_IDB:
        // Too large to buffer: skip it, and reject it once its trailer shows the length was true.
        if (len > MAX_BLOCK) {
          if (type === BT_IDB) this.ifaces.push(BROKEN_INTERFACE);
          return this.skipBlock(
            len,
            8,
            type === BT_IDB ? 'block length exceeds limit' : 'record length exceeds 256 KiB',
          );
        }
        if (!this.ensure(len)) return NEED_MORE;
        if (this.rd32(this.b, this.o + len - 4) !== len) {
          return this.fatal('block trailer length mismatch', STOP_REASON);
        }
        if (type === BT_IDB) {
          this.ifaces.push(readInterface(this.b, this.o, len, this.le));
          this.consume(len);
          return -1;
        }
        return type === BT_SPB ? this.simplePacketBlock(len) : this.packetBlock(type, len);
      default:
        // NRB, ISB, DSB, custom and unknown blocks: nothing for an observation.
        return this.skipBlock(len, 8, null);
    }
  }

  /**
   * §4.3 EPB: interface id(4) ts high(4) ts low(4) CapLen(4) OrigLen(4) data options.
   * Appendix A OPB: interface id(2) drops(2) ts high(4) ts low(4) CapLen(4) OrigLen(4) data options.
   * Both have their 20 fixed bytes at 8; the framing is sound here (trailer checked), so a bad
   * field rejects this packet only.
   */
  private packetBlock(type: number, len: number): number {
    const b = this.b;
    const o = this.o;
    if (len < 32) return this.rejectBlock(len, 'block too short for its type');
    const ifId = type === BT_EPB ? this.rd32(b, o + 8) : this.rd16(b, o + 8);
    const caplen = this.rd32(b, o + 20);
    if (caplen > len - 32) return this.rejectBlock(len, 'captured length exceeds block length');
    if (ifId >= this.ifaces.length) return this.rejectBlock(len, 'unknown interface id');
    const ifc = this.ifaces[ifId]!;
    if (ifc.linkType < 0) return this.rejectBlock(len, 'invalid interface description block');
    if (caplen > MAX_CAPLEN) return this.rejectBlock(len, 'record length exceeds 256 KiB');
    // Only check the snaplen of link types we decode: others are rejected per packet anyway.
    if (ifc.snaplen !== 0 && caplen > ifc.snaplen && isSupportedLinkType(ifc.linkType)) {
      return this.rejectBlock(len, 'record length exceeds snaplen');
    }
    const high = this.rd32(b, o + 12);
    const low = this.rd32(b, o + 16);
    this.timeMs = interfaceTimeMs(ifc, high, low);
    this.lastTimeMs = this.timeMs;
    this.timeInherited = false;
    this.pb = b;
    this.po = o + 28;
    this.caplen = caplen;
    this.origLen = Math.max(this.rd32(b, o + 24), caplen);
    this.linkType = ifc.linkType;
    this.consume(len);
    return PACKET;
  }

  /**
   * §4.4 SPB: Original Packet Length(4), then the packet, captured on the section's first
   * interface up to its SnapLen. It has no timestamp, and an event needs one: it takes the time
   * of the previous packet of the section (which the caller reports), or is rejected when there
   * is none — a time made up from nothing would place the event anywhere.
   */
  private simplePacketBlock(len: number): number {
    const b = this.b;
    const o = this.o;
    if (len < 16) return this.rejectBlock(len, 'block too short for its type');
    if (this.ifaces.length === 0) return this.rejectBlock(len, 'unknown interface id');
    const ifc = this.ifaces[0]!;
    if (ifc.linkType < 0) return this.rejectBlock(len, 'invalid interface description block');
    const origLen = this.rd32(b, o + 8);
    let caplen = Math.min(origLen, len - 16);
    if (ifc.snaplen !== 0) caplen = Math.min(caplen, ifc.snaplen);
    if (caplen > MAX_CAPLEN) return this.rejectBlock(len, 'record length exceeds 256 KiB');
    if (Number.isNaN(this.lastTimeMs)) {
      return this.rejectBlock(len, 'simple packet block has no timestamp and no packet before it has one');
    }
    this.timeMs = this.lastTimeMs;
    this.timeInherited = true;
    this.pb = b;
    this.po = o + 12;
    this.caplen = caplen;
    this.origLen = Math.max(origLen, caplen);
    this.linkType = ifc.linkType;
    this.consume(len);
    return PACKET;
  }

  private rejectBlock(len: number, reason: string): number {
    this.consume(len);
    this.reason = reason;
    return REJECTED;
  }
}
