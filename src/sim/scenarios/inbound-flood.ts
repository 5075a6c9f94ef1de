/**
 * `inbound-flood`: a flood aimed at one of a sensor's own addresses, seen by the sensor at the victim
 * (docs/methods.md#floods-aimed-at-a-sensors-own-addresses). SIMULATED, like everything the simulator
 * writes. The victim is an address of a firewall+IDS site (floods are aimed at addresses that serve
 * something; a darknet's serve nothing), and the site's firewall logs every packet. Attacks, by
 * episode (the first of a run is a spoofed SYN flood, the second a SYN-ACK reflection, the third a
 * UDP reflection, and so on):
 *
 * - `spoofed-syn-flood`: TCP SYNs to one service port of the victim, each from a source address and
 *   port drawn uniformly at random (hping3 `--rand-source` style: no options, a small window), so
 *   about one packet per source and ≈ 14 % of sources in private, reserved or bogon space.
 * - `syn-ack-reflection`: SYNs sent in the victim's name to web servers (80/443), whose SYN-ACKs reach
 *   the victim's random ports, with the retransmissions an unanswered SYN-ACK gets (RFC 9293 §3.8.1).
 * - `udp-reflection`: requests sent in the victim's name to open UDP services (NTP, DNS, SSDP,
 *   memcached, CLDAP, CharGEN, SNMP), whose larger answers reach the victim from the service's port.
 *   The answers' bytes are generated (a marker and counter), not real protocol responses.
 *
 * Subject: `{ victim, sensor, attack, protocol, port, service }` — `port` is the attacked port for a
 * SYN flood, the reflectors' service port for a reflection. Magnitude: packets per second at the
 * victim, from 150 (strength 0; above the detector's 100/s floor, docs/methods.md) to 2,000
 * (strength 1), for 90 s to 4 minutes. Details: `sources` (spoofed sources or reflectors) and
 * `duration_s`.
 */
import { ipv4ToString } from '../../core/index.js';
import { addressInCountry, countryMix, pickCountry } from '../country-space.js';
import { PROTO, TCP_OPT } from '../event-buffer.js';
import { hostHash, hostTtl, isWindows } from '../hosts.js';
import { generatedBytes } from '../payloads.js';
import { hashFloat, mix32, Rng } from '../prng.js';
import { FLAGS } from '../traffic.js';
import {
  type EpisodePlan,
  type EpisodeSlot,
  fitDuration,
  geometric,
  HOUR_MS,
  overlap,
  type Scenario,
  type ScenarioEnv,
  type ScenarioRuntime,
  sig3,
} from './types.js';

export const INBOUND_ATTACKS = ['spoofed-syn-flood', 'syn-ack-reflection', 'udp-reflection'] as const;
type Attack = (typeof INBOUND_ATTACKS)[number];

const SYN_PORTS: readonly (readonly [number, string])[] = [
  [80, 'HTTP'],
  [443, 'HTTPS'],
  [22, 'SSH'],
  [25, 'SMTP'],
  [3389, 'RDP'],
];
const WEB: readonly (readonly [number, string])[] = [
  [80, 'HTTP'],
  [443, 'HTTPS'],
];
/** Reflection services: port, name, answer size in bytes (typical amplified answers, kept under one MTU). */
const UDP_SERVICES: readonly (readonly [number, string, number])[] = [
  [123, 'NTP', 468],
  [53, 'DNS', 1200],
  [1900, 'SSDP', 320],
  [11211, 'memcached', 1400],
  [389, 'CLDAP', 1300],
  [19, 'CharGEN', 1000],
  [161, 'SNMP', 900],
];

/** Where reflectors sit (many networks, no single one). */
const REFLECTORS = countryMix({ US: 0.3, CN: 0.15, BR: 0.1, RU: 0.1, DE: 0.08, KR: 0.07, IN: 0.1, VN: 0.1 });

