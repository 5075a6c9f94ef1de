/**
 * The audit log and the chain of custody as hash chains keyed with a key kept outside the
 * database (keyed-chain.ts, chain-key-file.ts), verified end to end (`verifyAuditChain`) and pinned
 * by signed checkpoints of their heads (checkpoints.ts). Every intel service appends to the audit
 * log in the transaction that changes data (`appendAudit`); see docs/audit.md.
 */
export {
  type AuditEntry,
  type AuditRecord,
  type AuditVerification,
  appendAudit,
  listAudit,
  verifyAuditChain,
} from './audit.js';
export { CHAIN_KEY_FILE, loadChainKey } from './chain-key-file.js';
export {
  CHECKPOINT_FILE,
  type Checkpoint,
  lastCheckpoint,
  readCheckpoints,
  writeCheckpoint,
} from './checkpoints.js';
export { chainKeyOf, chainLastId, withChainKey } from './keyed-chain.js';
