/**
 * MISP tags Koban reads and writes. TLP follows the MISP `tlp` taxonomy (misp-taxonomies,
 * `tlp/machinetag.json`: TLP 2.0's `clear` and `amber+strict`, TLP 1.0's `white` kept for older
 * events); Koban's own facts travel as a `koban:` machine tag (namespace:predicate="value") so a
 * MISP instance shows them as tags and a Koban importer reads them back.
 */
import type { Tlp } from '../../intel/index.js';

export interface MispTag {
  readonly name: string;
  readonly colour: string;
}

const TLP_TAGS: Readonly<Record<Tlp, MispTag>> = {
  CLEAR: { name: 'tlp:clear', colour: '#ffffff' },
  GREEN: { name: 'tlp:green', colour: '#339900' },
  AMBER: { name: 'tlp:amber', colour: '#ffc000' },
  'AMBER+STRICT': { name: 'tlp:amber+strict', colour: '#ffc000' },
  RED: { name: 'tlp:red', colour: '#cc0033' },
};

const TLP_OF_TAG: Readonly<Record<string, Tlp>> = {
  'tlp:clear': 'CLEAR',
  'tlp:white': 'CLEAR',
  'tlp:green': 'GREEN',
  'tlp:amber': 'AMBER',
  'tlp:amber+strict': 'AMBER+STRICT',
  'tlp:red': 'RED',
};

/** The colour MISP gives Koban's own machine tags (any colour is valid; one keeps them together). */
const KOBAN_COLOUR = '#0b3d91';

export function tlpTag(t: Tlp): MispTag {
  return TLP_TAGS[t];
}

/** The TLP label a tag name stands for (case-insensitive, as MISP compares tag names), else null. */
export function tlpOfTag(name: string): Tlp | null {
  return TLP_OF_TAG[name.trim().toLowerCase()] ?? null;
}

/** `koban:PREDICATE="VALUE"`, quotes and backslashes escaped. */
export function kobanTag(predicate: string, value: string): MispTag {
  const v = value.replace(/[\\"]/g, (c) => `\\${c}`);
  return { name: `koban:${predicate}="${v}"`, colour: KOBAN_COLOUR };
}

/** The predicate and value of a `koban:` machine tag, else null. */
export function readKobanTag(name: string): { predicate: string; value: string } | null {
  const m = /^koban:([a-z-]+)="((?:[^"\\]|\\.)*)"$/.exec(name);
  if (!m) return null;
  return { predicate: m[1]!, value: m[2]!.replace(/\\(.)/g, '$1') };
}
