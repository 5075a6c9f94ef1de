/**
 * Generates one sensor-hour of background packets into an {@link EventBuffer}, following the
 * families of `background.ts`: Poisson visit counts scaled by the sensor's activity and the hour's
 * diurnal/weekly factor, sources from persistent host pools (with the neighbour preference), and
 * packet fields that stay consistent per host (TTL, stack, port counters). At IDS sites it marks the
 * packets that raise an alert and shapes them to match the rule (nmap's window 1024, an empty echo…).
 */
import {
  expectedTargets,
  type FamilyKind,
  type IdsClass,
  type PreparedBackground,
  type PreparedFamily,
  portHasRule,
  timeFactor,
} from './background.js';
import { type EventBuffer, PROTO, TCP_OPT } from './event-buffer.js';
import {
  ephemeralPort,
  generation,
  hostHash,
  hostTtl,
  isWindows,
  neighbour8Host,
  neighbour16Host,
  poolHost,
  skewedSlot,
} from './hosts.js';
import type { StandardPayloads } from './payloads.js';
import { hash3, mix32, type Rng } from './prng.js';
import type { SimSensor } from './sensors.js';
import { SIG } from './signatures.js';

export const HOUR_US = 3_600_000_000;

/** TCP flag octets the simulator writes (RFC 9293 §3.1). */
export const FLAGS = { SYN: 0x02, SYN_ACK: 0x12, RST_ACK: 0x14, ACK_PSH_URG: 0x38 } as const;

const IDS_ORDER: readonly IdsClass[] = ['scan', 'exploit', 'dos', 'trojan'];

/**
 * Picks the source of a visit: a host of the sensor's /16, of its /8, or of the family's global pool.
 */
export function visitSource(
  seed: number,
  f: PreparedFamily,
  sensor: SimSensor,
  tMs: number,
  rng: Rng,
  bg: PreparedBackground,
): number {
  const fam = f.family;
  const u = rng.float();
  const [minL, maxL] = fam.lifetimeDays;
  if (u < fam.neighbour16) {
    const slot = skewedSlot(rng.float(), bg.options.neighbourHosts16, fam.hostSkew);
    const p16 = sensor.base >>> 16;
    const gen = generation(hash3(seed, f.id ^ 0x1600, (p16 << 8) ^ slot), tMs, minL, maxL);
    return neighbour16Host(seed, f.id, p16, slot, gen, sensor.base, sensor.size);
  }
  if (u < fam.neighbour16 + fam.neighbour8) {
    const slot = skewedSlot(rng.float(), bg.options.neighbourHosts8, fam.hostSkew);
    const o = sensor.base >>> 24;
    const gen = generation(hash3(seed, f.id ^ 0x0800, (o << 16) ^ slot), tMs, minL, maxL);
    const a = neighbour8Host(seed, f.id, o, slot, gen);
    if (a >= 0 && (a < sensor.base || a >= sensor.base + sensor.size)) return a;
  }
  const slot = skewedSlot(rng.float(), fam.hosts, fam.hostSkew);
  const gen = generation(hash3(seed, f.id, slot), tMs, minL, maxL);
  return poolHost(seed, f.id, slot, gen, f.countries);
}

export class BackgroundGenerator {
  /** Packets per visit of each family, per block size. */
  private readonly perVisit = new Map<number, Float64Array>();

  constructor(
    private readonly bg: PreparedBackground,
    private readonly seed: number,
    private readonly ratePerDay: number,
    private readonly payloads: StandardPayloads,
  ) {}

  private packetsPerVisit(size: number): Float64Array {
    let v = this.perVisit.get(size);
    if (!v) {
      v = Float64Array.from(
        this.bg.families,
        (f) => expectedTargets(f.family, size) * f.meanPacketsPerTarget,
      );
      this.perVisit.set(size, v);
    }
    return v;
  }

  /** Expected packets of family `f` at `sensor` in the hour starting at `hourStartMs`. */
  expectedPackets(f: PreparedFamily, sensor: SimSensor, hourStartMs: number): number {
    return ((this.ratePerDay * sensor.activity * timeFactor(this.bg, hourStartMs)) / 24) * f.share;
  }

  /** Expected visits of family `f` (for scenarios that scale on the baseline). */
  expectedVisits(f: PreparedFamily, sensor: SimSensor, hourStartMs: number): number {
    return this.expectedPackets(f, sensor, hourStartMs) / this.packetsPerVisit(sensor.size)[f.id]!;
  }

  /** Appends the background packets of one sensor-hour. */
  generate(sensor: SimSensor, hourStartMs: number, rng: Rng, buf: EventBuffer, ids: boolean): void {
    const per = this.packetsPerVisit(sensor.size);
    const lambda = (this.ratePerDay * sensor.activity * timeFactor(this.bg, hourStartMs)) / 24;
    for (const f of this.bg.families) {
      const visits = rng.poisson((lambda * f.share) / per[f.id]!);
      for (let v = 0; v < visits; v++) {
        const t0 = hourStartMs * 1000 + Math.floor(rng.float() * HOUR_US);
        const src = visitSource(this.seed, f, sensor, Math.floor(t0 / 1000), rng, this.bg);
        // Packets after the hour (retransmissions) are carried into the next hour by the caller.
        this.visit(f, sensor, src, t0, hourStartMs * 1000 + 2 * HOUR_US, rng, buf, ids, -1);
      }
    }
  }

