/**
 * Which sharing format a document is, and which formats exist in which direction. `koban intel
 * import` reads any of them through one command and `intel export` writes them; the formats not
 * built yet are recognised and refused by name instead of "unrecognised".
 */
import { KobanError } from '../core/index.js';

export const EXPORT_FORMATS = ['stix', 'misp-feed', 'text', 'csv', 'suricata', 'rpz'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const BUILT_EXPORT_FORMATS: readonly ExportFormat[] = ['stix'];

export type ImportFormat = 'stix-2.1' | 'stix-2.0' | 'misp-event' | 'misp-feed-manifest' | 'misp-warninglist';

const NOT_YET: Readonly<Record<Exclude<ImportFormat, 'stix-2.1'>, string>> = {
  'stix-2.0': 'a STIX 2.0 bundle (Koban imports STIX 2.1)',
  'misp-event': 'a MISP event: MISP import is not yet supported',
  'misp-feed-manifest': 'a MISP feed manifest: MISP import is not yet supported',
  'misp-warninglist': 'a MISP warninglist: warninglist import is not yet supported',
};

/** The export format asked for, or E_USAGE naming what exists and what does not yet. */
export function exportFormat(name: string): ExportFormat {
  const f = EXPORT_FORMATS.find((x) => x === name);
  if (!f)
    throw new KobanError('E_USAGE', `unknown export format "${name}" (one of ${EXPORT_FORMATS.join(', ')})`);
  if (!BUILT_EXPORT_FORMATS.includes(f))
    throw new KobanError(
      'E_USAGE',
      `export format "${f}" is not yet supported (available: ${BUILT_EXPORT_FORMATS.join(', ')})`,
    );
  return f;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** What a parsed JSON document is, from its shape; null when none of the known formats. */
export function detectFormat(doc: unknown): ImportFormat | null {
  if (!isObject(doc)) return null;
  if (doc.type === 'bundle' && Array.isArray(doc.objects)) {
    // STIX 2.0 bundles carry spec_version; 2.1 bundles do not, their objects do (STIX 2.1 §8).
    return doc.spec_version === '2.0' ? 'stix-2.0' : 'stix-2.1';
  }
  if (
    isObject(doc.Event) ||
    (Array.isArray(doc.response) && doc.response.every((e) => isObject(e) && isObject(e.Event)))
  )
    return 'misp-event';
  if (typeof doc.name === 'string' && Array.isArray(doc.list) && typeof doc.type === 'string')
    return 'misp-warninglist';
  const values = Object.values(doc);
  if (
    values.length > 0 &&
    values.every((v) => isObject(v) && 'info' in v && ('Orgc' in v || 'timestamp' in v))
  )
    return 'misp-feed-manifest';
  return null;
}

/** Refuses a recognised format that cannot be imported yet, naming it. */
export function requireImportable(f: ImportFormat | null): 'stix-2.1' {
  if (f === 'stix-2.1') return f;
  if (f === null)
    throw new KobanError(
      'E_FORMAT',
      'could not recognise the format (expected a STIX 2.1 bundle; MISP events and warninglists are recognised but not yet supported)',
    );
  throw new KobanError('E_FORMAT', `${NOT_YET[f]}`);
}