export const inboundFlood: Scenario = {
  kind: 'inbound-flood',

  plan(env: ScenarioEnv, slot: EpisodeSlot, rng: Rng): EpisodePlan {
    const attack: Attack = INBOUND_ATTACKS[slot.ordinal % INBOUND_ATTACKS.length]!;
    const sites = env.fleet.filter((s) => s.site === 'firewall-ids');
    const sensor = (sites.length > 0 ? sites : env.fleet)[
      rng.int(sites.length > 0 ? sites.length : env.fleet.length)
    ]!;
    // Not the block's network or broadcast address.
    const victim = (sensor.base + 1 + rng.int(Math.max(1, sensor.size - 2))) >>> 0;
    const [port, service, answer] =
      attack === 'spoofed-syn-flood'
        ? [...SYN_PORTS[rng.int(SYN_PORTS.length)]!, 0]
        : attack === 'syn-ack-reflection'
          ? [...WEB[rng.int(WEB.length)]!, 0]
          : UDP_SERVICES[rng.int(UDP_SERVICES.length)]!;
    const startMs = Math.floor(slot.earliestMs + rng.float() * (slot.latestMs - slot.earliestMs));
    const wanted = 90_000 * (240 / 90) ** rng.float();
    const endMs = startMs + Math.floor(fitDuration(startMs, env.endMs, wanted, 60_000));
    const rate = sig3(geometric(150, 2000, slot.strength));
    const durationS = (endMs - startMs) / 1000;
    const sources =
      attack === 'spoofed-syn-flood'
        ? Math.round(rate * durationS)
        : 50 + rng.int(attack === 'udp-reflection' ? 500 : 1500);
    return {
      index: slot.index,
      id: `inbound-flood-${slot.ordinal + 1}`,
      kind: 'inbound-flood',
      ordinal: slot.ordinal,
      startMs,
      endMs,
      strength: slot.strength,
      magnitude: rate,
      subject: {
        victim: ipv4ToString(victim),
        sensor: sensor.name,
        attack,
        protocol: attack === 'udp-reflection' ? 'udp' : 'tcp',
        port,
        service,
      },
      params: { victim, sensor_index: sensor.index, answer, sources, duration_s: Math.round(durationS) },
    };
  },

  runtime(plan: EpisodePlan, env: ScenarioEnv): ScenarioRuntime {
    const victim = plan.params.victim as number;
    const sensorIndex = plan.params.sensor_index as number;
    const attack = plan.subject.attack as Attack;
    const port = plan.subject.port as number;
    const reflectors = plan.params.sources as number;
    const answer = plan.params.answer as number;
    // The answers' bytes: generated, labelled, one per episode (added in every worker alike).
    const payload =
      attack === 'udp-reflection'
        ? env.payloads.table.add(
            generatedBytes(`simulated ${plan.subject.service} answer ${plan.index}`, answer),
          )
        : 0;
    return {
      emit(sensor, hourStartMs, buf) {
        if (sensor.index !== sensorIndex) return;
        const o = overlap(plan.startMs, plan.endMs, hourStartMs, hourStartMs + HOUR_MS);
        if (!o) return;
        const rng = new Rng(env.seed, 0x1f10 ^ plan.index, sensor.index, Math.floor(hourStartMs / HOUR_MS));
        const n = Math.round((plan.magnitude * (o[1] - o[0])) / 1000);
        for (let k = 0; k < n; k++) {
          const t = Math.floor((o[0] + rng.float() * (o[1] - o[0])) * 1000);
          let i: number;
          if (attack === 'spoofed-syn-flood') {
            i = buf.add(
              t,
              rng.next() >>> 0,
              victim,
              PROTO.TCP,
              1024 + rng.int(64512),
              port,
              32 + rng.int(200),
            );
            buf.flags[i] = FLAGS.SYN;
            buf.window[i] = 512;
            buf.ipId[i] = rng.int(65536);
          } else {
            const r = rng.int(reflectors);
            const h = mix32(plan.index * 0x9e3779b1 + r);
            const src = addressInCountry(pickCountry(REFLECTORS, hashFloat(h)), mix32(h ^ 5), mix32(h ^ 6));
            const hh = hostHash(env.seed, src);
            const windows = isWindows(hh, 0.3);
            const dport = 1024 + (mix32(h ^ k) % 64512);
            if (attack === 'syn-ack-reflection') {
              i = buf.add(t, src, victim, PROTO.TCP, port, dport, hostTtl(hh, windows));
              buf.flags[i] = FLAGS.SYN_ACK;
              buf.window[i] = windows ? 65535 : 29200;
              buf.tcpOpt[i] = TCP_OPT.MSS;
              buf.df[i] = 1;
            } else {
              i = buf.add(t, src, victim, PROTO.UDP, port, dport, hostTtl(hh, windows));
              buf.payload[i] = payload;
            }
            buf.ipId[i] = rng.int(65536);
          }
          buf.episode[i] = plan.index;
        }
      },
    };
  },
};