  /**
   * One visit of `src` to the sensor from `t0Us` (packets at or after `endUs` are dropped): one
   * target or a sweep, each target with its retransmissions. `episode` tags the packets; `forcedPort`
   * overrides the family's port choice; `singleTarget` rules out a sweep.
   */
  visit(
    f: PreparedFamily,
    sensor: SimSensor,
    src: number,
    t0Us: number,
    endUs: number,
    rng: Rng,
    buf: EventBuffer,
    ids: boolean,
    episode: number,
    forcedPort = -1,
    singleTarget = false,
  ): void {
    const fam = f.family;
    const hh = hostHash(this.seed, src);
    const windows = isWindows(hh, fam.windowsShare);
    const ttl = hostTtl(hh, windows);
    let portIdx = 0;
    let port = forcedPort;
    if (port < 0) {
      // A port sequence (Messenger spam: 1026, then 1027) always starts at its first port.
      portIdx = fam.ports.length > 1 && !fam.portSequence ? rng.pickCumulative(f.portCum) : 0;
      port = fam.ports[portIdx]![0];
      if (port === 0) port = 1024 + rng.int(64512);
    }
    const size = sensor.size;
    const off = rng.int(size);
    let count = 1;
    let gapUs = 0;
    if (!singleTarget && fam.sweepProbability > 0 && size > 1 && rng.float() < fam.sweepProbability) {
      count = Math.min(fam.sweepMax, size - off);
      gapUs = 5000 + rng.int(55_000);
    }
    const visitKey = rng.next();
    const idBase = mix32(hh ^ visitKey) & 0xffff;
    const offsets = fam.packetOffsetsMs;
    const rates = this.bg.idsRates;
    // Background alerts only: an episode's packets raise the rules its scenario defines.
    const idsClasses = ids && episode < 0 ? fam.ids : undefined;
    let nPkt = 0;
    for (let k = 0; k < count; k++) {
      const dst = (sensor.base + off + k) >>> 0;
      const tk = t0Us + k * gapUs;
      const np = f.packetsCum.length > 1 ? 1 + rng.pickCumulative(f.packetsCum) : 1;
      const sport = ephemeralPort(hh, windows, visitKey, k);
      let first = -1;
      for (let r = 0; r < np; r++) {
        const t = tk + offsets[r]! * 1000 + (r > 0 ? rng.int(200_000) : 0);
        if (t >= endUs) break;
        if (fam.kind === 'backscatter' && r > 0) {
          // Only a SYN-ACK is retransmitted (the victim's stack waits for the spoofed client's ACK).
          if (buf.flags[first] !== FLAGS.SYN_ACK || buf.proto[first] !== PROTO.TCP) break;
          buf.duplicate(first, t);
          nPkt++;
          continue;
        }
        const p = fam.portSequence ? fam.ports[(portIdx + r) % fam.ports.length]![0] : port;
        const i = this.packet(
          fam.kind,
          src,
          dst,
          t,
          p,
          sport,
          ttl,
          windows,
          idBase + nPkt,
          hh,
          visitKey,
          r,
          rng,
          buf,
        );
        if (r === 0) first = i;
        nPkt++;
        buf.episode[i] = episode;
        if (fam.worm && ids && episode < 0) buf.alert[i] = SIG.SLAMMER;
        if (idsClasses) {
          for (const c of IDS_ORDER) {
            if (!idsClasses.includes(c) || !portHasRule(c, fam.kind, p)) continue;
            if (rng.float() < rates[c]) {
              shapeAlert(buf, i, c, fam.kind, p, rng);
              break;
            }
          }
        }
      }
    }
  }

  private packet(
    kind: FamilyKind,
    src: number,
    dst: number,
    t: number,
    port: number,
    sport: number,
    ttl: number,
    windows: boolean,
    ipId: number,
    hh: number,
    visitKey: number,
    r: number,
    rng: Rng,
    buf: EventBuffer,
  ): number {
    const pl = this.payloads;
    switch (kind) {
      case 'tcp-syn': {
        const i = buf.add(t, src, dst, PROTO.TCP, sport, port, ttl);
        buf.flags[i] = FLAGS.SYN;
        buf.df[i] = 1;
        buf.ipId[i] = windows ? ipId & 0xffff : rng.int(65536);
        buf.window[i] = windows ? 65535 : 5840;
        buf.tcpOpt[i] = windows ? TCP_OPT.WINDOWS : TCP_OPT.LINUX;
        return i;
      }
      case 'udp': {
        let payload: number;
        let sp = sport;
        if (port === 1434) payload = pl.slammer;
        else if (port === 1026 || port === 1027 || port === 135)
          payload = pl.messenger[hh % pl.messenger.length]!;
        else if (port === 137) {
          payload = pl.nbstat[visitKey % pl.nbstat.length]!;
          sp = 137; // Windows NetBIOS sends name queries from 137/UDP
        } else {
          const shaped = pl.udpByPort.get(port);
          payload = shaped
            ? shaped[visitKey % shaped.length]!
            : pl.udpProbe[(hh ^ port) % pl.udpProbe.length]!;
        }
        const i = buf.add(t, src, dst, PROTO.UDP, sp, port, ttl);
        buf.df[i] = windows ? 0 : 1;
        buf.ipId[i] = windows ? ipId & 0xffff : rng.int(65536);
        buf.payload[i] = payload;
        return i;
      }
      case 'icmp-echo': {
        // sport/dport carry the echo identifier and sequence number.
        const id = windows ? 0x0200 + (hh & 0xff) : hh & 0xffff;
        const i = buf.add(t, src, dst, PROTO.ICMP, id, (visitKey + r) & 0xffff, ttl);
        buf.flags[i] = 8;
        buf.ipId[i] = windows ? ipId & 0xffff : rng.int(65536);
        buf.payload[i] = windows ? pl.windowsPing : pl.linuxPing;
        return i;
      }
      case 'backscatter':
        return backscatterReply(buf, src, dst, t, port, ttl, windows, rng, pl);
    }
  }
}

