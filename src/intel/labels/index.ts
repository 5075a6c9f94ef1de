/**
 * Labels and who may read what: TLP 2.0 (`Tlp`, `parseTlp`), the one access-control module
 * (access.ts: `mayRead`, `readableWhere`, scopes; reports and campaigns by label and audience,
 * advisories by address) and declassification — a member's consent or the center's approval to
 * quote a report below its label (`DeclassificationService`). Labelled objects are read from the
 * relational store (labelled.ts).
 */
export { hasScope, isCenter, requireScope } from './access.js';
export {
  DECLASSIFICATION_STATUSES,
  type Declassification,
  DeclassificationService,
  type DeclassificationStatus,
  DeclassifyRequestSchema,
} from './declassify.js';
export { parseTlp, type Tlp, TlpSchema } from './tlp.js';
