/**
 * Which sharing format a document is, and which formats exist in which direction. `koban intel
 * import` reads any of them through one command and `intel export` writes them; a STIX 2.0 bundle
 * is recognised and refused by name instead of "unrecognised".
 */
import { KobanError } from '../core/index.js';

export const EXPORT_FORMATS = ['stix', 'misp-feed', 'text', 'csv', 'suricata', 'rpz'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** Every export format is built (kept as a name for callers that list what is available). */
export const BUILT_EXPORT_FORMATS: readonly ExportFormat[] = EXPORT_FORMATS;

export type ImportFormat = 'stix-2.1' | 'stix-2.0' | 'misp-event' | 'misp-feed-manifest' | 'misp-warninglist';

const NOT_YET: Readonly<Record<'stix-2.0', string>> = {
  'stix-2.0': 'a STIX 2.0 bundle (Koban imports STIX 2.1)',
};

/** The export format asked for, or E_USAGE naming those that exist. */
export function exportFormat(name: string): ExportFormat {
  const f = EXPORT_FORMATS.find((x) => x === name);
  if (!f)
    throw new KobanError('E_USAGE', `unknown export format "${name}" (one of ${EXPORT_FORMATS.join(', ')})`);
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
  // An event without its {"Event": …} wrapper, as PyMISP's own tests write one.
  if (typeof doc.info === 'string' && (Array.isArray(doc.Attribute) || typeof doc.uuid === 'string'))
    return 'misp-event';
  const values = Object.values(doc);
  if (
    values.length > 0 &&
    values.every((v) => isObject(v) && 'info' in v && ('Orgc' in v || 'timestamp' in v))
  )
    return 'misp-feed-manifest';
  return null;
}

/** Refuses what is no format Koban imports, naming what was expected or what it is. */
export function requireImportable(f: ImportFormat | null): Exclude<ImportFormat, 'stix-2.0'> {
  if (f === null)
    throw new KobanError(
      'E_FORMAT',
      'could not recognise the format (expected a STIX 2.1 bundle, a MISP event or feed manifest, or a MISP warninglist)',
    );
  if (f === 'stix-2.0') throw new KobanError('E_FORMAT', NOT_YET[f]);
  return f;
}

/** Refuses anything but a STIX 2.1 bundle (the STIX importer's own entry). */
export function requireStix(f: ImportFormat | null): 'stix-2.1' {
  const g = requireImportable(f);
  if (g !== 'stix-2.1') throw new KobanError('E_FORMAT', `a ${g}, not a STIX 2.1 bundle`);
  return g;
}
