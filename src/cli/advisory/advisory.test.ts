/**
 * `koban advisory` end to end on a data directory: the center and members bootstrapped, the three
 * lures of docs/background.md#sharing-network reported and analysed into one campaign, an alert drafted from it and previewed,
 * sent to all members (one contact address mailed through a local SMTP server named by the
 * KOBAN_SMTP_* variables), read from a member's inbox, answered "received too" by another member
 * with its own report, and the counts and the audit chain checked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixture } from '../../../test/samples.js';
import { registerAudit } from '../audit.js';
import { registerDeclassify } from '../declassify.js';
import { registerOrg } from '../org.js';
import { registerReport } from '../report.js';
import { registerUser } from '../user.js';
import { ADVISORY_DEPRECATION_NOTICE, registerAdvisory, registerFormerAdvisory } from './index.js';

let dir: string;
let smtp: SMTPServer;
const rcpts: string[] = [];

async function run(args: string[]): Promise<{ out: string; err: string; code: number }> {
  const program = new Command('koban').exitOverride();
  for (const r of [
    registerOrg,
    registerUser,
    registerAudit,
    registerReport,
    registerAdvisory,
    registerFormerAdvisory,
    registerDeclassify,
  ])
    r(program);
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += chunk.toString();
    return true;
  });
  process.env.KOBAN_OPERATOR = 'tester';
  await program.parseAsync([...args, '--data', dir], { from: 'user' });
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  vi.restoreAllMocks();
  return { out, err, code };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'koban-cli-advisory-'));
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      rcpts.push(...session.envelope.rcptTo.map((r) => r.address));
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  process.env.KOBAN_SMTP_HOST = '127.0.0.1';
  process.env.KOBAN_SMTP_PORT = String((smtp.server.address() as AddressInfo).port);
  process.env.KOBAN_SMTP_FROM = 'alerts@center.example';
});
afterAll(async () => {
  delete process.env.KOBAN_SMTP_HOST;
  delete process.env.KOBAN_SMTP_PORT;
  delete process.env.KOBAN_SMTP_FROM;
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

const ORGS = [
  ['P1工業', 'manufacturing', '13', 'p1-kogyo.example', 'csirt@p1-kogyo.example'],
  ['P2協会', 'industry-association', '27', 'p2-kyokai.example', 'csirt@p2-kyokai.example'],
  ['P3電機', 'electricity', '23', 'p3-denki.example', 'csirt@p3-denki.example'],
  ['Q1鋼業', 'manufacturing', '32', 'q1-kogyo.example', 'csirt@q1-kogyo.example'],
] as const;

describe('koban advisory', () => {
  it('bootstraps the network, and the campaign of the reference case from three reported lures', async () => {
    await run(['org', 'add', 'Center', '--kind', 'center']);
    await run(['user', 'add', 'analyst@center.example', '--org', 'Center', '--role', 'analyst']);
    for (const [name, sector, pref, domain, email] of ORGS) {
      await run([
        'org',
        'add',
        name,
        '--kind',
        'member-company',
        '--sector',
        sector,
        '--prefecture',
        pref,
        '--domain',
        domain,
      ]);
      await run(['user', 'add', email, '--org', name, '--role', 'org-admin']);
    }
    const lures = [
      ['x-lure-p1.eml', 'P1工業', 'csirt@p1-kogyo.example'],
      ['x-lure-p2.eml', 'P2協会', 'csirt@p2-kyokai.example'],
      ['y-lure-p3.eml', 'P3電機', 'csirt@p3-denki.example'],
    ];
    for (const [file, org, user] of lures)
      await run(['report', 'add', fixture(`intel/${file}`), '--org', org!, '--user', user!]);
    for (const id of ['1', '2', '3'])
      await run(['report', 'indicators', id, '27.254.40.5:443', '74.208.142.31']);
    const r3 = JSON.parse((await run(['report', 'show', '3', '--json'])).out);
    expect(r3.campaign).toBe(1);
  });

  it('drafts a TLP:GREEN alert from the campaign and previews what recipients will see', async () => {
    await expect(
      run([
        'advisory',
        'draft',
        '--from-campaign',
        '1',
        '--title',
        '実メールを流用した標的型メール',
        '--tlp',
        'GREEN',
      ]),
    ).rejects.toMatchObject({
      code: 'E_USAGE',
      message: expect.stringContaining('TLP:GREEN is less restrictive than TLP:AMBER'),
    });
    // The three members' AMBER reports go below their label only with their consent.
    const asked = await run([
      'declassify',
      'request',
      '1',
      '2',
      '3',
      '--to',
      'GREEN',
      '--reason',
      'C2 addresses and lure facts only',
      '--as',
      'analyst@center.example',
    ]);
    expect(asked.out.split('\n')[0]).toBe('declassification 1: report 1 TLP:AMBER → TLP:GREEN, pending');
    for (const [id, email] of [
      ['1', 'csirt@p1-kogyo.example'],
      ['2', 'csirt@p2-kyokai.example'],
      ['3', 'csirt@p3-denki.example'],
    ])
      expect((await run(['declassify', 'consent', id!, '--as', email!])).out).toBe(
        `declassification ${id}: report ${id} TLP:AMBER → TLP:GREEN, approved (reporting organisation consented)\n`,
      );
    const draft = await run([
      'advisory',
      'draft',
      '--from-campaign',
      '1',
      '--title',
      '実メールを流用した標的型メール',
      '--tlp',
      'green',
      '--downgrade-reason',
      'C2 addresses and lure facts only',
      '--as',
      'analyst@center.example',
      '--json',
    ]);
    const p = JSON.parse(draft.out);
    expect(p).toMatchObject({ alertId: 1, status: 'draft', tlpFloor: 'AMBER', content: { tlp: 'GREEN' } });
    const text = (await run(['advisory', 'preview', '1'])).out;
    expect(text.split('\n').slice(0, 5)).toEqual([
      'alert 1 (draft, version 1): what recipients will see',
      '  TLP:GREEN  "実メールを流用した標的型メール"',
      '  indicators (12):',
      '    ipv4     27.254.40.5  [c2] 3 report(s), 3 org(s)',
      '    ipv4     74.208.142.31  [c2] 3 report(s), 3 org(s)',
    ]);
    expect(text).toContain(
      '  label floor of the sources: TLP:AMBER; downgraded: C2 addresses and lure facts only\n',
    );
    expect(text).toContain('    ipv4     198.51.100.23  warning list: reserved address range\n');
    expect(text).toContain('  reported by 3 organisation(s)\n');
    expect(text).not.toMatch(/p1-kogyo|P1工業|suzuki/);
  });

  it('sends it to all members, mailing the contact address set for P2', async () => {
    await run(['advisory', 'contacts', '--org', 'P2協会', '--email', 'soc@p2-kyokai.example']);
    const sent = await run(['advisory', 'send', '1', '--audience', 'all']);
    expect(sent.out).toBe(
      'alert 1 sent to 4 organisation(s) and 0 user(s): 4 inbox, 1 e-mail, 0 webhook; delivered now 1, retrying 0, failed 0\n',
    );
    expect(rcpts).toEqual(['soc@p2-kyokai.example']);
    const inbox = await run(['advisory', 'list', '--inbox', '--as', 'csirt@q1-kogyo.example']);
    expect(inbox.out.split('\n')[2]).toMatch(
      /^ 1 {2}sent +1 {2}GREEN {2}\d{4}-\S+ {2}実メールを流用した標的型メール$/,
    );
  });

  it('records "received too" with the member’s own report, and shows the counts to the center', async () => {
    const own = await run([
      'report',
      'add',
      fixture('intel/webmail-a.eml'),
      '--org',
      'Q1鋼業',
      '--user',
      'csirt@q1-kogyo.example',
      '--json',
    ]);
    const reportId = String(JSON.parse(own.out).id);
    const answer = await run([
      'advisory',
      'received',
      '1',
      '--org',
      'Q1鋼業',
      '--user',
      'csirt@q1-kogyo.example',
      '--report',
      reportId,
    ]);
    expect(answer.out).toBe(`Q1鋼業 received alert 1 too (recorded); report ${reportId} is in campaign 1\n`);
    const again = await run([
      'advisory',
      'received',
      '1',
      '--org',
      'Q1鋼業',
      '--user',
      'csirt@q1-kogyo.example',
    ]);
    expect(again.out).toBe('Q1鋼業 received alert 1 too (already answered)\n');
    const show = (await run(['advisory', 'show', '1'])).out;
    expect(show).toContain('  received: 4 organisation(s) (3 reporter(s), 1 answered "received too")\n');
    expect(show).toContain('    by sector: manufacturing 2, industry-association 1, electricity 1\n');
    expect(show).toContain('  deliveries: email delivered 1, inbox delivered 4\n');
  });

  it('still answers as `koban member-alert`, with a one-line deprecation notice on stderr', async () => {
    const now = await run(['advisory', 'show', '1']);
    expect(now.err).toBe('');
    const former = await run(['member-alert', 'show', '1']);
    expect(former.out).toBe(now.out);
    expect(former.err).toBe(
      'koban: "member-alert" is deprecated and will be removed; use "koban advisory"\n',
    );
    expect(ADVISORY_DEPRECATION_NOTICE).toBe(former.err);
  });

  it('drafts an advisory from scratch, its label given, quoting no report', async () => {
    await expect(
      run([
        'advisory',
        'draft',
        '--from-scratch',
        '--title',
        'VPN 装置の脆弱性',
        '--body-ja',
        '更新してください。',
      ]),
    ).rejects.toMatchObject({
      code: 'E_USAGE',
      message: 'alert: tlp: a draft without a source needs a label (CLEAR, GREEN, AMBER…)',
    });
    await expect(
      run(['advisory', 'draft', '--from-scratch', '--from-report', '1', '--title', 'x', '--tlp', 'GREEN']),
    ).rejects.toMatchObject({
      code: 'E_USAGE',
      message: 'give one of --from-report ID, --from-campaign ID or --from-scratch',
    });
    const d = await run([
      'advisory',
      'draft',
      '--from-scratch',
      '--title',
      'VPN 装置の脆弱性',
      '--body-ja',
      '更新してください。',
      '--tlp',
      'GREEN',
    ]);
    expect(d.code).toBe(0);
    const lines = d.out.split('\n');
    expect(lines).toContain('  sources: none (written from scratch)');
    expect(lines).toContain('  label floor of the sources: TLP:CLEAR');
  });

  it('keeps the audit chain intact', async () => {
    const v = await run(['audit', 'verify']);
    expect(v.code).toBe(0);
    expect(v.out).toMatch(/^chain intact/);
  });
});
