/**
 * Port surges: a sudden rise in the number of distinct sources probing one port — the 139/TCP rise
 * after MS06-040 (docs/background.md#observation), probing for a vulnerability in game software
 * (docs/background.md#real-time-detection). Following docs/methods.md#port-surges (doing better than
 * SANS ISC's trend score):
 *
 * - Series (series.ts): distinct sources per (protocol, port, domestic/foreign) in a sliding
 *   60-minute window, evaluated every 5 minutes (so the delay is not bound to hour ends), divided by
 *   the share of the fleet's usual probe volume whose streams were active (coverage.ts) — a silent
 *   sensor is missing, not a quiet port. Sources, not packets: one noisy scanner adds one.
 * - Baseline and scale: seasonal-baseline.ts (hour-of-week median blended with the last 24 h;
 *   max(1.4826 × MAD, √baseline, 1)). Complete hours are recorded at hour ends; hours in which the
 *   port was alerting do not feed it (for at most `maxExcludeMs`, after which a lasting level is
 *   accepted as the new normal).
 * - Alert (hourly-test.ts): z = (x − baseline) / scale above `zAlert`, with at least `minCount`
 *   sources, `minExcess` above baseline and `minRatio` (1.2) times it — at thousands of sources an
 *   hour a few per cent is significant, and a week's cycle is about that size —, P(X ≥ x) < `alpha`
 *   under Poisson(baseline) and sources
 *   spread over ≥ 2 sensors or ASNs; or a one-sided CUSUM of the hourly z (Page 1954) for slow
 *   ramps. Iglewicz and Hoaglin's 3.5 and the usual CUSUM k 0.5, h 5 are cuts for one series: here
 *   hundreds of (port, split) series are tested 12 times an hour, and on the simulator's background
 *   the hourly z of quiet series has a heavier tail than the normal (0.16 % above 3.5 instead of
 *   0.02 %, because each baseline is a median of a handful of values), which gave dozens of false
 *   surges a month. The defaults (options.ts) — z > 4.5, α = 10⁻⁷, CUSUM k 1, h 10 — keep
 *   family-wise false alarms near zero on 30-day simulated sets (BENCHMARKS.md) at the price of
 *   later detection of weak ramps.
 * - Slow surges (day-test.ts): a rise of a quarter in sources is a fraction of one hour's spread but
 *   several times a day's, so at each hour end the last 24 hours' sum of hourly distinct sources is
 *   compared with the same 24 hours on each of the previous two weeks (median, MAD; the same
 *   weekday's level when higher). It alerts above z 6 and 1.2× when the last 6 hours stand out on
 *   their own (z ≥ 2: still rising, not an ended burst in the sum) and the day holds no hours of an
 *   earlier episode; such an episode holds while that z ≥ 3. Delay: about a day.
 * - Episode (episodes.ts): per (protocol, port), both splits joining one alert (alert.ts); it
 *   continues while z ≥ 3 (at 2, noise alone kept ended surges open for hours: a dozen windows an
 *   hour are tested) or the CUSUM stays above h/2, and ends after `endAfterMs` without that. A
 *   later rise is a new alert.
 *
 * State: per series its sources of the last hour and its seasonal history; a series averaging
 * less than `forgetBelow` sources per watched hour with no current sources is dropped (its hours then
 * read as zeros, nearly what they were), so the random ports of background probing cost nothing
 * for long.
 */
import type { DetectorDescriptor } from '../descriptor.js';
import { listOf } from '../descriptor.js';
import { PortSurgeDetector } from './detector.js';
import { DEFAULT_PORT_SURGE, type PortSurgeOptions } from './options.js';

export { PortSurgeDetector } from './detector.js';
export { DEFAULT_PORT_SURGE, type PortSurgeOptions } from './options.js';

export const portSurge: DetectorDescriptor<'port-surge', PortSurgeOptions> = {
  name: 'port-surge',
  optionsKey: 'portSurge',
  families: ['probes'],
  scoredKind: 'port-surge',
  // A surge on a port an episode of another kind pours sources into is explained by it: Messenger
  // spam on 1026–1027/UDP, a botnet's infection ports, a worm outbreak's port.
  matches(s, e) {
    const t = e.subject;
    if (e.kind === 'port-surge') return s.proto === t.proto && s.port === t.port;
    if (e.kind === 'messenger-spam') return s.proto === 'udp' && listOf(t.ports).includes(s.port);
    if (e.kind === 'botnet-infection') return s.proto === 'tcp' && listOf(t.ports).includes(s.port);
    if (e.kind === 'worm-outbreak') return s.proto === t.proto && s.port === t.port;
    return false;
  },
  defaults: DEFAULT_PORT_SURGE,
  create: ({ options, domesticCountry }) => new PortSurgeDetector({ domesticCountry, ...options }),
};
