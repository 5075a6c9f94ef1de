/**
 * E-mail extraction, a leaf context (it depends on `core` only): a member's reported message (.eml)
 * → `EmailExtraction` — headers and the Received chain, decoded bodies, observables (URLs, domains,
 * IPs, addresses, refanged), attachments (hashes, name tricks, sniffed type, ZIP listing, attached
 * messages), the raw file's SHA-256 and a list of warnings. Every item is classified `shared` or
 * `private`; `shareableView` gives what may go out in advisories (docs/background.md#sharing-schemes).
 *
 * Input comes from intel's intake (the API, the portal, `koban report add`) and the CLI
 * (`koban email parse`); output goes to indicator extraction and correlation in `intel`. No
 * database, no network: pure functions over bytes. Besides the extraction, the door offers the
 * host and text helpers intel's indicator canonicalisation shares with it (`normaliseHost`,
 * `organisationalDomain` on the Public Suffix List, `refang`, `extractFromText`).
 */

export {
  isWithin,
  MAILBOX_PROVIDERS,
  normaliseHost,
  organisationalDomain,
} from './domains.js';
export { type EmailParseOptions, parseEml } from './eml.js';
export { escapeForDisplay, logicalName } from './file-names.js';
export { DEFAULT_EMAIL_LIMITS, type EmailLimits } from './limits.js';
export { extractFromText, refang } from './observables.js';
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
