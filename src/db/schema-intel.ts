/**
 * Tables of the intel context (organisations, people, reports, indicators, campaigns, alerts to
 * members, audit). Created by the migrations in `migrations/` numbered 0002 and up.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled as the intel tables land
export interface IntelTables {}
