/**
 * `worm-outbreak`: a new single-datagram UDP worm (a new payload family: new fingerprint, new IDS
 * rule) whose infected population grows logistically — I(t) = K / (1 + e^(−r(t − t½))), from 1 % to
 * 99 % of K over the growth time — then stays until the episode ends (patched and cleaned up at
 * once). Every infected host scans the IPv4 space uniformly at {@link OUTBREAK_SCAN_RATE} probes a
 * second, so a sensor with n addresses receives about rate · n / 2^32 · I(t) packets a second, each
 * from one of the hosts infected by then.
 *
 * Subject: `{ proto: "udp", port, payload_length, payload_fingerprint, signature_id, signature }`
 * (`payload_fingerprint` is core's `fingerprintToString` of the payload). Magnitude: K, the number of
 * infected hosts at the plateau.
 */
import { fingerprintToString, payloadFingerprint } from '../../core/index.js';
import { countryMix } from '../country-space.js';
import { PROTO } from '../event-buffer.js';
import { hostHash, hostTtl, poolHost } from '../hosts.js';
import { generatedBytes } from '../payloads.js';
import { labelId, mix32, Rng } from '../prng.js';
import { BASE_SIGNATURES, LOCAL_SID_BASE, outbreakSignature } from '../signatures.js';
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

/** Probes a second per infected host (a slow worm; Slammer managed tens of thousands). */
export const OUTBREAK_SCAN_RATE = 100;

const PORTS = [4000, 1900, 5060, 6070, 10000, 2000, 3456, 8888];
const COUNTRIES = countryMix({
  CN: 0.25,
  JP: 0.2,
  US: 0.15,
  KR: 0.1,
  TW: 0.06,
  RU: 0.05,
  BR: 0.05,
  IN: 0.05,
  DE: 0.05,
  TH: 0.04,
});
const TWO_32 = 4294967296;

/** softplus(x) = ln(1 + e^x), without overflow. */
function softplus(x: number): number {
  return x > 30 ? x : Math.log1p(Math.exp(x));
}

export function outbreakFamilyName(ordinal: number): string {
  let s = '';
  let n = ordinal;
  do {
    s = String.fromCharCode(65 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return `W32.SimWorm.${s}`;
}

export const wormOutbreak: Scenario = {
  kind: 'worm-outbreak',

  plan(env: ScenarioEnv, slot: EpisodeSlot, rng: Rng): EpisodePlan {
    const port = PORTS[rng.int(PORTS.length)]!;
    const length = 200 + rng.int(600);
    const payload = generatedBytes(`worm-outbreak ${env.seed} ${slot.index}`, length);
    const fp = fingerprintToString(payloadFingerprint(payload, 0, length));
    const hosts = Math.round(geometric(50, 20_000, slot.strength));
    const growthH = 6 + 42 * rng.float();
    const plateauH = 6 + 66 * rng.float();
    const startMs = Math.floor(slot.earliestMs + rng.float() * (slot.latestMs - slot.earliestMs));
    const endMs =
      startMs + Math.floor(fitDuration(startMs, env.endMs, (growthH + plateauH) * HOUR_MS, HOUR_MS));
    const family = outbreakFamilyName(slot.ordinal);
    const sig = outbreakSignature(LOCAL_SID_BASE + slot.ordinal, family);
    return {
      index: slot.index,
      id: `worm-outbreak-${slot.ordinal + 1}`,
      kind: 'worm-outbreak',
      ordinal: slot.ordinal,
      startMs,
      endMs,
      strength: slot.strength,
      magnitude: hosts,
      subject: {
        proto: 'udp',
        port,
        payload_length: length,
        payload_fingerprint: fp,
        signature_id: sig.sid,
        signature: sig.msg,
        family,
      },
      params: {
        payload: Buffer.from(payload).toString('hex'),
        growth_hours: sig3(growthH),
        scan_rate_pps: OUTBREAK_SCAN_RATE,
        signature_index: BASE_SIGNATURES.length + slot.ordinal,
      },
    };
  },

  runtime(plan: EpisodePlan, env: ScenarioEnv): ScenarioRuntime {
    const payload = env.payloads.table.add(
      Uint8Array.from(Buffer.from(plan.params.payload as string, 'hex')),
    );
    const port = plan.subject.port as number;
    const sigIndex = plan.params.signature_index as number;
    const k = plan.magnitude;
    const growthS = (plan.params.growth_hours as number) * 3600;
    const r = (2 * Math.log(99)) / growthS;
    const half = growthS / 2;
    const pool = labelId('worm-outbreak') ^ plan.index;
    const rate = plan.params.scan_rate_pps as number;
    /** Infected hosts at t seconds after the start. */
    const infected = (t: number): number => k / (1 + Math.exp(-r * (t - half)));
    /** ∫₀ᵗ I. */
    const cumulative = (t: number): number => (k / r) * (softplus(r * (t - half)) - softplus(-r * half));
    return {
      emit(sensor, hourStartMs, buf, ids) {
        const o = overlap(plan.startMs, plan.endMs, hourStartMs, hourStartMs + HOUR_MS);
        if (!o) return;
        const a = (o[0] - plan.startMs) / 1000;
        const b = (o[1] - plan.startMs) / 1000;
        const rng = new Rng(env.seed, 0x3a00 ^ plan.index, sensor.index, Math.floor(hourStartMs / HOUR_MS));
        const n = rng.poisson(((rate * sensor.size) / TWO_32) * (cumulative(b) - cumulative(a)));
        const iMax = infected(b);
        for (let e = 0; e < n; e++) {
          // Rejection sampling of the time in proportion to I(t) (I grows, so I(b) bounds it).
          let t = a;
          for (let tries = 0; tries < 64; tries++) {
            t = a + rng.float() * (b - a);
            if (rng.float() * iMax <= infected(t)) break;
          }
          const host = Math.floor(rng.float() * Math.max(1, infected(t)));
          const src = poolHost(env.seed, pool, host, 0, COUNTRIES);
          if (src >= sensor.base && src < sensor.base + sensor.size) continue;
          const hh = hostHash(env.seed, src);
          const i = buf.add(
            Math.floor(plan.startMs * 1000 + t * 1_000_000),
            src,
            (sensor.base + rng.int(sensor.size)) >>> 0,
            PROTO.UDP,
            1024 + (mix32(hh ^ 0x77) % 64000),
            port,
            hostTtl(hh, true),
          );
          buf.ipId[i] = rng.int(65536);
          buf.payload[i] = payload;
          buf.episode[i] = plan.index;
          if (ids) buf.alert[i] = sigIndex;
        }
      },
    };
  },
};
