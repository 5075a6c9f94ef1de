/**
 * A member reporting by forwarding inline, as each common client writes it (fixtures written from
 * the clients' formats, test/fixtures/email/README.md). The forwarded To/Cc, the names beside
 * them, the member's internal host and RFC 1918 address must not reach another member: not in
 * the bodies, the subject, the URLs nor any indicator value (the indicator side is tested in
 * intel/reports/prepare-email.test.ts). The attacker's side stays shared.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/samples.js';
import { parseEml, shareableView } from './index.js';
import { findForwardBlocks } from './inline-forward.js';

const CLIENTS = [
  ['Gmail', 'forward-gmail.eml'],
  ['Outlook (English)', 'forward-outlook-en.eml'],
  ['Outlook (Japanese)', 'forward-outlook-ja.eml'],
  ['Thunderbird', 'forward-thunderbird.eml'],
  ['Apple Mail', 'forward-apple-mail.eml'],
] as const;

const load = (file: string) => readFileSync(fixture(`email/${file}`));

describe.each(CLIENTS)('an inline forward written by %s', (client, file) => {
  it('reads the forwarded To and Cc as recipients', async () => {
    const x = await parseEml(load(file));
    expect(x.recipients.forwarded).toBe(true);
    expect(x.recipients.addresses).toEqual([
      'hanako.sato@example.co.jp',
      'ichiro.suzuki@example.co.jp',
      'report@koban.example',
      'taro.yamada@example.co.jp',
    ]);
    expect(x.recipients.names).toEqual(
      expect.arrayContaining(
        client === 'Outlook (Japanese)' ? ['山田 太郎', '佐藤 花子'] : ['Taro Yamada', 'Hanako Sato'],
      ),
    );
  });
});

describe('names beside a private address', () => {
  it('keeps a colleague named only in the member’s note private, with her address', async () => {
    const x = await parseEml(load('forward-outlook-ja.eml'));
    expect(x.recipients.names).toEqual(expect.arrayContaining(['山田太郎', '鈴木花子']));
    expect(shareableView(x).bodies.text?.content).toContain(
      '弊社CFOの[recipient]（[recipient]）宛に届きました。\n経理部の[recipient]（[recipient]）にも届いています。',
    );
  });
});

describe('forwarded header blocks', () => {
  it('reads an older Outlook block: "Name [mailto:address]" and names alone separated by ";"', () => {
    const text =
      'see below\n\n-----Original Message-----\nFrom: Billing Dept [mailto:billing@attacker.example] \n' +
      'Sent: Monday, January 13, 2025 10:00 AM\nTo: Yamada, Taro; Sato, Hanako\nSubject: Invoice\n\nbody';
    expect(findForwardBlocks(text)).toEqual([
      {
        start: 11,
        from: [{ name: 'Billing Dept', address: 'billing@attacker.example' }],
        to: [
          { name: 'Yamada, Taro', address: null },
          { name: 'Sato, Hanako', address: null },
        ],
        cc: [],
        bcc: [],
        subject: 'Invoice',
      },
    ]);
  });

  it('reads 送信者 as the sender and a block without a separator line when it has three fields', () => {
    const text =
      '転送します。\n\n送信者: 請求担当 <billing@attacker.example>\n宛先: 山田 太郎 <taro@example.co.jp>\n件名: 請求書\n\n本文';
    const [block] = findForwardBlocks(text);
    expect(block?.from).toEqual([{ name: '請求担当', address: 'billing@attacker.example' }]);
    expect(block?.to).toEqual([{ name: '山田 太郎', address: 'taro@example.co.jp' }]);
  });

  it('does not take a sender addressing its own mail (bulk mail sent by Bcc) for a recipient', () => {
    const text =
      '---------- Forwarded message ---------\nFrom: <promo@attacker.example>\nDate: today\n' +
      'Subject: Win\nTo: <promo@attacker.example>\n\nbody';
    expect(findForwardBlocks(text)[0]?.to).toEqual([]);
  });

  it('ignores a From line in prose that is not a header block', () => {
    expect(findForwardBlocks('From: the desk of the CEO\nPlease pay the invoice today.')).toEqual([]);
  });
});
