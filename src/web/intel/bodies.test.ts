/**
 * Bad input at the boundary: oversized e-mails and JSON, malformed JSON, bodies that fail their
 * schema, unsupported media types, bad parameters. Each gets a clear 4xx in the one error shape,
 * and nothing is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, type ErrorBody, intelFixture, openApiWorld } from '../../../test/api-world.js';
import { DEFAULT_EMAIL_LIMITS } from '../../intel/index.js';

let w: ApiWorld;
beforeAll(async () => {
  w = await openApiWorld();
});
afterAll(async () => {
  await w.close();
});

async function expectError(r: Response, status: number, code: string, message?: string | RegExp) {
  expect(r.status).toBe(status);
  const body = (await r.json()) as ErrorBody;
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  if (typeof message === 'string') expect(body.error.message).toBe(message);
  else if (message) expect(body.error.message).toMatch(message);
}

const post = (init: Parameters<ApiWorld['request']>[1]) =>
  w.request('/api/v1/reports', { token: w.cast.x.token, method: 'POST', ...init });

describe('bodies the API refuses', () => {
  it('refuses an e-mail over 25 MiB with 413 E_LIMIT', async () => {
    const big = Buffer.alloc(DEFAULT_EMAIL_LIMITS.maxRawBytes + 1, 0x61);
    await expectError(
      await post({ body: big, type: 'message/rfc822' }),
      413,
      'E_LIMIT',
      `the body is larger than ${DEFAULT_EMAIL_LIMITS.maxRawBytes} bytes`,
    );
  });

  it('refuses an oversized upload from its Content-Length before reading it', async () => {
    const r = await post({
      body: intelFixture('x-lure-p1.eml'),
      type: 'message/rfc822',
      headers: { 'Content-Length': String(30 * 1024 * 1024) },
    });
    await expectError(r, 413, 'E_LIMIT');
  });

  it('refuses JSON over 1 MiB with 413 E_LIMIT', async () => {
    const text = 'x'.repeat(1024 * 1024);
    await expectError(
      await post({ json: { report: { kind: 'text', title: 'big', text } } }),
      413,
      'E_LIMIT',
      'the body is larger than 1048576 bytes',
    );
  });

  it('refuses malformed JSON with 400 E_FORMAT', async () => {
    await expectError(
      await post({ body: '{"report": {"kind": "c2",', type: 'application/json' }),
      400,
      'E_FORMAT',
      /^the body is not valid JSON: /,
    );
  });

  it('refuses a body that fails its schema with 400 E_USAGE naming the field', async () => {
    await expectError(
      await post({ json: { report: { kind: 'c2', destinations: [] } } }),
      400,
      'E_USAGE',
      'body: report.destinations: Too small: expected array to have >=1 items',
    );
    await expectError(
      await post({ json: { report: { kind: 'rumour' } } }),
      400,
      'E_USAGE',
      /^body: report.kind: /,
    );
    await expectError(
      await post({ json: { report: { kind: 'text', title: 't', text: 'x' }, extra: 1 } }),
      400,
      'E_USAGE',
      /^body: Unrecognized key: "extra"/,
    );
  });

  it('refuses a destination that is no address with the service’s 400 E_USAGE', async () => {
    await expectError(
      await post({ json: { report: { kind: 'c2', destinations: [{ value: 'not a host!' }] } } }),
      400,
      'E_USAGE',
      'destination 1: "not a host!" is not an address, network, domain or URL',
    );
  });

  it('refuses other media types with 415 and an empty e-mail with 400', async () => {
    await expectError(
      await post({ body: 'hello', type: 'text/plain' }),
      415,
      'E_FORMAT',
      'Content-Type text/plain is not accepted here; send application/json or message/rfc822',
    );
    await expectError(await post({ body: 'hello' }), 415, 'E_FORMAT');
    await expectError(
      await post({ body: new Uint8Array(0), type: 'message/rfc822' }),
      400,
      'E_USAGE',
      'the body is empty',
    );
  });

  it('refuses an upload that is not an e-mail (an executable) with 400 E_FORMAT and the reason', async () => {
    const elf = Buffer.concat([Buffer.from('7f454c4602010100', 'hex'), Buffer.alloc(200, 0)]);
    await expectError(
      await post({ body: elf, type: 'message/rfc822' }),
      400,
      'E_FORMAT',
      'not an e-mail message: it does not begin with a header block ("Name: value" lines, RFC 5322 §2.2); its content looks like elf',
    );
  });

  it('refuses bad query parameters: a TLP label, sharing given twice', async () => {
    await expectError(
      await w.request('/api/v1/reports?tlp=PURPLE', {
        token: w.cast.x.token,
        body: intelFixture('x-lure-p1.eml'),
        type: 'message/rfc822',
      }),
      400,
      'E_USAGE',
      /^query: tlp: unknown TLP label "PURPLE"/,
    );
    await expectError(
      await w.request('/api/v1/reports?tlp=GREEN', {
        token: w.cast.x.token,
        json: { report: { kind: 'text', title: 't', text: 'x' }, sharing: { tlp: 'RED' } },
      }),
      400,
      'E_USAGE',
      'give the sharing options in the body or the query, not both',
    );
  });

  it('refuses a report id that is not a positive number', async () => {
    for (const id of ['abc', '0', '-1', '1.5'])
      await expectError(
        await w.request(`/api/v1/reports/${id}`, { token: w.cast.x.token }),
        400,
        'E_USAGE',
        /^path: id: /,
      );
  });

  it('stored nothing from any of these', async () => {
    expect(await w.center.intel.reports.list(w.system)).toEqual([]);
  });
});
