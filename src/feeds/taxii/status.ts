/**
 * TAXII 2.1 status resources (§4.3.1): what became of each object of a POST. This server imports
 * while the request is open, so every status is `complete` with nothing pending (and no `pendings`).
 */
import type { EnvelopeFailure, EnvelopeObject } from './envelope.js';
import type { AddResult, TaxiiStore } from './store.js';
import { formatMicros } from './timestamps.js';

export interface StatusDetail {
  readonly id: string;
  readonly version: string;
  readonly message?: string;
}

export interface StatusBody {
  readonly id: string;
  readonly status: 'complete';
  readonly request_timestamp: string;
  readonly total_count: number;
  readonly success_count: number;
  readonly successes?: StatusDetail[];
  readonly failure_count: number;
  readonly failures?: StatusDetail[];
  readonly pending_count: number;
}

export interface Added {
  readonly object: EnvelopeObject;
  readonly result: AddResult;
}

/** Publishes accepted objects in the collection, as sent. */
export async function addVersionsOf(
  store: TaxiiStore,
  collection: string,
  objects: readonly EnvelopeObject[],
  orgId: number | null,
): Promise<Added[]> {
  const results = await store.add(
    collection,
    objects.map((o) => ({
      stixId: o.stixId,
      type: o.type,
      version: o.version,
      versionKey: o.versionKey,
      specVersion: '2.1',
      sha256: o.sha256,
      json: JSON.stringify(o.object),
      origin: 'post' as const,
      orgId,
    })),
  );
  return objects.map((object, i) => ({ object, result: results[i] ?? 'conflict' }));
}

export function statusBody(
  id: string,
  requestUs: number,
  added: readonly Added[],
  failed: readonly EnvelopeFailure[],
): StatusBody {
  const successes: StatusDetail[] = [];
  const failures: StatusDetail[] = failed.map((f) => ({
    id: f.id ?? `(object #${f.index})`,
    version: f.version ?? '',
    message: f.message,
  }));
  for (const a of added) {
    const d = { id: a.object.stixId, version: a.object.version };
    if (a.result === 'added') successes.push(d);
    else if (a.result === 'unchanged') successes.push({ ...d, message: 'already held' });
    else
      failures.push({
        ...d,
        message: 'a different object with this id and version is held; the first one is kept',
      });
  }
  return {
    id,
    status: 'complete',
    request_timestamp: formatMicros(requestUs),
    total_count: successes.length + failures.length,
    success_count: successes.length,
    // TAXII lists are never empty (§1.6.6 follows STIX §3.1): an empty one is left out.
    ...(successes.length ? { successes } : {}),
    failure_count: failures.length,
    ...(failures.length ? { failures } : {}),
    pending_count: 0,
  };
}
