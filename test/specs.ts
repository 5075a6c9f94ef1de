/**
 * Where the published specifications live: `../shared/specs/` beside the project root (the OASIS
 * STIX 2.1 JSON schemas, …). Like the samples (samples.ts) they are never copied into the
 * repository; a checkout without them reports the tests that need them as skipped.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { PROJECT_ROOT } from './samples.js';

export const SPECS_DIR = resolve(process.env.KOBAN_SPECS ?? join(PROJECT_ROOT, '..', 'shared', 'specs'));
export const STIX_SCHEMAS_DIR = join(SPECS_DIR, 'stix2.1-json-schemas', 'schemas');
export const HAVE_STIX_SCHEMAS = existsSync(join(STIX_SCHEMAS_DIR, 'common', 'bundle.json'));

/**
 * A validator of STIX 2.1 objects against the OASIS schemas (draft 2020-12; they reference each
 * other by `$id`, so all are loaded): `validate(o)` gives the schema's errors, [] when valid.
 */
export function stixValidator(): (o: Record<string, unknown>) => string[] {
  // The OASIS patterns use escapes (\-) that JavaScript's unicode mode refuses.
  const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  // ajv-formats has no idn-hostname; domain names are checked by Koban's canonicaliser instead.
  ajv.addFormat('idn-hostname', true);
  const ids = new Map<string, string>();
  for (const dir of ['common', 'sdos', 'sros', 'observables']) {
    for (const f of readdirSync(join(STIX_SCHEMAS_DIR, dir)).filter((n) => n.endsWith('.json'))) {
      const schema = JSON.parse(readFileSync(join(STIX_SCHEMAS_DIR, dir, f), 'utf8')) as { $id: string };
      ajv.addSchema(schema);
      ids.set(f.replace(/\.json$/, ''), schema.$id);
    }
  }
  const byType = new Map<string, ValidateFunction>();
  return (o) => {
    const id = ids.get(String(o.type));
    if (!id) return [`no schema for type ${String(o.type)}`];
    const v = byType.get(id) ?? (ajv.getSchema(id) as ValidateFunction);
    byType.set(id, v);
    return v(o) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  };
}
