/**
 * `backscatter`: a victim under a flood with uniformly random spoofed sources answers every spoofed
 * packet, and the replies that happen to be addressed to monitored addresses reach the sensors
 * (Moore et al., "Inferring Internet Denial-of-Service Activity", 2001). A reply lands on a given
 * address with probability 1/2^32, so a sensor watching n addresses sees R·n/2^32 replies a second
 * from a victim replying at R per second; the whole fleet sees R·N/2^32.
 *
 * Attack types and what reaches the sensors:
 * - `syn-flood`: SYN-ACK from the victim's attacked port (RST-ACK from a second, closed port);
 *   protocol `tcp`.
 * - `ping-flood`: ICMP echo replies; protocol `icmp`.
 * - `udp-flood`: ICMP port unreachable quoting the UDP datagram the victim got (inner source = the
 *   sensor address that was spoofed, inner destination = the victim); a fifth of them come from the
 *   victim's upstream router (outer source ≠ victim, code 13 "administratively prohibited"), so the
 *   victim must be read from the quoted header (docs/methods.md#backscatter); protocol `icmp`.
 *
 * Subject: `{ victim, protocol, ports, attack_type }` (`ports`: the attacked services — the replies'
 * source ports for TCP, the quoted destination ports for udp-flood, none for ping-flood).
 * Magnitude: the victim's reply rate R in packets per second. The fleet-wide expected count is
 * R · N/2^32 · duration (recorded as `expected_observed`). A victim replying below the detector's
 * default `minVictimRatePps` is a statistic (truth `alert: false`), not an alert.
 */
import { DEFAULT_MIN_VICTIM_RATE_PPS, ipv4ToString } from '../../core/index.js';
import { addressInCountry, countryMix, pickCountry } from '../country-space.js';
import { PROTO, TCP_OPT } from '../event-buffer.js';
import { hops, hostHash, hostTtl, isWindows } from '../hosts.js';
import { hash2, hashFloat, mix32, Rng } from '../prng.js';
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
  sig3,
} from './types.js';

const ATTACKS = ['syn-flood', 'ping-flood', 'udp-flood'] as const;
type AttackType = (typeof ATTACKS)[number];

const TCP_SERVICES = [80, 443, 25, 53, 6667, 22, 3389, 27015, 8080];
const UDP_SERVICES = [27015, 53, 7777, 27960, 123];

const VICTIMS = countryMix({
  US: 0.4,
  CN: 0.12,
  DE: 0.07,
  GB: 0.06,
  KR: 0.05,
  JP: 0.05,
  FR: 0.05,
  NL: 0.05,
  RU: 0.05,
  BR: 0.05,
  CA: 0.05,
});

const TWO_32 = 4294967296;

