/**
 * `messenger-spam`: a Messenger-spam campaign (the annual report §2.2.4, docs/background.md#observation, figures 2.11–2.12): a handful of
 * senders in one country sweep the sensors' blocks with Windows Messenger service datagrams to
 * 1026/UDP and then 1027/UDP, carrying the campaign's own message. The first episode's senders are in
 * the USA (2006, figure 2.12); later ones are drawn from countries spam came from.
 *
 * Subject: `{ country, ports: [1026, 1027], sources, payload_fingerprints }`. Magnitude: the multiplier
 * of 1026–1027/UDP packets over the baseline while the campaign runs.
 */
import { fingerprintToString, ipv4ToString } from '../../core/index.js';
import { addressInCountry } from '../country-space.js';
import { PROTO } from '../event-buffer.js';
import { ephemeralPort, hostHash, hostTtl } from '../hosts.js';
import { messengerSpam, PayloadTable } from '../payloads.js';
import { Rng } from '../prng.js';
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

const COUNTRIES = ['US', 'CN', 'KR', 'RU', 'BR', 'DE', 'GB', 'TW', 'CA', 'NL'];
const VARIANTS = 3;
/** Addresses one sender's sweep covers on a sensor block (at most the block). */
const SWEEP = 64;

function messengerFamily(env: ScenarioEnv): number {
  const f = env.prepared.families.find((x) => x.family.ports.some(([p]) => p === 1026));
  return f ? f.id : -1;
}

export const messengerSpamScenario: Scenario = {
  kind: 'messenger-spam',

  plan(env: ScenarioEnv, slot: EpisodeSlot, rng: Rng): EpisodePlan {
    const country = slot.ordinal === 0 ? 'US' : COUNTRIES[rng.int(COUNTRIES.length)]!;
    const senders = 3 + rng.int(10);
    const sources: number[] = [];
    for (let k = 0; k < senders; k++) sources.push(addressInCountry(country, rng.next(), rng.next()));
    const multiplier = sig3(geometric(1.3, 10, slot.strength));
    const startMs = Math.floor(slot.earliestMs + rng.float() * (slot.latestMs - slot.earliestMs));
    const endMs =
      startMs + Math.floor(fitDuration(startMs, env.endMs, (1 + 11 * rng.float()) * HOUR_MS, HOUR_MS));
    const campaign = `campaign ${env.seed} ${slot.index}`;
    const t = new PayloadTable();
    const fps: string[] = [];
    for (let v = 0; v < VARIANTS; v++)
      fps.push(fingerprintToString(t.get(t.add(messengerSpam(campaign, v))).fingerprint));
    return {
      index: slot.index,
      id: `messenger-spam-${slot.ordinal + 1}`,
      kind: 'messenger-spam',
      ordinal: slot.ordinal,
      startMs,
      endMs,
      strength: slot.strength,
      magnitude: multiplier,
      subject: {
        country,
        ports: [1026, 1027],
        sources: sources.map(ipv4ToString),
        payload_fingerprints: fps,
      },
      params: { sources, campaign },
    };
  },

  runtime(plan: EpisodePlan, env: ScenarioEnv): ScenarioRuntime {
    const sources = plan.params.sources as readonly number[];
    const campaign = plan.params.campaign as string;
    const payloads: number[] = [];
    for (let v = 0; v < VARIANTS; v++) payloads.push(env.payloads.table.add(messengerSpam(campaign, v)));
    const fam = messengerFamily(env);
    return {
      emit(sensor, hourStartMs, buf) {
        const o = overlap(plan.startMs, plan.endMs, hourStartMs, hourStartMs + HOUR_MS);
        if (!o) return;
        const f = env.prepared.families[fam];
        const baseline = f ? env.background.expectedPackets(f, sensor, hourStartMs) : 2;
        const sweep = Math.min(SWEEP, sensor.size);
        const added = ((plan.magnitude - 1) * Math.max(baseline, 1) * (o[1] - o[0])) / HOUR_MS;
        const rng = new Rng(env.seed, 0x3e55 ^ plan.index, sensor.index, Math.floor(hourStartMs / HOUR_MS));
        const visits = rng.poisson(added / (2 * sweep));
        const endUs = o[1] * 1000;
        for (let v = 0; v < visits; v++) {
          const src = sources[rng.int(sources.length)]!;
          const hh = hostHash(env.seed, src);
          const ttl = hostTtl(hh, true);
          const payload = payloads[rng.int(VARIANTS)]!;
          const off = rng.int(sensor.size - sweep + 1);
          let t = Math.floor((o[0] + rng.float() * (o[1] - o[0])) * 1000);
          const key = rng.next();
          for (let k = 0; k < sweep; k++) {
            const dst = (sensor.base + off + k) >>> 0;
            const sport = ephemeralPort(hh, true, key, k);
            for (const port of [1026, 1027]) {
              if (t >= endUs) break;
              const i = buf.add(t, src, dst, PROTO.UDP, sport, port, ttl);
              buf.ipId[i] = rng.int(65536);
              buf.payload[i] = payload;
              buf.episode[i] = plan.index;
              t += 2000 + rng.int(20_000);
            }
          }
        }
      },
    };
  },
};
