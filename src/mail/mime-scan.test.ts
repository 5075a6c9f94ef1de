/** Content-Type values mailparser would misread, repaired by the pre-scan (RFC 2045 §5.2, RFC 2046 §5.1.7). */
import { describe, expect, it } from 'vitest';
import { BASIC_HEADERS, message, multipart } from './_testkit.js';
import { parseEml } from './index.js';

describe('a Content-Type without a subtype', () => {
  it('reads a message typed "text" as text/plain, keeping its charset, instead of losing the body', async () => {
    // "お支払い" in ISO-2022-JP.
    const body = Buffer.from('1b2442242a3b594a2724241b2842', 'hex');
    const raw = message({ ...BASIC_HEADERS, 'Content-Type': 'text; charset=ISO-2022-JP' }, body);
    const x = await parseEml(raw);
    expect(x.bodies.text?.content).toBe('お支払い');
    expect(x.attachments).toEqual([]);
    expect(x.warnings).toEqual([
      {
        kind: 'malformed',
        message:
          '1 part(s) declare Content-Type "text" without a subtype; read as text/plain (RFC 2045 §5.2)',
      },
    ]);
  });

  it('reads a part typed "text" as the body, and a "multipart" as multipart/mixed', async () => {
    const raw = message(
      { ...BASIC_HEADERS, 'Content-Type': 'multipart; boundary="b"' },
      multipart('b', [
        { headers: { 'Content-Type': 'TEXT' }, body: 'Pay at https://pay.attacker.example/' },
        { headers: { 'Content-Type': 'application/pdf' }, body: '%PDF-1.4' },
      ]),
    );
    const x = await parseEml(raw);
    expect(x.bodies.text?.content).toBe('Pay at https://pay.attacker.example/');
    expect(x.attachments.map((a) => a.declaredType)).toEqual(['application/pdf']);
    expect(x.warnings.map((w) => w.message)).toEqual([
      '1 part(s) declare Content-Type "multipart" without a subtype; read as multipart/mixed (RFC 2046 §5.1.7)',
      '1 part(s) declare Content-Type "text" without a subtype; read as text/plain (RFC 2045 §5.2)',
    ]);
  });
});
