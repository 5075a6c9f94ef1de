/**
 * Indicators: typed, canonical values (canonical.ts) found in reports (from-email.ts, from-text.ts)
 * and fuzzy keys that tie lures together (fuzzy.ts), stored with their sightings and aggregates
 * (`IndicatorStore`), checked against warning lists (`WarningList`, `WarningEntryService`: values
 * never to share or alert on), and read within labels (`IndicatorService`).
 */

export { canonicalIndicator } from './canonical.js';
export { markGivenAgain } from './given-again.js';
export { IndicatorService, type IndicatorView } from './queries.js';
export { IndicatorStore } from './store.js';
export {
  type AtomicType,
  INDICATOR_ROLES,
  INDICATOR_TYPES,
  type IndicatorRole,
  type IndicatorType,
  ttlMs as indicatorTtlMs,
} from './types.js';
export { type NewWarningEntry, WarningEntryService } from './warning-entries.js';
export { WarningList } from './warning-list.js';
