/**
 * A member reporting by forwarding inline, as each common client writes it (fixtures written from
 * the clients' formats, test/fixtures/email/README.md), prepared for intake: the forwarded To/Cc,
 * the names beside them, the member's internal host and RFC 1918 address must not reach another
 * member — not in the bodies, the subject, the URLs nor any indicator value. The attacker's side
 * stays shared. The attachment hash was computed with Python's `email` package and `hashlib`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../../test/samples.js';
import { parseEml, shareableView } from '../../mail/index.js';
import { WarningList } from '../indicators/warning-list.js';
import { prepareEmail } from './prepare-email.js';

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

describe.each(CLIENTS)('an inline forward written by %s, prepared for intake', (client, file) => {
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
