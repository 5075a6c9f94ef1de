/**
 * E-mail intake, offline part: a member's reported message (.eml) → `EmailExtraction` — headers
 * and the Received chain, decoded bodies, observables (URLs, domains, IPs, addresses, refanged),
 * attachments (hashes, name tricks, sniffed type, ZIP listing, attached messages), the raw file's
 * SHA-256 and a list of warnings. Every item is classified `shared` or `private`;
 * `shareableView` gives what may go out in alerts (MISSION.md §5, §8).
 *
 * Input comes from the CLI (`koban email parse`) and, later, the member portal; output goes to
 * indicator storage and correlation. No database, no network: pure functions over bytes.
 */
export { type EmailParseOptions, parseEml } from './eml.js';
export { escapeForDisplay } from './file-names.js';
export { DEFAULT_EMAIL_LIMITS, type EmailLimits } from './limits.js';
export { refang } from './observables.js';
export type { PrivacyHints } from './privacy.js';
export {
  REDACTED_DOMAIN,
  REDACTED_HOST,
  REDACTED_IP,
  REDACTED_RECIPIENT,
  REDACTED_SIGNATURE,
  shareableView,
} from './redact.js';
export { isRoleLocalPart } from './scrubber.js';
export type {
  ArchiveEntry,
  ArchiveListing,
  Attachment,
  AttachmentFlag,
  Body,
  EmailExtraction,
  EmailHeaders,
  EmailWarning,
  Field,
  Hashes,
  Mailbox,
  Observable,
  ObservableKind,
  ObservableOrigin,
  ObservableSource,
  Privacy,
  PrivacyReason,
  PrivateSpan,
  ReceivedHop,
  RecipientContext,
  SniffedType,
  WarningKind,
} from './types.js';
