/**
 * Worker-thread entry of the e-mail parse pool (parse-pool.ts): prepares one message at a time
 * (`prepareEmail`) and posts the result back. A hostile message that still overruns the
 * extraction's own bounds is contained here: the pool terminates this thread on its hard deadline
 * or when it exceeds its heap limit, and the main thread carries on.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isKobanError } from '../core/index.js';
import type { EmailParseOptions } from './email/index.js';
import { writeEvidenceFileSync } from './evidence.js';
import { WarningList, type WarningListData } from './indicators/warning-list.js';
import { type PreparedEmail, prepareEmail } from './prepare-email.js';

export interface ParseRequest {
  readonly id: number;
  readonly raw: ArrayBuffer;
  readonly options: EmailParseOptions;
  readonly list: WarningListData;
}

/** Where the worker writes evidence files, when the pool was given an evidence directory. */
export interface ParseWorkerData {
  readonly evidence: { readonly dir: string; readonly fsync: boolean } | null;
}

export type ParseReply =
  | { readonly id: number; readonly ok: true; readonly prepared: PreparedEmail }
  | { readonly id: number; readonly ok: false; readonly code: string; readonly message: string };

if (parentPort) {
  const port = parentPort;
  const { evidence } = workerData as ParseWorkerData;
  let list: WarningList | null = null;
  port.on('message', async (req: ParseRequest) => {
    try {
      if (list?.data.version !== req.list.version) list = WarningList.fromData(req.list);
      const raw = Buffer.from(req.raw);
      let prepared = await prepareEmail(raw, req.options, list);
      if (evidence) {
        writeEvidenceFileSync(evidence.dir, raw, prepared.sha256, evidence.fsync);
        prepared = { ...prepared, evidenceStored: true };
      }
      port.postMessage({ id: req.id, ok: true, prepared } satisfies ParseReply);
    } catch (e) {
      const code = isKobanError(e) ? e.code : 'E_FORMAT';
      const message = isKobanError(e) ? e.message : `the message could not be read: ${(e as Error).message}`;
      port.postMessage({ id: req.id, ok: false, code, message } satisfies ParseReply);
    }
  });
}
