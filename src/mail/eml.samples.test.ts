/**
 * The real phishing samples of `shared/samples/email/` (rf-peixoto/phishing_pot, CC BY-NC 4.0).
 * Expected values were checked independently with Python's `email` package (policy.default) and
 * `sha256sum` over the decoded parts, not taken from this parser's output.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HAVE_SAMPLES, sample } from '../../test/samples.js';
import { type EmailExtraction, type Observable, parseEml, shareableView } from './index.js';

const load = (name: string) => parseEml(readFileSync(sample(`email/${name}`)));
const find = (x: EmailExtraction, kind: Observable['kind'], value: string) =>
  x.observables.find((o) => o.kind === kind && o.value === value);

describe.skipIf(!HAVE_SAMPLES)('real phishing samples', () => {
  const files = HAVE_SAMPLES ? readdirSync(sample('email')).filter((f) => f.endsWith('.eml')) : [];

  it('finds all 27 samples', () => {
    expect(files).toHaveLength(27);
  });

  it('parses every sample without throwing, and no shareable view mentions phishing@pot', async () => {
    for (const f of files) {
      const x = await load(f);
      expect(x.evidence.sizeBytes, f).toBeGreaterThan(0);
      const shared = JSON.stringify(shareableView(x));
      expect(shared.toLowerCase(), f).not.toContain('phishing@pot');
      for (const o of x.observables) {
        if (o.kind === 'email' && o.value === 'phishing@pot') expect(o.privacy, f).toBe('private');
      }
    }
  });

  it('reads the headers and relay chain of sample-666 (an advance-fee mail via a compromised Postfix)', async () => {
    const x = await load('sample-666.eml');
    expect(x.evidence).toEqual({
      sha256: '66a1e108278d0ee6ab69a6b60854d850c905f681dd893a97774d2e5a1f9a0937',
      sizeBytes: 8752,
    });
    expect(x.headers.subject?.value).toBe('FUND TRANSFER');
    expect(x.headers.from).toEqual([
      { name: 'PAYMENT NOTIFICATION', address: 'test@numzaan.com', privacy: 'shared' },
    ]);
    expect(x.headers.replyTo.map((m) => m.address)).toEqual(['richarddepartment101@indamail.hu']);
    expect(x.headers.returnPath.map((m) => m.address)).toEqual(['test@numzaan.com']);
    expect(x.headers.messageId?.value).toBe('<20230516233350.B7D3243833@isp.numzaan.com>');
    expect(x.headers.xMailer?.value).toBe('Microsoft Outlook Express 6.00.2800.1081');
    expect(x.headers.date?.value).toBe('2023-05-16T23:33:53.000Z');
    expect(x.headers.received).toHaveLength(7);
    const origin = x.headers.received[6]!;
    expect(origin.relayIp?.value).toBe('222.73.208.80');
    expect(origin.byHost?.value).toBe('isp.numzaan.com');
    expect(origin.with).toBe('ESMTPA');
    expect(origin.id?.value).toBe('9791743830');
    expect(origin.timestamp).toBe('2023-05-16T23:33:37.000Z');
    const entry = x.headers.received[3]!;
    expect(entry.fromHost?.value).toBe('isp.numzaan.com');
    expect(entry.relayIp?.value).toBe('44.199.38.175');
    expect(entry.byIp).toEqual({ value: '100.127.144.234', privacy: 'private', reason: 'private-address' });
    expect(find(x, 'ip', '44.199.38.175')?.privacy).toBe('shared');
    expect(find(x, 'ip', '222.73.208.80')?.sources).toEqual([{ origin: 'received', detail: 'hop 6 from' }]);
  });

  it('reads sample-423 despite its garbled charset label "_iso-2022-jp$ESC", with a warning', async () => {
    const x = await load('sample-423.eml');
    expect(x.headers.subject?.value).toBe('Reply For Your Payment');
    expect(x.headers.from[0]?.address).toBe('starlink@chetta.it');
    expect(x.headers.replyTo[0]?.address).toBe('tho44asfred@yandex.com');
    expect(x.headers.messageId?.value).toBe(
      '<2e580c6c-e51b-4838-823a-d524cababfde@DM6NAM11FT107.eop-nam11.prod.protection.outlook.com>',
    );
    expect(x.headers.date?.value).toBe('2023-03-02T06:49:56.000Z');
    expect(x.headers.received.map((h) => h.relayIp?.value ?? null).slice(5)).toEqual([
      '51.68.189.220',
      '61.73.116.66',
    ]);
    expect(x.headers.received[6]?.fromHost).toEqual({
      value: 'user',
      privacy: 'private',
      reason: 'internal-host',
    });
    expect(x.bodies.html?.content).toContain('Attn: Beneficiary,');
    expect(x.bodies.text).toBeNull();
    expect(x.warnings).toContainEqual({
      kind: 'malformed',
      message: 'charset "_iso-2022-jp$ESC" is garbled (it contains "iso-2022-jp"); decoded best effort',
    });
  });

  it('reads the plain-text body of sample-666, declared in the same garbled ISO-2022-JP label', async () => {
    const x = await load('sample-666.eml');
    expect(x.bodies.text?.content.startsWith('Attn: Beneficiary,\n')).toBe(true);
    expect(x.bodies.text?.content).toContain('Richard Douglas\nDepartment Of The Treasury Direct-Account');
  });

  it('hashes the PDF of sample-177 and extracts the link annotation inside it', async () => {
    const x = await load('sample-177.eml');
    expect(x.headers.subject?.value).toBe(
      '🔐 SpaceX and CEO Elon Musk are giving away cryptocurrencies! 48 hours to participate! BTC & ETH & DOGE',
    );
    expect(x.attachments).toHaveLength(1);
    const a = x.attachments[0]!;
    expect(a.fileName).toBe('q1iR5VGqk5.pdf');
    expect(a.sizeBytes).toBe(55765);
    expect(a.hashes).toEqual({
      md5: '5a7ebb2e3ba8e6ec937e4db476b01cca',
      sha1: '5a686523aef97b503863b7de4f11b031b5a78688',
      sha256: '85674fbf2b0699dbdc6c19778f9cfe0f6bb75e93d05294625a177ae588236bcb',
    });
    expect(a.declaredType).toBe('application/pdf');
    expect(a.sniffedType).toBe('pdf');
    expect(a.flags).toEqual([]);
    expect(find(x, 'url', 'https://cutt.us/UTPlqi4dg')?.sources).toEqual([
      { origin: 'attachment-content', detail: 'q1iR5VGqk5.pdf' },
    ]);
    expect(find(x, 'domain', 'mail.gmail.com')?.sources).toEqual([
      { origin: 'header', detail: 'Message-ID' },
    ]);
  });

  it('flags the invisible characters and the non-PDF content of the "PDF" in sample-274', async () => {
    const x = await load('sample-274.eml');
    const a = x.attachments[0]!;
    expect(a.fileName).toBe('lnvoiceAttachement\u034f\u034f-66235.pdf');
    expect(a.sizeBytes).toBe(6);
    expect(a.hashes.sha256).toBe('b8120cbdf388ff2e8e7f40f0d07733d797a0cfe67440019b548d190b4498e25a');
    expect(a.sniffedType).toBe('text');
    expect(a.flags).toEqual(['invisible-characters', 'type-mismatch', 'extension-mismatch']);
  });

  it('sniffs the PDF that sample-351 declares as application/octet-stream', async () => {
    const x = await load('sample-351.eml');
    const a = x.attachments[0]!;
    expect(a.fileName).toBe('O16jerkcV3.pdf');
    expect(a.declaredType).toBe('application/octet-stream');
    expect(a.sniffedType).toBe('pdf');
    expect(a.hashes.sha256).toBe('5bbee21c3122c4d1d581e26462cd5ad822b2c90162f56a6a0a8e3a69c7a51c08');
    expect(x.headers.to[0]).toEqual({
      name: '',
      address: 'math.kichuu@hotmail.com',
      privacy: 'private',
      reason: 'recipient-address',
    });
  });

  it('takes the phishing page behind the PDF of sample-226 as a shared URL', async () => {
    const x = await load('sample-226.eml');
    expect(x.attachments[0]?.hashes.sha256).toBe(
      '24f8c665575978e85e2fcadbd170b7638a40914aff9164e164d21149e74dbc7b',
    );
    expect(find(x, 'url', 'https://bbbclublivelos04.z21.web.core.windows.net/')?.privacy).toBe('shared');
    expect(find(x, 'domain', 'bbbclublivelos04.z21.web.core.windows.net')?.privacy).toBe('shared');
    expect(find(x, 'email', 'phishing@pot-colab')?.privacy).toBe('private');
  });

  it('refangs the "Nobux(.)Sk" of sample-1897 into a defanged domain observable', async () => {
    const x = await load('sample-1897.eml');
    const o = find(x, 'domain', 'nobux.sk');
    expect(o?.defanged).toBe(true);
    expect(o?.sources[0]).toEqual({ origin: 'header', detail: 'Subject' });
    expect(x.headers.received[4]?.relayIp?.value).toBe('88.250.244.171');
    expect(x.headers.received[4]?.fromHost?.value).toBe('goldcoastbudgetrenovations.com.au');
  });

  it('keeps the recipient out of the shared subject and VERP Return-Path of sample-1796', async () => {
    const x = await load('sample-1796.eml');
    expect(x.headers.subject?.value).toBe(
      '⚠️ Urgent: You are in danger ⚠️ phishing@pot - Check this message now!',
    );
    expect(x.headers.date?.value).toBe('2023-11-06T13:17:32.000Z');
    const s = shareableView(x);
    expect(s.view).toBe('shareable');
    expect(s.headers.to).toEqual([]);
    expect(s.headers.subject?.value).toBe(
      '⚠️ Urgent: You are in danger ⚠️ [recipient] - Check this message now!',
    );
    expect(s.headers.returnPath[0]?.address).toBe(
      'bounces+6038714-4f95-[recipient]=hotmail.com@emailmkt.ibo-osteopatia.com.br',
    );
    expect(s.observables.some((o) => o.privacy === 'private')).toBe(false);
    expect(find(s, 'domain', 'emailmkt.ibo-osteopatia.com.br')?.privacy).toBe('shared');
  });

  it('decodes an ISO-8859-1 Q-encoded subject split over two encoded words (sample-2197)', async () => {
    const x = await load('sample-2197.eml');
    expect(x.headers.subject?.value).toBe('Rodrigo tem (1) nova cotação esperando você');
    expect(x.headers.from[0]?.address).toBe('renata@e.cotar-saude.com');
    expect(x.headers.messageId?.value).toBe(
      '<0100018c66c77e76-f28ba549-ea47-4a9e-a866-4ac91d0e6656-000000@email.amazonses.com>',
    );
  });

  it('decodes a raw UTF-8 subject written without encoded words (sample-3697)', async () => {
    const x = await load('sample-3697.eml');
    expect(x.headers.subject?.value).toBe('Ηе𝐚𝐫 𝐋𝐢𝐤е 𝐍е𝐯е𝐫 Βе𝐟𝐨𝐫е - 𝐏𝐫𝐞𝐦𝐢𝐮𝐦 С𝐫𝐲𝐬𝐭𝐚𝐥-С𝐥е𝐚𝐫 𝐒𝐨𝐮𝐧𝐝');
    expect(x.headers.xMailer?.value).toBe('Uhutd');
    expect(x.warnings).toEqual([]);
  });

  it('warns about the unreadable Date of sample-2797 instead of inventing one', async () => {
    const x = await load('sample-2797.eml');
    expect(x.headers.date).toBeNull();
    expect(x.warnings).toContainEqual({
      kind: 'malformed',
      message: 'Date "02-07-2024" could not be read (RFC 5322 §3.3)',
    });
    expect(x.attachments.map((a) => [a.fileName, a.sniffedType])).toEqual([
      ['image001.jpg', 'jpeg'],
      ['image002.png', 'png'],
      ['image003.png', 'png'],
      ['image004.png', 'png'],
    ]);
  });
});
