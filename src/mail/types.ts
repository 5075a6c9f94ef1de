/**
 * What the offline extraction yields for one reported e-mail. Every item that could identify the
 * reporting member (recipients, their hosts, their signature) carries `privacy: 'private'`;
 * `shareableView` drops those and redacts what is left, so only sender-side facts leave the
 * center (docs/background.md#sharing-schemes: protect personal data and the secrecy of
 * communications).
 */

/** `shared`: a sender-side fact fit for alerts; `private`: identifies the reporter or a recipient. */
export type Privacy = 'shared' | 'private';

/** Why an item was classified private. */
export type PrivacyReason =
  | 'recipient-address'
  | 'recipient-domain'
  | 'internal-host'
  | 'private-address'
  | 'envelope-recipient'
  | 'reporter'
  | 'signature'
  | 'raw-header';

/** A header-derived value with its classification. */
export interface Field {
  readonly value: string;
  readonly privacy: Privacy;
  readonly reason?: PrivacyReason;
}

export interface Mailbox {
  /** Display name, decoded (RFC 2047); empty when the header gave none. */
  readonly name: string;
  /** Lower-cased addr-spec with an ASCII (punycode) domain, or null for a bare group name. */
  readonly address: string | null;
  readonly privacy: Privacy;
  readonly reason?: PrivacyReason;
}

/** One `Received:` field (RFC 5321 §4.4), as the receiving server wrote it. */
export interface ReceivedHop {
  /** 0 is the topmost field: added last, by the server nearest the recipient. */
  readonly index: number;
  /** The name the sending client claimed (HELO/EHLO); not verified by anyone. */
  readonly fromHost: Field | null;
  /** The reverse-DNS name the receiving server looked up for the client, when it recorded one. */
  readonly fromRdns: Field | null;
  /** The client's address as the receiving server saw it (the bracketed or parenthesised IP). */
  readonly relayIp: Field | null;
  readonly byHost: Field | null;
  readonly byIp: Field | null;
  /** Protocol (`with ESMTPS`, `with Microsoft SMTP Server`). */
  readonly with: string | null;
  readonly id: Field | null;
  /** Envelope recipient (`for <addr>`): always private. */
  readonly for: Field | null;
  /** ISO 8601 UTC, or null when the date could not be read. */
  readonly timestamp: string | null;
  /** The unfolded field text: private, since it may name recipients and internal hosts. */
  readonly raw: Field | null;
}

export interface EmailHeaders {
  readonly from: readonly Mailbox[];
  readonly sender: readonly Mailbox[];
  readonly replyTo: readonly Mailbox[];
  readonly returnPath: readonly Mailbox[];
  readonly to: readonly Mailbox[];
  readonly cc: readonly Mailbox[];
  readonly bcc: readonly Mailbox[];
  readonly deliveredTo: readonly Mailbox[];
  readonly xOriginalTo: readonly Mailbox[];
  readonly messageId: Field | null;
  readonly xMailer: Field | null;
  readonly userAgent: Field | null;
  /** Date header as ISO 8601 UTC. */
  readonly date: Field | null;
  /** Decoded subject (RFC 2047); shared, but recipient names are redacted in the shareable view. */
  readonly subject: Field | null;
  readonly xOriginatingIp: readonly Field[];
  /** Topmost first, as they appear in the message. */
  readonly received: readonly ReceivedHop[];
}

/** A span of a body that must not be shared (a reporter's signature block). */
export interface PrivateSpan {
  readonly start: number;
  readonly end: number;
  readonly reason: PrivacyReason;
}

export interface Body {
  readonly content: string;
  readonly privateSpans: readonly PrivateSpan[];
}

export type ObservableKind = 'url' | 'domain' | 'ip' | 'email';

export type ObservableOrigin =
  | 'header'
  | 'received'
  | 'body-text'
  | 'body-html'
  | 'attachment-name'
  | 'attachment-content';

export interface ObservableSource {
  readonly origin: ObservableOrigin;
  /** Header name, HTML attribute, attachment name or archive path. */
  readonly detail?: string;
}

export interface Observable {
  readonly kind: ObservableKind;
  /** Canonical value: URL as WHATWG-serialised, domain in lower-case ASCII (RFC 3492), IP per RFC 5952. */
  readonly value: string;
  /** Unicode form of an internationalised domain, when it differs from `value`. */
  readonly display?: string;
  /** Found only in a defanged form (`hxxp://`, `[.]` …). */
  readonly defanged: boolean;
  readonly privacy: Privacy;
  readonly reason?: PrivacyReason;
  readonly sources: readonly ObservableSource[];
}

