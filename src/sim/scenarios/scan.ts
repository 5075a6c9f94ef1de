/**
 * `scan`: one source scanning.
 * - `horizontal`: one port on many addresses. The scanner walks the fleet's monitored addresses in
 *   address order (as a sequential sweep of the IPv4 space would reach them) over the episode, one
 *   SYN per address, zmap-style (IP ID 54321, window 65535, MSS option, no retransmission).
 * - `vertical`: many ports on one address, nmap -sS style (window 1024, MSS option only, no DF, one
 *   source port), ports in random order over the episode.
 * At IDS sites the rules a real sensor would fire do fire, with their thresholds: ET SCAN Potential
 * SSH Scan (22/TCP), RDP (3389/TCP) and VNC (5900/TCP) for horizontal scans, ET SCAN NMAP -sS window
 * 1024 once a minute per target for vertical ones.
 *
 * Subject: `{ source, type, ports, targets, target_sensors }` — `targets` is the number of distinct
 * monitored addresses probed (horizontal) or 1 (vertical; the address is `target`), `target_sensors`
 * the sensors those addresses belong to. Magnitude: the number of addresses probed (horizontal) or of
 * ports probed (vertical). `alert`: whether the scan is a large campaign by the definition the
 * detector's alert policy uses (core's `isLargeScan`, docs/methods.md#what-deserves-an-alert); a
 * smaller one is kept in the scanner list, not alerted on.
 */
import { ipv4ToString, isLargeScan } from '../../core/index.js';
import { addressInCountry, countryMix, pickCountry } from '../country-space.js';
import { PROTO, TCP_OPT } from '../event-buffer.js';
import { hostHash, hostTtl } from '../hosts.js';
import { hashFloat, mix32, Rng } from '../prng.js';
import type { SimSensor } from '../sensors.js';
import { SIG, ThresholdTracker } from '../signatures.js';
import { FLAGS } from '../traffic.js';
import {
  type EpisodePlan,
  type EpisodeSlot,
  fitDuration,
  geometric,
  HOUR_MS,
  MINUTE_MS,
  overlap,
  type Scenario,
  type ScenarioEnv,
  type ScenarioRuntime,
} from './types.js';

const HORIZONTAL_PORTS = [22, 23, 80, 445, 1433, 3389, 5900, 8080, 3306, 139];

/** nmap's most-scanned TCP ports first (its services frequency ordering), then the rest. */
const COMMON_PORTS = [
  80, 23, 443, 21, 22, 25, 3389, 110, 445, 139, 143, 53, 135, 3306, 8080, 1723, 111, 995, 993, 5900, 1025,
  587, 8888, 199, 1720, 465, 548, 113, 81, 6001, 10000, 514, 5060, 179, 1026, 2000, 8443, 8000, 32768, 554,
  26, 1433, 49152, 2001, 515, 8008, 49154, 1027, 5666, 646, 5000, 5631, 631, 49153, 8081, 2049, 88, 79, 5800,
  106, 2121, 1110, 49155, 6000, 513, 990, 5357, 427, 49156, 543, 544, 5101, 144, 7, 389,
];

const SCANNERS = countryMix({
  CN: 0.35,
  US: 0.25,
  RU: 0.08,
  KR: 0.06,
  NL: 0.05,
  DE: 0.05,
  BR: 0.04,
  TW: 0.04,
  JP: 0.04,
  GB: 0.04,
});

/** Port rules with `threshold: type both, track by_src` (count, seconds), emerging-scan.rules. */
const PORT_RULES: ReadonlyMap<number, readonly [sig: number, count: number, seconds: number]> = new Map([
  [22, [SIG.SSH_SCAN, 5, 120] as const],
  [3389, [SIG.RDP_SCAN, 20, 360] as const],
  [5900, [SIG.VNC_SCAN, 5, 60] as const],
]);

/** The fleet's monitored addresses in address order, as (sensor, offset) pairs. */
function addressOrder(fleet: readonly SimSensor[]): SimSensor[] {
  return [...fleet].sort((a, b) => a.base - b.base);
}

