import { describe, expect, it } from 'vitest';
import { BASIC_HEADERS, message } from './_testkit.js';
import { type EmailExtraction, parseEml, shareableView } from './index.js';

const urls = (x: EmailExtraction) => x.observables.filter((o) => o.kind === 'url').map((o) => o.value);

describe('privacy classification', () => {
  it('redacts the recipient address from shared URLs, also URL-encoded and base64-encoded', async () => {
    const b64 = Buffer.from('victim@example.co.jp').toString('base64');
    const raw = message(
      BASIC_HEADERS,
      `https://a.attacker.example/?e=victim%40example.co.jp https://b.attacker.example/#${b64} https://c.attacker.example/?u=victim@example.co.jp`,
    );
    const s = shareableView(await parseEml(raw));
    expect(urls(s)).toEqual([
      'https://a.attacker.example/?e=[recipient]',
      'https://b.attacker.example/#[recipient]',
      'https://c.attacker.example/?u=[recipient]',
    ]);
  });

  it('keeps a mailbox provider shared when the recipient uses it too', async () => {
    const raw = message({ ...BASIC_HEADERS, From: 'scammer@gmail.com', To: 'someone@gmail.com' }, 'hi');
    const x = await parseEml(raw);
    expect(x.recipients.domains).toEqual([]);
    expect(x.observables.find((o) => o.value === 'gmail.com')?.privacy).toBe('shared');
    expect(x.headers.from[0]?.privacy).toBe('shared');
    expect(x.headers.to[0]?.privacy).toBe('private');
  });

  it('uses the reporter domains given by the caller instead of inferring them', async () => {
    const raw = message(
      {
        Received:
          'from out.attacker.example (out.attacker.example [192.0.2.10]) by mx.member.example.jp with ESMTP; Mon, 13 Jan 2025 10:00:00 +0900',
        ...BASIC_HEADERS,
        To: 'undisclosed-recipients:;',
      },
      'x',
    );
    const guessed = await parseEml(raw);
    expect(guessed.headers.received[0]?.byHost?.privacy).toBe('shared');
    const told = await parseEml(raw, { reporterDomains: ['member.example.jp'] });
    expect(told.headers.received[0]?.byHost).toEqual({
      value: 'mx.member.example.jp',
      privacy: 'private',
      reason: 'recipient-domain',
    });
    expect(told.headers.received[0]?.relayIp).toEqual({ value: '192.0.2.10', privacy: 'shared' });
  });

  it('keeps internal host names and private addresses private', async () => {
    const raw = message(
      {
        Received: 'from exch01.corp.local ([10.1.2.3]) by gw.example.co.jp; Mon, 13 Jan 2025 10:00:00 +0900',
        ...BASIC_HEADERS,
      },
      'x',
    );
    const hop = (await parseEml(raw)).headers.received[0]!;
    expect(hop.fromHost).toEqual({ value: 'exch01.corp.local', privacy: 'private', reason: 'internal-host' });
    expect(hop.relayIp).toEqual({ value: '10.1.2.3', privacy: 'private', reason: 'private-address' });
  });

  it("keeps the attacker's own signature in a message that is not a forward", async () => {
    const raw = message(BASIC_HEADERS, 'Pay now.\r\n-- \r\nEvil Corp billing\r\n');
    const x = await parseEml(raw);
    expect(x.bodies.text?.privateSpans).toEqual([]);
    expect(shareableView(x).bodies.text?.content).toContain('Evil Corp billing');
  });

  it("cuts the forwarder's signature above an inline forward marker but keeps the attacker's below it", async () => {
    const raw = message(
      { ...BASIC_HEADERS, From: 'staff@example.co.jp', To: 'report@koban.example', Subject: 'FW: invoice' },
      'Suspicious.\r\n-- \r\nStaff Member, Example Corp\r\n\r\n-----Original Message-----\r\nFrom: billing@attacker.example\r\n' +
        'Pay at https://pay.attacker.example/\r\n-- \r\nAttacker billing team\r\n',
    );
    const x = await parseEml(raw);
    expect(x.recipients.forwarded).toBe(true);
    const s = shareableView(x);
    expect(s.bodies.text?.content).toBe(
      'Suspicious.\n[signature removed]\n-----Original Message-----\nFrom: billing@attacker.example\n' +
        'Pay at https://pay.attacker.example/\n-- \nAttacker billing team\n',
    );
    expect(urls(s)).toEqual(['https://pay.attacker.example/']);
    expect(s.headers.from).toEqual([]);
  });

  it('does not change the extraction it is given', async () => {
    const x = await parseEml(message(BASIC_HEADERS, 'hello victim@example.co.jp'));
    const before = JSON.stringify(x);
    shareableView(x);
    expect(JSON.stringify(x)).toBe(before);
  });
});

describe('private values in the shareable view', () => {
  it('replaces a private address, also defanged and with a port, and an internal host, but not a longer number', async () => {
    const raw = message(
      BASIC_HEADERS,
      'Our proxy 10.9.9.9:8080 (10[.]9[.]9[.]9) on gw01.corp.local logged http://gw01.corp.local/x; 110.9.9.99 is not ours.',
    );
    const s = shareableView(await parseEml(raw));
    expect(s.bodies.text?.content).toBe(
      'Our proxy [private-ip]:8080 ([private-ip]) on [private-host] logged http://[private-host]/x; 110.9.9.99 is not ours.',
    );
  });
});
