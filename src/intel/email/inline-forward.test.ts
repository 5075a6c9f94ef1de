/**
 * A member reporting by forwarding inline, as each common client writes it (fixtures written from
 * the clients' formats, test/fixtures/email/README.md). The forwarded To/Cc, the names beside
 * them, the member's internal host and RFC 1918 address must not reach another member: not in
 * the bodies, the subject, the URLs nor any indicator value. The attacker's side stays shared.
 * The attachment hash was computed with Python's `email` package and `hashlib`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../../test/samples.js';
import { WarningList } from '../indicators/warning-list.js';
import { prepareEmail } from '../prepare-email.js';
import { parseEml, shareableView } from './index.js';
import { findForwardBlocks } from './inline-forward.js';

const ZIP_SHA256 = '6515a87db95a86c2171eaf00a4ae378e7d3d134964e6e886d1309b0e1aa978cb';
const LEAK =
  /taro|yamada|hanako|sato\b|suzuki|ichiro|example\.co\.jp|mgw01|corp\.local|10\.9\.9\.9|山田|太郎|佐藤|花子|鈴木|一郎/i;

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

  it('leaves no private value in the shared view: bodies, subject, URLs and indicator values', async () => {
    const raw = load(file);
    const prepared = await prepareEmail(raw, {}, new WarningList());
    expect(prepared.sharedJson).not.toMatch(LEAK);
    expect(prepared.title).not.toMatch(LEAK);
    for (const c of prepared.candidates) expect(`${c.type} ${c.value}`).not.toMatch(LEAK);
    const s = shareableView(await parseEml(raw));
    expect(s.bodies.text?.content).toContain('[private-host] ([private-ip])');
    expect(s.bodies.text?.content).toMatch(/^(?:To|宛先): \t?\[recipient\] <\[recipient\]>$/m);
  });

  it("keeps the attacker's sender, links and attachment hash shared, the victim replaced in each link", async () => {
    const prepared = await prepareEmail(load(file), {}, new WarningList());
    const values = prepared.candidates.map((c) => `${c.type} ${c.value}`);
    expect(values).toEqual(
      expect.arrayContaining([
        'email billing@attacker.example',
        'domain attacker.example',
        'url https://pay.attacker.example/inv/4471?u=[recipient]',
        'domain pay.attacker.example',
        `sha256 ${ZIP_SHA256}`,
      ]),
    );
    if (client !== 'Gmail') expect(values).toContain('url https://trk.attacker.example/o?e=[recipient]');
    if (client !== 'Outlook (Japanese)')
      expect(values).toContain('url https://pay.attacker.example/inv/4471?name=[recipient]-[recipient]');
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
