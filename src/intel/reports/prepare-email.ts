/**
 * Everything intake does to a reported e-mail before touching the database, as one pure step that
 * can run in the thread or in a worker (parse-pool.ts): the offline extraction (`parseEml`), its
 * shareable view, the indicator candidates, the reporter's private part, and both parts already
 * serialised — so the thread that stores and correlates receives a few strings and a short list,
 * not the extraction's object graph.
 */
import { type EmailParseOptions, parseEml, shareableView } from '../../mail/index.js';
import { indicatorsFromEmail, privatePartOfEmail } from '../indicators/from-email.js';
import type { Candidate } from '../indicators/types.js';
import type { WarningList } from '../indicators/warning-list.js';

export interface PreparedEmail {
  readonly sha256: string;
  readonly sizeBytes: number;
  /** The redacted subject. */
  readonly title: string;
  /** The Date header (ISO 8601), attacker-controlled: intake checks it is plausible. */
  readonly date: string | null;
  /** `shareableView` as JSON. */
  readonly sharedJson: string;
  /** `privatePartOfEmail` as JSON. */
  readonly privateJson: string;
  readonly candidates: readonly Candidate[];
  /** The extraction's warnings, one line each. */
  readonly warnings: readonly string[];
  /** The raw file is already in the evidence directory (a worker wrote it). */
  readonly evidenceStored: boolean;
}

/**
 * Prepares a message. `keepEvidence` false (a preview, preview.ts) asks a preparer that writes the
 * raw file to the evidence directory (the parse pool's workers) not to: nothing is stored.
 */
export type EmailPreparer = (
  raw: Buffer,
  options: EmailParseOptions,
  list: WarningList,
  keepEvidence?: boolean,
) => Promise<PreparedEmail>;

export async function prepareEmail(
  raw: Buffer,
  options: EmailParseOptions,
  list: WarningList,
): Promise<PreparedEmail> {
  const full = await parseEml(raw, options);
  const shared = shareableView(full);
  return {
    sha256: full.evidence.sha256,
    sizeBytes: full.evidence.sizeBytes,
    title: shared.headers.subject?.value ?? '(no subject)',
    date: full.headers.date?.value ?? null,
    sharedJson: JSON.stringify(shared),
    privateJson: JSON.stringify(privatePartOfEmail(full)),
    candidates: indicatorsFromEmail(shared, list),
    warnings: full.warnings.map((w) => `[${w.kind}] ${w.message}`),
    evidenceStored: false,
  };
}

export const prepareInThread: EmailPreparer = prepareEmail;
