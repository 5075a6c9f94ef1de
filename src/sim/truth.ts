/**
 * truth.json: the ground truth of a simulated run, what detectors are scored against. One zod schema
 * is both the validation and the type.
 *
 * ```
 * { "simulated": true, "generator": "koban simulate", "seed": 1,
 *   "start": "2006-07-31T15:00:00.000Z", "end": "2006-08-30T15:00:00.000Z", "monitored_addresses": 4272,
 *   "episodes": [ { "id": "port-surge-1", "kind": "port-surge",
 *                   "start": "…Z", "end": "…Z",             // ISO 8601 UTC; end exclusive
 *                   "subject": { "proto": "tcp", "port": 139, "domestic_only": true },
 *                   "magnitude": 3.2, "magnitude_unit": "…", "strength": 0.6, "alert": true,
 *                   "details": { … }, "observed": { "events": …, "alerts": …, "sensors": […], "sources": … } } ] }
 * ```
 *
 * Per kind (subject; magnitude):
 * - `port-surge` — `{ proto, port, domestic_only }`: new sources probe `port`/`proto` from `start`
 *   (rising over 6 h, fading over the last fifth); `domestic_only` when they are all in Japan.
 *   Magnitude: multiplier of source→sensor visits on the port over its baseline at the plateau.
 *   Details: `expected_added_sources_per_day` (size of the new source population).
 * - `backscatter` — `{ victim, protocol, ports, attack_type }`: `victim` is the attacked address,
 *   `protocol` the replies' protocol (`tcp` for SYN-ACK/RST, `icmp` for echo replies and
 *   unreachables), `ports` the attacked services, `attack_type` `syn-flood` | `ping-flood` |
 *   `udp-flood`. Magnitude: the victim's reply rate in packets per second (uniform spoofing, so the
 *   fleet sees rate × monitored_addresses / 2^32 a second). Details: `expected_observed` replies.
 * - `scan` — `{ source, type, ports, targets, target_sensors }` (+ `target` for vertical scans):
 *   `type` `horizontal` (one port, many addresses) or `vertical` (many ports, one address);
 *   `targets` the number of distinct monitored addresses probed. Magnitude: addresses probed
 *   (horizontal) or ports probed (vertical). `alert`: whether it is a large campaign (core's
 *   `isLargeScan` over the monitored addresses) — a smaller scan is a scanner-list entry, not an
 *   alert.
 * - `worm-outbreak` — `{ proto, port, payload_length, payload_fingerprint, signature_id, signature,
 *   family }`: `payload_fingerprint` is core's `fingerprintToString` of the worm's payload,
 *   `signature_id` the IDS rule that detects it. Magnitude: infected hosts at the plateau.
 *   Details: `growth_hours` (1 % → 99 % of the plateau), `scan_rate_pps` per host.
 * - `messenger-spam` — `{ country, ports, sources, payload_fingerprints }`: senders in `country` to
 *   1026 then 1027/UDP. Magnitude: multiplier of 1026–1027/UDP packets over the baseline.
 * - `botnet-infection` — `{ botnet, ports, sources, command }`: `sources` are the bots that reached at
 *   least one sensor. Magnitude: bots commanded.
 * - `sensor-outage` — `{ sensor, problem: "silent" }`: the sensor recorded nothing from `start` to
 *   `end` (its `observed` counts are zero). Magnitude: the outage's length in hours.
 * - `data-gap` — `{ problem: "gap" }`: no sensor recorded anything from `start` to `end` (a gap in
 *   the data, not an event: no detector is scored against it). Magnitude: its length in hours.
 * - `inbound-flood` — `{ victim, sensor, attack, protocol, port, service }`: a flood at `victim`, an
 *   address `sensor` monitors; `attack` `spoofed-syn-flood` | `syn-ack-reflection` | `udp-reflection`;
 *   `port` the attacked port (SYN flood) or the reflectors' service port, `service` its name.
 *   Magnitude: packets per second at the victim. Details: `sources` (forged sources or
 *   reflectors), `duration_s`.
 *
 * `alert` (optional, default true) says whether the episode deserves an operator alert by the
 * definition of docs/methods.md#what-deserves-an-alert: `false` for a scan smaller than a large
 * campaign (kept as data) and for a backscatter victim replying below the detector's default
 * `minVictimRatePps` (10,000 replies/s) — a statistic, listed but not alerted, which evaluation
 * neither expects nor counts as missed.
 *
 * `strength` (0 weak, near the noise … 1 strong) is how the magnitude was chosen. `observed` counts
 * what the episode put in the written files: packets logged by a firewall or captured by a darknet
 * sensor (`events`), IDS alerts (`alerts`), the sensors that saw any, and distinct sources. An
 * episode with few observed events may be impossible to detect; scoring should say so.
 */
import { z } from 'zod';

const Iso = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/, 'ISO 8601 UTC');
const Ipv4 = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/);
const Port = z.number().int().min(0).max(65535);
const Fingerprint = z.string().regex(/^\d+:[0-9a-f]{8}$/);

