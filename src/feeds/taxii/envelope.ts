/**
 * A TAXII 2.1 envelope posted to a collection (§3.7), checked object by object: each must be a STIX
 * 2.1 object (`type`, an `id` of that type, `spec_version` "2.1" — this server's collections hold
 * `application/stix+json;version=2.1` only), its version its `modified`, else `created`, else
 * (cyber-observables) none. Its label is read from the official TLP markings it carries.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { KobanError } from '../../core/index.js';
import type { Tlp } from '../../intel/index.js';
import { mostRestrictive, officialTlp } from '../stix/markings.js';
import { canonicalJson, ID_RE } from '../stix/stix-objects.js';
import { versionKey } from './timestamps.js';

export interface EnvelopeObject {
  readonly index: number;
  readonly object: Record<string, unknown>;
  readonly stixId: string;
  readonly type: string;
  readonly version: string;
  readonly versionKey: string;
  readonly sha256: string;
  /** The label its markings give, or null (none: the collection's default applies). */
  readonly tlp: Tlp | null;
}

export interface EnvelopeFailure {
  readonly index: number;
  readonly id: string | null;
  readonly version: string | null;
  readonly message: string;
}

const Envelope = z.object({ objects: z.array(z.unknown()).max(100_000) }).passthrough();

export function readEnvelope(doc: unknown): { accepted: EnvelopeObject[]; failures: EnvelopeFailure[] } {
  const env = Envelope.safeParse(doc);
  if (!env.success)
    throw new KobanError(
      'E_FORMAT',
      'the body must be a TAXII envelope: {"objects": [STIX objects]} (at most 100,000)',
    );
  const accepted: EnvelopeObject[] = [];
  const failures: EnvelopeFailure[] = [];
  env.data.objects.forEach((o, index) => {
    const r = checkObject(o, index);
    if ('message' in r) failures.push(r);
    else accepted.push(r);
  });
  return { accepted, failures };
}

function text(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function checkObject(o: unknown, index: number): EnvelopeObject | EnvelopeFailure {
  if (o === null || typeof o !== 'object' || Array.isArray(o))
    return { index, id: null, version: null, message: 'not a STIX object' };
  const obj = o as Record<string, unknown>;
  const id = text(obj.id);
  const type = text(obj.type);
  const stated = text(obj.modified) ?? text(obj.created);
  const fail = (message: string): EnvelopeFailure => ({ index, id, version: stated, message });
  if (id === null || type === null || !ID_RE.test(id) || !id.startsWith(`${type}--`))
    return fail('needs a type and an id of that type (type--UUID)');
  if (obj.spec_version !== '2.1')
    return fail(
      `spec_version must be "2.1" (this collection holds STIX 2.1 only; got ${JSON.stringify(obj.spec_version ?? null)})`,
    );
  const key = stated === null ? '' : versionKey(stated);
  if (key === null) return fail(`modified/created "${stated}" is not a STIX timestamp`);
  let tlp: Tlp | null = null;
  const refs = Array.isArray(obj.object_marking_refs) ? obj.object_marking_refs : [];
  for (const ref of refs) {
    const t = typeof ref === 'string' ? officialTlp(ref) : undefined;
    if (t) tlp = tlp === null ? t : mostRestrictive(tlp, t);
  }
  return {
    index,
    object: obj,
    stixId: id,
    type,
    version: stated ?? '',
    versionKey: key,
    sha256: createHash('sha256').update(canonicalJson(obj)).digest('hex'),
    tlp,
  };
}
