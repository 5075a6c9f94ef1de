/**
 * Brings a collection up to date with what its audience may see: the StixService export for the
 * audience (intel's one access check decides), compared by id and version with the exported
 * versions the collection holds. New versions are added with the current date (pollers see them);
 * a version whose content changed under the same `modified` is added again; versions the audience
 * may no longer see (relabelled, declassified the other way, deleted) leave the collection.
 */
import { createHash } from 'node:crypto';
import type { Actor, IntelService } from '../../intel/index.js';
import { federationView } from '../federation/publish.js';
import type { StixService } from '../stix/service.js';
import { canonicalJson } from '../stix/stix-objects.js';
import type { CollectionDef } from './collections.js';
import type { NewVersion, TaxiiStore } from './store.js';
import { versionKey } from './timestamps.js';

export async function syncCollection(
  intel: IntelService,
  stix: StixService,
  store: TaxiiStore,
  def: CollectionDef,
  system: Actor,
): Promise<{ added: number; withdrawn: number }> {
  const peer = def.peer;
  // A peer's collection: what its partner-center organisation may read, narrowed by federation's rules.
  const bundle = peer
    ? await stix.exportBundle(system, `org:${peer.org}`, (snap) => federationView(intel, snap, peer))
    : await stix.exportBundle(system, def.audience);
  const held = await store.exported(def.id);
  const heldByContent = new Map([...held].map(([k, sha]) => [`${k.slice(0, k.indexOf(' '))} ${sha}`, k]));
  const seen = new Set<string>();
  const fresh: NewVersion[] = [];
  for (const o of bundle.objects) {
    const rec = o as Record<string, unknown>;
    const stated =
      typeof rec.modified === 'string' ? rec.modified : typeof rec.created === 'string' ? rec.created : '';
    const key = versionKey(stated) ?? '';
    const id = String(rec.id);
    const sha256 = createHash('sha256').update(canonicalJson(rec)).digest('hex');
    // A cyber-observable has no created or modified: its one version is the date it was first
    // added (store.ts), so it is the held entry of that id with the same content.
    const k = key === '' ? (heldByContent.get(`${id} ${sha256}`) ?? `${id} `) : `${id} ${key}`;
    seen.add(k);
    if (held.get(k) === sha256) continue;
    fresh.push({
      stixId: id,
      type: String(rec.type),
      version: stated,
      versionKey: key,
      specVersion: typeof rec.spec_version === 'string' ? rec.spec_version : '2.1',
      sha256,
      json: JSON.stringify(rec),
      origin: 'export',
      orgId: null,
    });
  }
  const gone = [...held.keys()].filter((k) => !seen.has(k));
  const results = fresh.length ? await store.add(def.id, fresh, true) : [];
  await store.withdraw(def.id, gone);
  return { added: results.filter((r) => r === 'added').length, withdrawn: gone.length };
}
