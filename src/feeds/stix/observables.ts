/**
 * A Koban value as a STIX 2.1 Cyber-observable Object (SCO, STIX 2.1 §6): `ipv4-addr` and
 * `ipv6-addr` (a CIDR block is a value of theirs, §6.4.1/§6.5.1), `domain-name`, `url`,
 * `email-addr`, and `file` with one hash. Its id is the deterministic UUIDv5 the specification
 * prescribes for SCOs (§2.9): the SCO namespace over the canonical JSON of its ID-contributing
 * properties (`value`; a file's `hashes`), so every producer names the same observable alike.
 */
import type { AtomicType } from '../../intel/index.js';
import type { StixObject } from './export.js';
import { uuidV5 } from './ids.js';

/** STIX 2.1 §2.9: the namespace of deterministic SCO identifiers. */
const SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';

const HASH_NAME = { md5: 'MD5', sha1: 'SHA-1', sha256: 'SHA-256' } as const;

function scoType(type: AtomicType, value: string): string {
  switch (type) {
    case 'ipv4':
      return 'ipv4-addr';
    case 'ipv6':
      return 'ipv6-addr';
    case 'cidr':
      return value.includes(':') ? 'ipv6-addr' : 'ipv4-addr';
    case 'domain':
      return 'domain-name';
    case 'url':
      return 'url';
    case 'email':
      return 'email-addr';
    default:
      return 'file';
  }
}

/** The SCO of a value: `{type, spec_version, id, value}` or a file's `{…, hashes}`. */
export function observableOf(type: AtomicType, value: string): StixObject {
  const t = scoType(type, value);
  const own =
    type === 'md5' || type === 'sha1' || type === 'sha256'
      ? { hashes: { [HASH_NAME[type]]: value } }
      : { value };
  // Canonical JSON (RFC 8785) of these one-member objects is JSON.stringify's.
  return { type: t, spec_version: '2.1', id: `${t}--${uuidV5(SCO_NAMESPACE, JSON.stringify(own))}`, ...own };
}
