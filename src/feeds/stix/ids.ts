/**
 * Deterministic STIX identifiers (STIX 2.1 §2.9: `type--UUID`; SCOs and re-exports SHOULD use
 * UUIDv5): the same Koban object gets the same id in every export, so a partner's second fetch
 * updates instead of duplicating. Names live in a namespace of the installation (derived from the
 * center's name), so two centers' "report 1" never collide when they federate.
 */
import { createHash } from 'node:crypto';

/** Koban's root namespace (a random UUID fixed once for the project). */
export const KOBAN_NAMESPACE = '5853277b-602a-43a3-bc6e-611d275ebdb7';

function bytesOf(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/** RFC 9562 §5.5: SHA-1 of namespace and name, version 5, variant 10. */
export function uuidV5(namespace: string, name: string): string {
  const h = createHash('sha1').update(bytesOf(namespace)).update(name, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The namespace of one installation: its center's name (or "koban" before one is registered). */
export function installationNamespace(centerName: string | null): string {
  return uuidV5(KOBAN_NAMESPACE, `center:${centerName ?? 'koban'}`);
}

export type IdMaker = (type: string, name: string) => string;

export function idMaker(namespace: string): IdMaker {
  return (type, name) => `${type}--${uuidV5(namespace, `${type}:${name}`)}`;
}
