/**
 * How a detector registers (docs/architecture.md#adding-a-detector-a-parser-a-route-a-storage-adapter): its file or folder exports
 * a {@link DetectorDescriptor} — its name, the row families it reads, how its alerts are scored
 * against a simulated set's truth, its default options and a factory — and detectors.ts lists it.
 * Everything else derives from that list: the names the CLI accepts, the option keys of
 * `DetectorsOptions`, the families a run queries, the detectors a run steps and the scoring.
 */
import type { DetectionFamily } from '../observe/index.js';
import type { TruthEpisodeLike } from './eval.js';
import type { Detector } from './finding.js';

/** 'port-surge' → 'portSurge': the key of a detector's options in `DetectorsOptions`. */
export type CamelCase<S extends string> = S extends `${infer A}-${infer B}`
  ? `${A}${Capitalize<CamelCase<B>>}`
  : S;

/** What a detector's factory is given. */
export interface DetectorContext<O> {
  /** The options given for this detector (the detector lays them over its defaults). */
  readonly options: Partial<O>;
  /** ISO 3166-1 alpha-2 of "domestic" (the data directory's `domesticCountry`; default JP). */
  readonly domesticCountry: string;
}

/** The `subject` of an alert's evidence, as stored (what evaluation matches on). */
export type AlertSubject = Readonly<Record<string, unknown>>;

export interface DetectorDescriptor<N extends string = string, O = unknown> {
  /** The detector's name: `Finding.detector`, the alert evidence's `detector`, `--only`. */
  readonly name: N;
  /** Where its options sit in `DetectorsOptions` (the camel case of the name, checked by the compiler). */
  readonly optionsKey: CamelCase<N>;
  /** The event store's row families it reads (sensor-volume is always read, for coverage). */
  readonly families: readonly DetectionFamily[];
  /** The kind of truth episode its alerts are scored against (src/detect/eval.ts); null: not scored. */
  readonly scoredKind: string | null;
  /**
   * Does an alert of this detector with `subject` report what episode `e` is about? Asked of
   * episodes of the scored kind (a match is a true positive) and of other kinds (a match explains
   * the alert: neither true nor false).
   */
  matches(subject: AlertSubject, e: TruthEpisodeLike): boolean;
  readonly defaults: O;
  create(context: DetectorContext<O>): Detector;
}

/** A truth subject's list field (`ports`, `sources`, …) as an array; anything else as none. */
export const listOf = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);