export type SniffedType =
  | 'pe'
  | 'elf'
  | 'mach-o'
  | 'zip'
  | 'ooxml'
  | 'jar'
  | 'ole2'
  | 'pdf'
  | 'rtf'
  | 'lnk'
  | 'iso9660'
  | 'rar'
  | '7z'
  | 'gzip'
  | 'cab'
  | 'html'
  | 'hta'
  | 'email'
  | 'script-shell'
  | 'script-vbs'
  | 'script-js'
  | 'script-powershell'
  | 'script-batch'
  | 'png'
  | 'jpeg'
  | 'gif'
  | 'text'
  | 'empty'
  | 'unknown';

export type AttachmentFlag =
  | 'rtlo'
  | 'bidi-control'
  | 'invisible-characters'
  | 'double-extension'
  | 'whitespace-padding'
  | 'executable-extension'
  | 'script-extension'
  | 'macro-document'
  | 'path-in-name'
  | 'type-mismatch'
  | 'extension-mismatch'
  | 'executable-content'
  | 'archive'
  | 'encrypted-zip'
  | 'zip-bomb'
  | 'nested-archive'
  | 'office-macros'
  | 'truncated'
  /** Sent uuencoded, yEnc- or BinHex-encoded (not MIME); decoded, so hashes and type are the file's. */
  | 'legacy-encoding'
  /** Declared or recognised as uuencode, yEnc or BinHex but not decodable: hashes are of the text as sent. */
  | 'undecoded';

export interface Hashes {
  readonly md5: string;
  readonly sha1: string;
  readonly sha256: string;
}

export interface ArchiveEntry {
  readonly path: string;
  readonly directory: boolean;
  /** Uncompressed size as the archive declares it. */
  readonly sizeBytes: number;
  readonly compressedBytes: number;
  readonly encrypted: boolean;
  readonly flags: readonly AttachmentFlag[];
  /** Present when the entry could be extracted. */
  readonly hashes?: Hashes;
  readonly sniffedType?: SniffedType;
  /** A nested archive's listing. */
  readonly archive?: ArchiveListing;
}

export interface ArchiveListing {
  readonly format: 'zip';
  readonly entries: readonly ArchiveEntry[];
  readonly encrypted: boolean;
  readonly bomb: boolean;
  /** Listing stopped early (entry limit, corrupt archive, time limit). */
  readonly truncated: boolean;
}

export interface Attachment {
  /** Decoded file name (RFC 2231/2047), or null when the part named none. */
  readonly fileName: string | null;
  readonly flags: readonly AttachmentFlag[];
  readonly sizeBytes: number;
  readonly hashes: Hashes;
  /** Content-Type exactly as the part declared it (lower-cased, no parameters). */
  readonly declaredType: string;
  readonly sniffedType: SniffedType;
  readonly disposition: string | null;
  readonly contentId: string | null;
  readonly privacy: Privacy;
  readonly archive?: ArchiveListing;
  /** An attached message (message/rfc822, or a file that sniffs as one), parsed recursively. */
  readonly message?: EmailExtraction;
}

export type WarningKind = 'limit' | 'malformed' | 'skipped' | 'guessed' | 'privacy';

export interface EmailWarning {
  readonly kind: WarningKind;
  readonly message: string;
}

/** Facts used to classify privacy; themselves private. */
export interface RecipientContext {
  readonly addresses: readonly string[];
  readonly domains: readonly string[];
  readonly names: readonly string[];
  /** The message was judged to be a member's forward of the attack, so its sender is the reporter. */
  readonly forwarded: boolean;
}

export interface EmailExtraction {
  /** `full` from `parseEml`; `shareable` from `shareableView` (private items removed, text redacted). */
  readonly view: 'full' | 'shareable';
  /** 0 for the reported message, 1.. for attached messages. */
  readonly depth: number;
  readonly evidence: { readonly sha256: string; readonly sizeBytes: number };
  readonly headers: EmailHeaders;
  readonly bodies: { readonly text: Body | null; readonly html: Body | null };
  readonly observables: readonly Observable[];
  readonly attachments: readonly Attachment[];
  readonly recipients: RecipientContext;
  readonly warnings: readonly EmailWarning[];
}