export const scan: Scenario = {
  kind: 'scan',

  plan(env: ScenarioEnv, slot: EpisodeSlot, rng: Rng): EpisodePlan {
    const type = rng.chance(0.6) ? 'horizontal' : 'vertical';
    const h = rng.next();
    const source = addressInCountry(pickCountry(SCANNERS, hashFloat(h)), mix32(h ^ 3), mix32(h ^ 4));
    const startMs = Math.floor(slot.earliestMs + rng.float() * (slot.latestMs - slot.earliestMs));
    const sport = 20000 + rng.int(40000);
    if (type === 'horizontal') {
      const port = HORIZONTAL_PORTS[rng.int(HORIZONTAL_PORTS.length)]!;
      const targets = Math.min(
        env.monitored,
        Math.max(3, Math.round(geometric(3, env.monitored, slot.strength))),
      );
      const first = rng.int(env.monitored - targets + 1);
      const endMs =
        startMs + Math.floor(fitDuration(startMs, env.endMs, 10 * MINUTE_MS * 36 ** rng.float(), MINUTE_MS));
      // Which sensors the run [first, first + targets) covers, in address order.
      const sensors: string[] = [];
      let pos = 0;
      for (const s of addressOrder(env.fleet)) {
        if (pos + s.size > first && pos < first + targets) sensors.push(s.name);
        pos += s.size;
      }
      return {
        index: slot.index,
        id: `scan-${slot.ordinal + 1}`,
        kind: 'scan',
        ordinal: slot.ordinal,
        startMs,
        endMs,
        strength: slot.strength,
        magnitude: targets,
        // Every injected scanner is new: it deserves an alert when its campaign is large.
        alert: isLargeScan({ targets, ports: 1 }, env.monitored),
        subject: {
          source: ipv4ToString(source),
          type,
          ports: [port],
          targets,
          target_sensors: sensors,
        },
        params: { source, first, sport },
      };
    }
    const nPorts = Math.round(geometric(5, 1000, slot.strength));
    const ports = new Set<number>();
    for (const p of COMMON_PORTS) {
      if (ports.size >= Math.min(nPorts, Math.ceil(nPorts * 0.7))) break;
      ports.add(p);
    }
    while (ports.size < nPorts) ports.add(1 + rng.int(65535));
    const order = rng.shuffle([...ports]);
    const sensor = env.fleet[rng.int(env.fleet.length)]!;
    const target = (sensor.base + rng.int(sensor.size)) >>> 0;
    const endMs =
      startMs + Math.floor(fitDuration(startMs, env.endMs, MINUTE_MS * 120 ** rng.float(), MINUTE_MS));
    return {
      index: slot.index,
      id: `scan-${slot.ordinal + 1}`,
      kind: 'scan',
      ordinal: slot.ordinal,
      startMs,
      endMs,
      strength: slot.strength,
      magnitude: nPorts,
      alert: isLargeScan({ targets: 1, ports: nPorts }, env.monitored),
      subject: {
        source: ipv4ToString(source),
        type,
        ports: [...ports].sort((a, b) => a - b),
        targets: 1,
        target: ipv4ToString(target),
        target_sensors: [sensor.name],
      },
      params: { source, sport, order, target, sensor: sensor.index },
    };
  },

  runtime(plan: EpisodePlan, env: ScenarioEnv): ScenarioRuntime {
    const source = plan.params.source as number;
    const sport = plan.params.sport as number;
    const ttl = hostTtl(hostHash(env.seed, source), false);
    const durUs = (plan.endMs - plan.startMs) * 1000;
    const startUs = plan.startMs * 1000;
    const trackers = new Map<number, ThresholdTracker>();
    if (plan.subject.type === 'horizontal') {
      const port = (plan.subject.ports as readonly number[])[0]!;
      const first = plan.params.first as number;
      const targets = plan.magnitude;
      const rule = PORT_RULES.get(port);
      // Position of each sensor's first address in the fleet's address order.
      const posOf = new Map<number, number>();
      let pos = 0;
      for (const s of addressOrder(env.fleet)) {
        posOf.set(s.index, pos);
        pos += s.size;
      }
      return {
        emit(sensor, hourStartMs, buf, ids) {
          if (!overlap(plan.startMs, plan.endMs, hourStartMs, hourStartMs + HOUR_MS)) return;
          const p0 = posOf.get(sensor.index)!;
          const lo = Math.max(first, p0);
          const hi = Math.min(first + targets, p0 + sensor.size);
          if (hi <= lo) return;
          const rng = new Rng(env.seed, 0x5ca0 ^ plan.index, sensor.index, Math.floor(hourStartMs / HOUR_MS));
          const endUs = (hourStartMs + HOUR_MS) * 1000;
          for (let k = lo; k < hi; k++) {
            const tb = Math.floor(startUs + (durUs * (k - first)) / targets);
            if (tb < hourStartMs * 1000 || tb >= endUs) continue;
            const t = Math.min(tb + rng.int(1000), endUs - 1);
            const i = buf.add(t, source, (sensor.base + (k - p0)) >>> 0, PROTO.TCP, sport, port, ttl);
            buf.flags[i] = FLAGS.SYN;
            buf.ipId[i] = 54321;
            buf.window[i] = 65535;
            buf.tcpOpt[i] = TCP_OPT.MSS;
            buf.episode[i] = plan.index;
            if (ids && rule) {
              let tr = trackers.get(sensor.index);
              if (!tr) {
                tr = new ThresholdTracker(rule[1], rule[2] * 1_000_000);
                trackers.set(sensor.index, tr);
              }
              if (tr.hit(t)) buf.alert[i] = rule[0];
            }
          }
        },
      };
    }
    const order = plan.params.order as readonly number[];
    const target = plan.params.target as number;
    const sensorIndex = plan.params.sensor as number;
    const n = order.length;
    return {
      emit(sensor, hourStartMs, buf, ids) {
        if (sensor.index !== sensorIndex) return;
        if (!overlap(plan.startMs, plan.endMs, hourStartMs, hourStartMs + HOUR_MS)) return;
        const rng = new Rng(env.seed, 0x5cb0 ^ plan.index, sensor.index, Math.floor(hourStartMs / HOUR_MS));
        const h0 = hourStartMs * 1000;
        const h1 = h0 + HOUR_MS * 1000;
        // Probe k at start + k/n of the duration; only this hour's probes are made.
        const k0 = Math.max(0, Math.ceil(((h0 - startUs) * n) / durUs) - 1);
        const k1 = Math.min(n, Math.ceil(((h1 - startUs) * n) / durUs) + 1);
        let tr = trackers.get(sensor.index);
        if (!tr) {
          tr = new ThresholdTracker(1, 60_000_000);
          trackers.set(sensor.index, tr);
        }
        for (let k = k0; k < k1; k++) {
          const t = Math.floor(startUs + (durUs * k) / n);
          if (t < h0 || t >= h1) continue;
          const i = buf.add(t, source, target, PROTO.TCP, sport, order[k]!, ttl);
          buf.flags[i] = FLAGS.SYN;
          buf.ipId[i] = rng.int(65536);
          buf.window[i] = 1024;
          buf.tcpOpt[i] = TCP_OPT.MSS;
          buf.episode[i] = plan.index;
          if (ids && tr.hit(t)) buf.alert[i] = SIG.NMAP_SYN;
        }
      },
    };
  },
};
