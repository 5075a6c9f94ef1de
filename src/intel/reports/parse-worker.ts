/**
 * Worker-thread entry of the e-mail parse pool (parse-pool.ts, on `piscina`): prepares one message
 * at a time (`prepareEmail`) and returns the result. A hostile message that still overruns the
 * extraction's own bounds is contained here: the pool terminates this thread on its hard deadline
 * or when it exceeds its heap limit, and the main thread carries on.
 */
import { workerData } from 'piscina';
import { isKobanError } from '../../core/index.js';
import type { EmailParseOptions } from '../../mail/index.js';
import { WarningList, type WarningListData } from '../indicators/warning-list.js';
import { writeEvidenceFileSync } from './evidence.js';
import { type PreparedEmail, prepareEmail } from './prepare-email.js';

export interface ParseRequest {
  readonly raw: ArrayBuffer;
  readonly options: EmailParseOptions;
  readonly list: WarningListData;
  /** False for a preview: the file is parsed but not written to the evidence directory. */
  readonly keepEvidence: boolean;
}

/** Where the worker writes evidence files, when the pool was given an evidence directory. */
export interface ParseWorkerData {
  readonly evidence: { readonly dir: string; readonly fsync: boolean } | null;
}

export type ParseReply =
  | { readonly ok: true; readonly prepared: PreparedEmail }
  | { readonly ok: false; readonly code: string; readonly message: string };

let list: WarningList | null = null;

/** One job (piscina calls the module's default export in the worker). */
export default async function parseJob(req: ParseRequest): Promise<ParseReply> {
  const { evidence } = workerData as ParseWorkerData;
  try {
    if (list?.data.version !== req.list.version) list = WarningList.fromData(req.list);
    const raw = Buffer.from(req.raw);
    let prepared = await prepareEmail(raw, req.options, list);
    if (evidence && req.keepEvidence) {
      writeEvidenceFileSync(evidence.dir, raw, prepared.sha256, evidence.fsync);
      prepared = { ...prepared, evidenceStored: true };
    }
    return { ok: true, prepared };
  } catch (e) {
    const code = isKobanError(e) ? e.code : 'E_FORMAT';
    const message = isKobanError(e) ? e.message : `the message could not be read: ${(e as Error).message}`;
    return { ok: false, code, message };
  }
}