export const backscatter: Scenario = {
  kind: 'backscatter',

  plan(env: ScenarioEnv, slot: EpisodeSlot, rng: Rng): EpisodePlan {
    const u = rng.float();
    const attack: AttackType = u < 0.6 ? 'syn-flood' : u < 0.75 ? 'ping-flood' : 'udp-flood';
    let victim = 0;
    for (let k = 0; k < 100; k++) {
      const h = rng.next();
      victim = addressInCountry(pickCountry(VICTIMS, hashFloat(h)), mix32(h ^ 1), mix32(h ^ 2));
      if (!env.fleet.some((s) => victim >= s.base && victim < s.base + s.size)) break;
    }
    let ports: number[] = [];
    if (attack === 'syn-flood') {
      const a = TCP_SERVICES[rng.int(TCP_SERVICES.length)]!;
      ports = [a];
      if (rng.chance(0.3)) {
        const b = TCP_SERVICES[rng.int(TCP_SERVICES.length)]!;
        if (b !== a) ports.push(b);
      }
    } else if (attack === 'udp-flood') ports = [UDP_SERVICES[rng.int(UDP_SERVICES.length)]!];
    const startMs = Math.floor(slot.earliestMs + rng.float() * (slot.latestMs - slot.earliestMs));
    const wanted = 5 * MINUTE_MS * 72 ** rng.float(); // 5 minutes … 6 hours
    const endMs = startMs + Math.floor(fitDuration(startMs, env.endMs, wanted, 5 * MINUTE_MS));
    // Expected replies seen by the whole fleet: 10 (near the noise) … 3000.
    const expected = geometric(10, 3000, slot.strength);
    const rate = sig3((expected * TWO_32) / (env.monitored * ((endMs - startMs) / 1000)));
    return {
      index: slot.index,
      id: `backscatter-${slot.ordinal + 1}`,
      kind: 'backscatter',
      ordinal: slot.ordinal,
      startMs,
      endMs,
      strength: slot.strength,
      magnitude: rate,
      // A victim replying below the alerting rate is a statistic, not an alert (the detector's
      // default; docs/methods.md#what-deserves-an-alert).
      alert: rate >= DEFAULT_MIN_VICTIM_RATE_PPS,
      subject: {
        victim: ipv4ToString(victim),
        protocol: attack === 'syn-flood' ? 'tcp' : 'icmp',
        ports,
        attack_type: attack,
      },
      params: {
        victim,
        expected_observed: sig3((rate * env.monitored * ((endMs - startMs) / 1000)) / TWO_32),
      },
    };
  },

  runtime(plan: EpisodePlan, env: ScenarioEnv): ScenarioRuntime {
    const victim = plan.params.victim as number;
    const attack = plan.subject.attack_type as AttackType;
    const ports = plan.subject.ports as readonly number[];
    const rate = plan.magnitude;
    const hh = hostHash(env.seed, victim);
    const windows = isWindows(hh, 0.4);
    const ttl = hostTtl(hh, windows);
    const router = ((victim & 0xffffff00) | 1) >>> 0;
    const routerTtl = 255 - hops(hash2(hh, 7));
    const pl = env.payloads;
    return {
      emit(sensor, hourStartMs, buf) {
        const o = overlap(plan.startMs, plan.endMs, hourStartMs, hourStartMs + HOUR_MS);
        if (!o) return;
        const rng = new Rng(env.seed, 0xb5c0 ^ plan.index, sensor.index, Math.floor(hourStartMs / HOUR_MS));
        const n = rng.poisson((rate * sensor.size * ((o[1] - o[0]) / 1000)) / TWO_32);
        for (let k = 0; k < n; k++) {
          const t = Math.floor((o[0] + rng.float() * (o[1] - o[0])) * 1000);
          const dst = (sensor.base + rng.int(sensor.size)) >>> 0;
          let i: number;
          if (attack === 'syn-flood') {
            const pi = ports.length > 1 && rng.chance(0.35) ? 1 : 0;
            i = buf.add(t, victim, dst, PROTO.TCP, ports[pi]!, 1024 + rng.int(64512), ttl);
            if (pi === 0) {
              buf.flags[i] = FLAGS.SYN_ACK;
              buf.window[i] = windows ? 65535 : 5840;
              buf.tcpOpt[i] = TCP_OPT.MSS;
            } else buf.flags[i] = FLAGS.RST_ACK;
            buf.df[i] = 1;
            buf.ipId[i] = windows ? rng.int(65536) : 0;
          } else if (attack === 'ping-flood') {
            i = buf.add(t, victim, dst, PROTO.ICMP, rng.int(65536), rng.int(65536), ttl);
            buf.flags[i] = 0;
            buf.ipId[i] = rng.int(65536);
            buf.payload[i] = windows ? pl.windowsPing : pl.linuxPing;
          } else {
            const viaRouter = rng.chance(0.2);
            i = buf.add(t, viaRouter ? router : victim, dst, PROTO.ICMP, 0, 0, viaRouter ? routerTtl : ttl);
            buf.flags[i] = 3;
            buf.code[i] = viaRouter ? 13 : 3;
            buf.ipId[i] = rng.int(65536);
            // The flood datagram as the victim received it: spoofed source = this sensor address.
            const qlen = 28 + (mix32(hh) % 64);
            buf.quote(
              i,
              dst,
              victim,
              PROTO.UDP,
              1024 + rng.int(64512),
              ports[0]!,
              20 + rng.int(100),
              rng.int(65536),
              qlen,
            );
          }
          buf.episode[i] = plan.index;
        }
      },
    };
  },
};

export { ATTACKS as BACKSCATTER_ATTACKS };
