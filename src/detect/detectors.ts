/**
 * The detectors, in the order a run steps them and scoring lists them: the one place a detector is
 * registered (descriptor.ts). A new detector is one file (or folder) exporting a descriptor, plus
 * one entry here.
 */
import { backscatter } from './backscatter.js';
import type { DetectorDescriptor } from './descriptor.js';
import { inboundFlood } from './inbound-flood/index.js';
import { portSurge } from './port-surge/index.js';
import { scan } from './scan.js';
import { sensorHealth } from './sensor-health.js';
import { worm } from './worm.js';

export const DETECTORS = [
  portSurge,
  backscatter,
  scan,
  worm,
  sensorHealth,
  inboundFlood,
] as const satisfies readonly DetectorDescriptor[];

type Registered = (typeof DETECTORS)[number];
export type DetectorName = Registered['name'];

export const DETECTOR_NAMES: readonly DetectorName[] = DETECTORS.map((d) => d.name);

type OptionsOf<D> = D extends DetectorDescriptor<string, infer O> ? O : never;

/** Each detector's options, under its descriptor's `optionsKey` (`portSurge`, `sensorHealth`, …). */
export type DetectorOptionsByKey = {
  readonly [D in Registered as D['optionsKey']]?: Partial<OptionsOf<D>>;
};

const BY_NAME: ReadonlyMap<string, DetectorDescriptor> = new Map(DETECTORS.map((d) => [d.name, d]));

/** The descriptor of a registered detector. */
export function descriptorOf(name: DetectorName): DetectorDescriptor {
  return BY_NAME.get(name)!;
}
