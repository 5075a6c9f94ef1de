/**
 * Hand-made fixtures of `test/fixtures/email/` (written by the project, see its README): Japanese
 * charsets composed from RFC 1468 / RFC 2045–2047, a hostile message and a member's forward.
 * Expected strings are the generator's own input; hashes were checked with Python's `email`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/samples.js';
import { type EmailExtraction, type Observable, parseEml, shareableView } from './index.js';

const load = (name: string) => parseEml(readFileSync(fixture(`email/${name}`)));
const find = (x: EmailExtraction, kind: Observable['kind'], value: string) =>
  x.observables.find((o) => o.kind === kind && o.value === value);

const PE_SHA256 = '084488bab35df78909e88b9b018e809517b11bd80611553aeb9a4ab34a151fa4';

describe('Japanese messages', () => {
  it('decodes an ISO-2022-JP subject, display names and 7bit body', async () => {
    const x = await load('iso-2022-jp.eml');
    expect(x.headers.subject?.value).toBe('【重要】アカウント確認のお願い');
    expect(x.headers.from).toEqual([
      { name: 'サポートセンター', address: 'support@attacker.example', privacy: 'shared' },
    ]);
    expect(x.headers.to[0]?.name).toBe('山田 太郎');
    expect(x.bodies.text?.content).toBe(
      '山田 太郎 様\n\nいつもご利用ありがとうございます。\nお客様のアカウントに不審なログインがありました。\n' +
        '下記のURLから確認してください。\nhttps://login.attacker.example/verify?id=8841\n\nサポートセンター\n',
    );
    expect(find(x, 'url', 'https://login.attacker.example/verify?id=8841')?.privacy).toBe('shared');
    expect(x.warnings).toEqual([]);
  });

  it('decodes a Shift_JIS message: Q-encoded subject, base64 text and quoted-printable HTML', async () => {
    const x = await load('shift_jis.eml');
    expect(x.headers.subject?.value).toBe('請求書のご案内');
    expect(x.bodies.text?.content).toBe('請求書を送付します。\nhxxp://invoice.attacker[.]example/dl\n');
    expect(x.bodies.html?.content).toContain('<p>請求書を送付します。</p>');
    expect(find(x, 'url', 'http://invoice.attacker.example/dl')?.defanged).toBe(true);
    expect(find(x, 'url', 'https://invoice.attacker.example/dl?f=1')?.sources).toEqual([
      { origin: 'body-html', detail: 'href' },
    ]);
  });

  it('decodes an EUC-JP quoted-printable message', async () => {
    const x = await load('euc-jp.eml');
    expect(x.headers.subject?.value).toBe('パスワード更新');
    expect(x.bodies.text?.content).toContain(
      'パスワードの有効期限が切れます。\n更新: https://pw.attacker.example/renew',
    );
  });

  it("classifies the reporter's own relays as private and the attacker's relay as shared", async () => {
    const x = await load('iso-2022-jp.eml');
    const [store, mx] = x.headers.received;
    expect(store?.byHost).toEqual({
      value: 'store01.example.co.jp',
      privacy: 'private',
      reason: 'recipient-domain',
    });
    expect(store?.relayIp).toEqual({ value: '192.168.10.5', privacy: 'private', reason: 'private-address' });
    expect(mx?.fromHost).toEqual({ value: 'relay.attacker.example', privacy: 'shared' });
    expect(mx?.relayIp).toEqual({ value: '203.0.113.45', privacy: 'shared' });
    expect(mx?.byHost?.privacy).toBe('private');
    expect(mx?.for).toEqual({
      value: 'taro.yamada@example.co.jp',
      privacy: 'private',
      reason: 'envelope-recipient',
    });
    expect(x.recipients.domains).toEqual(['example.co.jp']);
  });

  it('redacts the recipient name written in Japanese from the shareable body', async () => {
    const s = shareableView(await load('iso-2022-jp.eml'));
    expect(s.bodies.text?.content.startsWith('[recipient] 様\n')).toBe(true);
    expect(JSON.stringify(s)).not.toMatch(/山田|taro\.yamada|example\.co\.jp|192\.168\.10\.5/);
    expect(s.headers.received[1]?.relayIp?.value).toBe('203.0.113.45');
  });
});

describe('a hostile message', () => {
  it('decodes what it can of broken encoded words and says what was broken', async () => {
    const x = await load('hostile-tricks.eml');
    expect(x.headers.subject?.value).toBe("お知らせQapla' =?UTF-8?B?44GC");
    expect(x.warnings).toEqual(
      expect.arrayContaining([
        { kind: 'malformed', message: 'Subject: invalid base64 in an encoded word; decoded what could be' },
        {
          kind: 'guessed',
          message: 'Subject: encoded word in charset "x-klingon" decoded as utf-8 (best effort)',
        },
        { kind: 'malformed', message: 'Subject: an encoded word is not terminated; left as written' },
        {
          kind: 'malformed',
          message: 'charset "x-nonexistent" is not known; that part was decoded as UTF-8 (best effort)',
        },
        {
          kind: 'malformed',
          message: '1 base64 part(s) hold characters outside the base64 alphabet; decoded leniently',
        },
      ]),
    );
    expect(x.headers.date?.value).toBe('2025-01-16T01:59:00.000Z');
  });

  it('refangs hxxps, [.], (.), [dot] and [@] in the text body', async () => {
    const x = await load('hostile-tricks.eml');
    expect(find(x, 'url', 'https://verify.attacker.example/login')?.defanged).toBe(true);
    expect(find(x, 'email', 'payroll@attacker.example')?.defanged).toBe(true);
    expect(find(x, 'domain', 'evil.attacker.example')?.defanged).toBe(true);
    expect(find(x, 'ip', '192.0.2.77')?.sources).toEqual([{ origin: 'body-text' }]);
    expect(find(x, 'ip', '2001:db8::5')?.privacy).toBe('shared');
  });

  it('takes links from href, src, form action, meta refresh, mailto and character references', async () => {
    const x = await load('hostile-tricks.eml');
    const html = x.observables
      .filter((o) => o.kind !== 'domain' && o.sources.some((s) => s.origin === 'body-html'))
      .map((o) => [o.value, o.sources.map((s) => s.detail).join(',')]);
    expect(html).toEqual([
      ['https://redirect.attacker.example/r', 'meta-refresh'],
      ['https://collect.attacker.example/post.php', 'action'],
      ['https://bank.attacker.example/login?e=taro.yamada%40example.co.jp', 'href'],
      ['http://cdn.attacker.example/pixel.gif', 'src'],
      ['drop@attacker.example', 'href'],
      ['https://entity.attacker.example/a', 'href'],
      ['https://www.bank.test/', 'text'],
    ]);
  });

  it('flags the RTLO name, the padded double extension and the executables declared as PDF', async () => {
    const x = await load('hostile-tricks.eml');
    expect(x.attachments.map((a) => [a.fileName, a.declaredType, a.sniffedType, a.flags])).toEqual([
      [
        'invoice\u202efdp.exe',
        'application/octet-stream',
        'pe',
        ['rtlo', 'executable-extension', 'executable-content'],
      ],
      [
        `statement.pdf${' '.repeat(30)}.exe`,
        'application/pdf',
        'pe',
        [
          'whitespace-padding',
          'executable-extension',
          'double-extension',
          'executable-content',
          'type-mismatch',
        ],
      ],
      [
        'report.pdf.scr',
        'application/pdf',
        'pe',
        ['executable-extension', 'double-extension', 'executable-content', 'type-mismatch'],
      ],
    ]);
    expect(x.attachments[0]?.hashes.sha256).toBe(PE_SHA256);
    expect(x.attachments[1]?.hashes.sha256).toBe(PE_SHA256);
  });

  it('keeps the attacker HELO shared once the relay chain shows where the mail entered the reporter', async () => {
    const x = await load('hostile-tricks.eml');
    expect(x.headers.received[0]?.fromHost).toEqual({ value: 'win-3j8k2', privacy: 'shared' });
    expect(x.headers.xOriginatingIp).toEqual([{ value: '198.51.100.23', privacy: 'shared' }]);
  });

  it('marks To, Cc and Delivered-To private and removes them and their traces from the shareable view', async () => {
    const x = await load('hostile-tricks.eml');
    expect(
      [...x.headers.to, ...x.headers.cc, ...x.headers.deliveredTo].every((m) => m.privacy === 'private'),
    ).toBe(true);
    expect(find(x, 'domain', 'example.co.jp')).toEqual({
      kind: 'domain',
      value: 'example.co.jp',
      defanged: false,
      privacy: 'private',
      reason: 'recipient-domain',
      sources: [{ origin: 'body-text' }],
    });
    const s = shareableView(x);
    expect(s.bodies.text?.content).toBe(
      'Dear [recipient],\nVerify at hxxps://verify.attacker[.]example/login now.\n' +
        'Or write to payroll[@]attacker(.)example or visit evil[dot]attacker.example.\n' +
        'Our server 192.0.2.77 and 2001:db8::5 are waiting. Contact [recipient].',
    );
    expect(find(s, 'url', 'https://bank.attacker.example/login?e=[recipient]')?.privacy).toBe('shared');
    expect(JSON.stringify(s)).not.toMatch(/taro|hanako|example\.co\.jp/i);
  });
});

describe("a member's forward", () => {
  it('reads the forwarder as the reporter and keeps their address and signature private', async () => {
    const x = await load('forwarded-report.eml');
    expect(x.recipients.forwarded).toBe(true);
    expect(x.headers.from[0]).toEqual({
      name: 'Ichiro Suzuki',
      address: 'ichiro.suzuki@example.co.jp',
      privacy: 'private',
      reason: 'reporter',
    });
    expect(x.bodies.text?.privateSpans).toEqual([{ start: 63, end: 127, reason: 'signature' }]);
    expect(x.bodies.text?.content.slice(63, 127)).toBe(
      '-- \nIchiro Suzuki\nIT Security, Example Corp.\nTel +81-3-0000-0000',
    );
  });

  it('parses the attached message and shares only its sender-side facts', async () => {
    const x = await load('forwarded-report.eml');
    const inner = x.attachments[0]?.message;
    expect(inner?.depth).toBe(1);
    expect(inner?.headers.subject?.value).toBe('Salary revision');
    expect(inner?.headers.to[0]?.privacy).toBe('private');
    const s = shareableView(x);
    expect(s.headers.from).toEqual([]);
    expect(s.bodies.text?.content).toBe(
      'Our colleague [recipient] received the attached mail. Please check.\n[signature removed]\n',
    );
    expect(s.attachments[0]?.message?.bodies.text?.content).toBe(
      'Dear [recipient], see https://payroll.attacker.example/rev for your new salary.',
    );
    expect(s.attachments[0]?.message?.observables.map((o) => o.value)).toEqual([
      'payroll@attacker.example',
      'attacker.example',
      'https://payroll.attacker.example/rev',
      'payroll.attacker.example',
    ]);
    expect(JSON.stringify(s)).not.toMatch(/suzuki|hanako|sato|example\.co\.jp/i);
  });
});
