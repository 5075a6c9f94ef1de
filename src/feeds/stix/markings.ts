/**
 * TLP as STIX 2.1 markings. Exports use the official TLP 2.0 marking-definition objects (FIRST TLP
 * 2.0 expressed through the OASIS extension `extension-definition--60a3c5c5-…`, fixed ids and
 * `created` 2022-10-01), emitted as they are published. Imports also know the four TLP 1.0 ids the
 * STIX 2.1 specification predefines (§7.2.1.4, WHITE read as CLEAR), TLP 1.0 definitions written
 * out (`definition_type: tlp`) and TLP 2.0 definitions given in the bundle; for an official id the
 * extension's value must agree with the id.
 */
import type { Tlp } from '../../intel/index.js';

export const TLP2_EXTENSION = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';

export const TLP2_IDS: Readonly<Record<Tlp, string>> = {
  CLEAR: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  GREEN: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  AMBER: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'AMBER+STRICT': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  RED: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

/** STIX 2.1 §7.2.1.4, the predefined TLP 1.0 markings. */
export const TLP1_IDS: Readonly<Record<string, Tlp>> = {
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'CLEAR',
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'GREEN',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'AMBER',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'RED',
};

const ORDER: readonly Tlp[] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

export function tlpRank(t: Tlp): number {
  return ORDER.indexOf(t);
}

export function mostRestrictive(a: Tlp, b: Tlp): Tlp {
  return tlpRank(a) >= tlpRank(b) ? a : b;
}

export function mostPermissive(a: Tlp, b: Tlp): Tlp {
  return tlpRank(a) <= tlpRank(b) ? a : b;
}

/** The official object, exactly as published. */
export function tlpMarkingObject(t: Tlp): Record<string, unknown> {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: TLP2_IDS[t],
    created: '2022-10-01T00:00:00.000Z',
    name: `TLP:${t}`,
    extensions: {
      [TLP2_EXTENSION]: { extension_type: 'property-extension', tlp_2_0: t.toLowerCase() },
    },
  };
}

const BY_TLP2_ID = new Map(Object.entries(TLP2_IDS).map(([t, id]) => [id, t as Tlp]));

/** The label an official id stands for, TLP 2.0 or 1.0; undefined for any other id. */
export function officialTlp(id: string): Tlp | undefined {
  return BY_TLP2_ID.get(id) ?? TLP1_IDS[id];
}

function tlpWord(w: unknown): Tlp | null {
  if (typeof w !== 'string') return null;
  const t = w.trim().toUpperCase();
  if (t === 'WHITE') return 'CLEAR';
  return (ORDER as readonly string[]).includes(t) ? (t as Tlp) : null;
}

/**
 * The label a marking-definition object of a bundle defines: null when it defines no TLP (a
 * statement), an error string when it is a TLP definition that contradicts itself or its id.
 */
export function tlpOfDefinition(o: Record<string, unknown>): Tlp | null | { error: string } {
  const ext = (o.extensions as Record<string, Record<string, unknown>> | undefined)?.[TLP2_EXTENSION];
  const def = o.definition as Record<string, unknown> | undefined;
  const stated = ext ? tlpWord(ext.tlp_2_0) : o.definition_type === 'tlp' ? tlpWord(def?.tlp) : null;
  if ((ext || o.definition_type === 'tlp') && stated === null)
    return { error: 'a TLP marking definition without a valid TLP value' };
  const official = typeof o.id === 'string' ? officialTlp(o.id) : undefined;
  if (official && stated && official !== stated)
    return { error: `the official id of TLP:${official} defined as TLP:${stated}` };
  return stated ?? official ?? null;
}