/**
 * One reply of a DoS victim `victim` to a spoofed source `dst` (Moore et al. 2001, §3.1): SYN-ACK
 * from an open port (retransmitted), RST-ACK from a closed one, an echo reply, or an ICMP port
 * unreachable quoting the UDP datagram the victim received.
 */
function backscatterReply(
  buf: EventBuffer,
  victim: number,
  dst: number,
  t: number,
  port: number,
  ttl: number,
  windows: boolean,
  rng: Rng,
  pl: StandardPayloads,
): number {
  const u = rng.float();
  if (u < 0.7) {
    const i = buf.add(t, victim, dst, PROTO.TCP, port, 1024 + rng.int(64512), ttl);
    buf.flags[i] = FLAGS.SYN_ACK;
    buf.df[i] = 1;
    buf.ipId[i] = windows ? rng.int(65536) : 0;
    buf.window[i] = windows ? 65535 : 5840;
    buf.tcpOpt[i] = TCP_OPT.MSS;
    return i;
  }
  if (u < 0.85) {
    const i = buf.add(t, victim, dst, PROTO.TCP, port, 1024 + rng.int(64512), ttl);
    buf.flags[i] = FLAGS.RST_ACK;
    buf.df[i] = 1;
    buf.ipId[i] = windows ? rng.int(65536) : 0;
    return i;
  }
  if (u < 0.95) {
    const i = buf.add(t, victim, dst, PROTO.ICMP, rng.int(65536), rng.int(65536), ttl);
    buf.flags[i] = 0;
    buf.ipId[i] = rng.int(65536);
    buf.payload[i] = pl.linuxPing;
    return i;
  }
  const i = buf.add(t, victim, dst, PROTO.ICMP, 0, 0, ttl);
  buf.flags[i] = 3;
  buf.code[i] = 3;
  buf.ipId[i] = rng.int(65536);
  buf.quote(
    i,
    dst,
    victim,
    PROTO.UDP,
    1024 + rng.int(64512),
    port,
    30 + rng.int(90),
    rng.int(65536),
    28 + rng.int(64),
  );
  return i;
}

/** Marks packet `i` as raising an alert of class `c` and shapes it like the rule requires. */
function shapeAlert(
  buf: EventBuffer,
  i: number,
  c: IdsClass,
  kind: FamilyKind,
  port: number,
  rng: Rng,
): void {
  switch (c) {
    case 'scan':
      if (kind === 'icmp-echo') {
        buf.alert[i] = SIG.PING_NMAP;
        buf.payload[i] = 0; // nmap's echo request carries no data (rule: dsize:0)
      } else if (port === 22) buf.alert[i] = SIG.SSH_SCAN;
      else if (port === 3389) buf.alert[i] = SIG.RDP_SCAN;
      else if ((port >= 5800 && port <= 5820) || (port >= 5900 && port <= 5920)) buf.alert[i] = SIG.VNC_SCAN;
      else {
        // nmap -sS: window 1024, no DF, MSS option only (the rule: window:1024; fragbits:!D).
        buf.alert[i] = SIG.NMAP_SYN;
        buf.window[i] = 1024;
        buf.df[i] = 0;
        buf.tcpOpt[i] = TCP_OPT.MSS;
        buf.ttl[i] = 37 + rng.int(20);
      }
      return;
    case 'exploit':
      buf.alert[i] =
        port === 135 ? (kind === 'udp' ? SIG.MESSENGER_OVERFLOW : SIG.DCOM_OVERFLOW) : SIG.LSASS_OVERFLOW;
      return;
    case 'dos':
      // WinNuke: out-of-band data (urgent pointer) to NetBIOS.
      buf.alert[i] = SIG.WINNUKE;
      buf.flags[i] = FLAGS.ACK_PSH_URG;
      buf.tcpOpt[i] = TCP_OPT.NONE;
      return;
    case 'trojan':
      buf.alert[i] = SIG.TYPOT;
      buf.window[i] = 55808; // the rule's window:55808
      return;
  }
}
