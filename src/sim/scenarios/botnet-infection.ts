/**
 * `botnet-infection`: the bots of one botnet, ordered to spread (an IRC bot's `advscan`-style
 * command; the annual report §3.4, docs/background.md#botnets: infection commands by target port, 135/445/139/1433 above 82 %), scan for
 * vulnerable hosts on the command's ports, each in its own neighbourhood — its /16, its /8, or the
 * whole IPv4 space — which is why sensors near infected networks see them (§2.1.1), and why bot
 * activity shows as sudden domestic bursts on these ports (§2.2.2). Bots start together (the command
 * reaches them within minutes), each scanning 2–10 addresses a second with Windows SYN retransmissions.
 * 15 % of the bots sit in the /16 of a sensor, 25 % elsewhere in a sensor's /8, 60 % anywhere.
 *
 * Subject: `{ botnet, ports, sources }` — `sources` are the bots that actually reached a sensor (what
 * a perfect detector could name; filled in after generation). Magnitude: the number of bots commanded
 * (most of them are never seen).
 */
import type { PreparedFamily } from '../background.js';
import {
  addressIn8,
  addressIn16,
  addressInCountry,
  type CountryMix,
  countryMix,
  pickCountry,
} from '../country-space.js';
import { hash3, hashFloat, mix32, Rng } from '../prng.js';
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
} from './types.js';

const PORTS = [135, 445, 139, 1433];
const BOT_COUNTRIES: CountryMix = countryMix({
  JP: 0.3,
  CN: 0.25,
  KR: 0.1,
  US: 0.1,
  TW: 0.08,
  BR: 0.05,
  RU: 0.05,
  DE: 0.04,
  IN: 0.03,
});

/** Scanning range of a bot: 16 → its /16, 8 → its /8, 0 → everything. */
type Range = 16 | 8 | 0;

function synFamily(env: ScenarioEnv, port: number): PreparedFamily {
  const fams = env.prepared.families.filter((f) => f.family.kind === 'tcp-syn');
  return fams.find((f) => f.family.ports.some(([p]) => p === port)) ?? fams[0] ?? env.prepared.families[0]!;
}

export const botnetInfection: Scenario = {
  kind: 'botnet-infection',

  plan(env: ScenarioEnv, slot: EpisodeSlot, rng: Rng): EpisodePlan {
    const ports = rng
      .shuffle([...PORTS])
      .slice(0, 1 + rng.int(3))
      .sort((a, b) => a - b);
    const bots = Math.round(geometric(20, 2000, slot.strength));
    const startMs = Math.floor(slot.earliestMs + rng.float() * (slot.latestMs - slot.earliestMs));
    const endMs =
      startMs + Math.floor(fitDuration(startMs, env.endMs, (2 + 22 * rng.float()) * HOUR_MS, HOUR_MS));
    return {
      index: slot.index,
      id: `botnet-infection-${slot.ordinal + 1}`,
      kind: 'botnet-infection',
      ordinal: slot.ordinal,
      startMs,
      endMs,
      strength: slot.strength,
      magnitude: bots,
      subject: {
        botnet: `sim-botnet-${slot.ordinal + 1}`,
        ports,
        sources: [],
        command: `advscan ${ports.map((p) => String(p)).join(',')}`,
      },
      params: { key: rng.next() },
    };
  },

  runtime(plan: EpisodePlan, env: ScenarioEnv): ScenarioRuntime {
    const key = plan.params.key as number;
    const ports = plan.subject.ports as readonly number[];
    const n = plan.magnitude;
    const addr = new Uint32Array(n);
    const range = new Uint8Array(n);
    const rate = new Float64Array(n);
    const delayMs = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const h = hash3(env.seed, key, j);
      const u = hashFloat(h);
      const s = env.fleet[mix32(h ^ 5) % env.fleet.length]!;
      let a = -1;
      let rg: Range = 0;
      if (u < 0.15) {
        a = addressIn16(s.base >>> 16, mix32(h ^ 6));
        if (a >= s.base && a < s.base + s.size) a = (a ^ 0x8000) >>> 0;
        rg = 16;
      } else if (u < 0.4) {
        a = addressIn8(s.base >>> 24, mix32(h ^ 7), mix32(h ^ 8));
        rg = 8;
      }
      if (a < 0) {
        a = addressInCountry(
          pickCountry(BOT_COUNTRIES, hashFloat(mix32(h ^ 9))),
          mix32(h ^ 10),
          mix32(h ^ 11),
        );
        rg = 0;
      }
      addr[j] = a;
      range[j] = rg;
      rate[j] = 2 + 8 * hashFloat(mix32(h ^ 12));
      delayMs[j] = -Math.log(1 - hashFloat(mix32(h ^ 13))) * 120_000;
    }
    /** Bots that can reach a sensor (same /16 or /8 when scanning locally), per sensor index. */
    const reach = new Map<number, number[]>();
    const families = ports.map((p) => synFamily(env, p));
    return {
      emit(sensor, hourStartMs, buf, ids) {
        const o = overlap(plan.startMs, plan.endMs, hourStartMs, hourStartMs + HOUR_MS);
        if (!o) return;
        let list = reach.get(sensor.index);
        if (!list) {
          list = [];
          for (let j = 0; j < n; j++) {
            const a = addr[j]!;
            const rg = range[j]!;
            if (rg === 0 || (rg === 16 ? a >>> 16 === sensor.base >>> 16 : a >>> 24 === sensor.base >>> 24))
              list.push(j);
          }
          reach.set(sensor.index, list);
        }
        const rng = new Rng(env.seed, 0xb070 ^ plan.index, sensor.index, Math.floor(hourStartMs / HOUR_MS));
        for (const j of list) {
          const from = Math.max(o[0], plan.startMs + delayMs[j]!);
          if (from >= o[1]) continue;
          const space = range[j] === 16 ? 65536 : range[j] === 8 ? 16_777_216 : 4_294_967_296;
          // Probes that land in this block: rate × time × block share of the scanned range.
          const probes = rng.poisson((rate[j]! * ((o[1] - from) / 1000) * sensor.size) / space);
          const pi = j % ports.length;
          for (let k = 0; k < probes; k++) {
            const t0 = Math.floor((from + rng.float() * (o[1] - from)) * 1000);
            env.background.visit(
              families[pi]!,
              sensor,
              addr[j]!,
              t0,
              plan.endMs * 1000,
              rng,
              buf,
              ids,
              plan.index,
              ports[pi]!,
              true,
            );
          }
        }
      },
    };
  },
};
