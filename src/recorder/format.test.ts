import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PROJECT_ROOT } from '../../test/samples.js';
import { canonicalJson, GENESIS_HASH, RecordSchema, recordHash } from './format.js';

const SCHEMA_FILE = join(PROJECT_ROOT, 'docs', 'recorder-format.schema.json');
const schemaDoc = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));

function schemaValidator() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  return ajv.compile(schemaDoc);
}

describe('canonical JSON', () => {
  it('sorts keys, drops whitespace and writes integers in plain decimal', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'é"\n'], A: { z: -0, y: 10 } })).toBe(
      '{"A":{"y":10,"z":0},"a":[true,null,"é\\"\\n"],"b":1}',
    );
  });
  it('refuses what has no canonical form (floats, huge integers)', () => {
    expect(() => canonicalJson({ x: 1.5 })).toThrow('not a safe integer: 1.5');
    expect(() => canonicalJson(2 ** 53)).toThrow('not a safe integer');
  });
  it('hashes a record as documented: SHA-256 of the canonical form without "hash"', () => {
    const rec = {
      v: 1,
      seq: 0,
      time: '2026-12-07T00:00:00.000Z',
      kind: 'recorder-stop',
      reason: 'x',
      prev: GENESIS_HASH,
    };
    // Independently computed: printf '%s' '<canonical text>' | sha256sum
    expect(canonicalJson(rec)).toBe(
      `{"kind":"recorder-stop","prev":"${GENESIS_HASH}","reason":"x","seq":0,"time":"2026-12-07T00:00:00.000Z","v":1}`,
    );
    expect(recordHash({ ...rec, hash: 'ignored' })).toBe(
      '44aa0985870616b2f2b6024e896bfc8c39c103d4da1a05fd5fb44174b6e8d0aa',
    );
  });
});

describe('the JSON Schema (docs/recorder-format.schema.json)', () => {
  it('is the one RecordSchema generates', () => {
    const { $schema, $id, title, description, ...doc } = schemaDoc;
    const generated = z.toJSONSchema(RecordSchema, { target: 'draft-2020-12' });
    // After a change to RecordSchema: KOBAN_WRITE_SCHEMA=1 npx vitest run src/recorder/format.test.ts
    if (process.env.KOBAN_WRITE_SCHEMA === '1') {
      const { $schema: s, ...rest } = generated;
      const text = JSON.stringify({ $schema: s, $id, title, description, ...rest }, null, 2);
      writeFileSync(SCHEMA_FILE, `${text}\n`);
      return;
    }
    expect({ $schema, ...doc }).toEqual(generated);
  });
  it('accepts a record and rejects an unknown kind and an extra member', () => {
    const validate = schemaValidator();
    const ok = {
      v: 1,
      seq: 3,
      time: '2026-12-07T00:00:00.000Z',
      prev: GENESIS_HASH,
      hash: GENESIS_HASH,
      kind: 'recorder-stop',
      reason: 'SIGINT',
    };
    expect(validate(ok)).toBe(true);
    expect(validate({ ...ok, kind: 'reboot' })).toBe(false);
    expect(validate({ ...ok, extra: 1 })).toBe(false);
  });
});