const Observed = z.object({
  events: z.number().int().min(0),
  alerts: z.number().int().min(0),
  sensors: z.array(z.string()),
  sources: z.number().int().min(0),
});

const base = {
  id: z.string(),
  start: Iso,
  end: Iso,
  magnitude: z.number().positive(),
  magnitude_unit: z.string(),
  strength: z.number().min(0).max(1),
  /** Whether the episode deserves an alert (docs/methods.md#what-deserves-an-alert); absent: true. */
  alert: z.boolean().default(true),
  details: z.record(z.string(), z.union([z.number(), z.string()])),
  observed: Observed,
};

export const TruthEpisodeSchema = z.discriminatedUnion('kind', [
  z.object({
    ...base,
    kind: z.literal('port-surge'),
    subject: z.object({ proto: z.literal('tcp'), port: Port, domestic_only: z.boolean() }),
  }),
  z.object({
    ...base,
    kind: z.literal('backscatter'),
    subject: z.object({
      victim: Ipv4,
      protocol: z.enum(['tcp', 'icmp']),
      ports: z.array(Port),
      attack_type: z.enum(['syn-flood', 'ping-flood', 'udp-flood']),
    }),
  }),
  z.object({
    ...base,
    kind: z.literal('scan'),
    subject: z.object({
      source: Ipv4,
      type: z.enum(['horizontal', 'vertical']),
      ports: z.array(Port).min(1),
      targets: z.number().int().positive(),
      target: Ipv4.optional(),
      target_sensors: z.array(z.string()),
    }),
  }),
  z.object({
    ...base,
    kind: z.literal('worm-outbreak'),
    subject: z.object({
      proto: z.literal('udp'),
      port: Port,
      payload_length: z.number().int().positive(),
      payload_fingerprint: Fingerprint,
      signature_id: z.number().int().positive(),
      signature: z.string(),
      family: z.string(),
    }),
  }),
  z.object({
    ...base,
    kind: z.literal('messenger-spam'),
    subject: z.object({
      country: z.string().regex(/^[A-Z]{2}$/),
      ports: z.array(Port),
      sources: z.array(Ipv4),
      payload_fingerprints: z.array(Fingerprint),
    }),
  }),
  z.object({
    ...base,
    kind: z.literal('botnet-infection'),
    subject: z.object({
      botnet: z.string(),
      ports: z.array(Port).min(1),
      sources: z.array(Ipv4),
      command: z.string(),
    }),
  }),
  z.object({
    ...base,
    kind: z.literal('sensor-outage'),
    subject: z.object({ sensor: z.string(), problem: z.literal('silent') }),
  }),
  z.object({
    ...base,
    kind: z.literal('data-gap'),
    subject: z.object({ problem: z.literal('gap') }),
  }),
  z.object({
    ...base,
    kind: z.literal('inbound-flood'),
    subject: z.object({
      victim: Ipv4,
      sensor: z.string(),
      attack: z.enum(['spoofed-syn-flood', 'syn-ack-reflection', 'udp-reflection']),
      protocol: z.enum(['tcp', 'udp']),
      port: Port,
      service: z.string(),
    }),
  }),
]);

export const TruthSchema = z.object({
  simulated: z.literal(true),
  generator: z.string(),
  seed: z.number().int().min(0),
  start: Iso,
  end: Iso,
  monitored_addresses: z.number().int().positive(),
  episodes: z.array(TruthEpisodeSchema),
});

export type Truth = z.infer<typeof TruthSchema>;
export type TruthEpisode = z.infer<typeof TruthEpisodeSchema>;

/** What each kind's magnitude measures. */
export const MAGNITUDE_UNITS: Readonly<Record<TruthEpisode['kind'], string>> = {
  'port-surge': 'multiplier of source visits on the port over baseline',
  backscatter: 'victim reply packets per second',
  scan: 'addresses probed (horizontal) or ports probed (vertical)',
  'worm-outbreak': 'infected hosts at the plateau',
  'messenger-spam': 'multiplier of 1026-1027/udp packets over baseline',
  'botnet-infection': 'bots commanded',
  'sensor-outage': 'hours without any record from the sensor',
  'data-gap': 'hours without any record from any sensor',
  'inbound-flood': 'packets per second at the victim address',
};

/** Plan parameters that truth.json reports as `details`, by kind (plan key → truth key). */
export const DETAIL_KEYS: Readonly<Record<TruthEpisode['kind'], Readonly<Record<string, string>>>> = {
  'port-surge': { added_sources: 'expected_added_sources_per_day' },
  backscatter: { expected_observed: 'expected_observed' },
  scan: {},
  'worm-outbreak': { growth_hours: 'growth_hours', scan_rate_pps: 'scan_rate_pps' },
  'messenger-spam': {},
  'botnet-infection': {},
  'sensor-outage': {},
  'data-gap': {},
  'inbound-flood': { sources: 'sources', duration_s: 'duration_s' },
};
