/**
 * Delivering an advisory as a new operator would: the contacts set (all or nothing), the alert
 * sent with no SMTP server configured (queued, and `show` and `deliver` say why), then the SMTP
 * server named in `koban.json` (`advisories.smtp`) — a real one (smtp-server) on loopback — and
 * `koban advisory deliver` hands it the advisory.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixture } from '../../test/samples.js';
import { openRelational } from '../db/index.js';
import { IntelService, systemActor } from '../intel/index.js';
import { registerAdvisory } from './advisory/index.js';
import { registerOrg } from './org.js';
import { registerReport } from './report.js';
import { registerUser } from './user.js';

let dir: string;
let smtp: SMTPServer;
let smtpPort: number;
const mails: { to: string[]; subject: string; text: string }[] = [];

async function run(args: string[]): Promise<{ out: string; err: string }> {
  const program = new Command('koban').exitOverride();
  for (const r of [registerOrg, registerUser, registerReport, registerAdvisory]) r(program);
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
  try {
    await program.parseAsync([...args, '--data', dir], { from: 'user' });
  } finally {
    vi.restoreAllMocks();
  }
  return { out, err };
}

/** The organisation's contact endpoints, read from the store as the service sees them. */
async function endpointsOf(orgName: string): Promise<string[]> {
  const db = await openRelational(dir);
  try {
    const intel = await IntelService.open(db, { dataDir: dir });
    const org = await intel.orgs.requireByName(orgName);
    return (await intel.advisories.endpoints.list(systemActor('test'), org.id)).map(
      (e) => `${e.channel} ${e.target}`,
    );
  } finally {
    await db.destroy();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'koban-cli-advisory-delivery-'));
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((m) => {
          mails.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: m.subject ?? '',
            text: m.text ?? '',
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

const NO_SMTP = 'no SMTP server configured: set advisories.smtp in koban.json';

describe('koban advisory delivery, configured in koban.json', () => {
  it('sets up a member and its report', async () => {
    await run(['org', 'add', 'Center', '--kind', 'center']);
    await run(['org', 'add', 'P1工業', '--kind', 'member-company', '--domain', 'p1-kogyo.example']);
    await run(['user', 'add', 'csirt@p1-kogyo.example', '--org', 'P1工業', '--role', 'org-admin']);
    await run([
      'report',
      'add',
      fixture('intel/x-lure-p1.eml'),
      '--org',
      'P1工業',
      '--user',
      'csirt@p1-kogyo.example',
    ]);
    await run(['report', 'indicators', '1', '27.254.40.5:443']);
  });

  it('applies nothing of a contacts change when one part of it is refused', async () => {
    await run(['advisory', 'contacts', '--org', 'P1工業', '--email', 'csirt@p1-kogyo.example']);
    expect(await endpointsOf('P1工業')).toEqual(['email csirt@p1-kogyo.example']);
    await expect(
      run([
        'advisory',
        'contacts',
        '--org',
        'P1工業',
        '--email',
        'someone-else@p1-kogyo.example',
        '--webhook',
        'http://hooks.p1-kogyo.example/koban',
      ]),
    ).rejects.toMatchObject({ code: 'E_USAGE', message: 'webhook: http: is not allowed; use https://' });
    // Before: the addresses were replaced, then the webhook failed.
    expect(await endpointsOf('P1工業')).toEqual(['email csirt@p1-kogyo.example']);
  });

  it('queues the e-mail without an SMTP server, and says why in send, show and deliver', async () => {
    await run([
      'advisory',
      'draft',
      '--from-report',
      '1',
      '--title',
      '標的型メールについて',
      '--tlp',
      'AMBER',
    ]);
    const sent = await run(['advisory', 'send', '1', '--audience', 'org:P1工業']);
    expect(sent.out).toBe(
      'alert 1 sent to 1 organisation(s) and 0 user(s): 1 inbox, 1 e-mail, 0 webhook; delivered now 0, ' +
        `retrying 0, failed 0; 1 e-mail(s) wait: ${NO_SMTP}\n`,
    );
    const shown = (await run(['advisory', 'show', '1'])).out;
    expect(shown).toContain(
      `  e-mail and webhook deliveries:\n    #2 v1 sent email csirt@p1-kogyo.example: pending, 0 attempt(s) — ${NO_SMTP}\n`,
    );
    const json = JSON.parse((await run(['advisory', 'show', '1', '--json'])).out);
    expect(
      json.deliveries.map((d: { channel: string; status: string; waitingFor: string | null }) => [
        d.channel,
        d.status,
        d.waitingFor,
      ]),
    ).toEqual([
      ['inbox', 'delivered', null],
      ['email', 'pending', NO_SMTP],
    ]);
    expect((await run(['advisory', 'deliver'])).out).toBe(
      `attempted 0: delivered 0, retrying 0, failed 0; 1 e-mail(s) wait: ${NO_SMTP}\n`,
    );
    expect(mails).toEqual([]);
  });

  it('refuses an advisories section with a mistake, naming the key', async () => {
    writeFileSync(
      join(dir, 'koban.json'),
      JSON.stringify({ advisories: { smtp: { host: '127.0.0.1', port: smtpPort } } }),
    );
    await expect(run(['advisory', 'deliver'])).rejects.toMatchObject({
      code: 'E_CONFIG',
      message: expect.stringMatching(/^koban\.json: advisories\.smtp\.from: /),
    });
  });

  it('delivers through the SMTP server named in koban.json', async () => {
    // The SMTP server is local: a timeout no answer can reach, however busy the machine.
    writeFileSync(
      join(dir, 'koban.json'),
      JSON.stringify({
        advisories: {
          smtp: { host: '127.0.0.1', port: smtpPort, from: 'alerts@center.example', timeoutMs: 600_000 },
        },
      }),
    );
    expect((await run(['advisory', 'deliver'])).out).toBe('attempted 1: delivered 1, retrying 0, failed 0\n');
    expect(mails.map((m) => [m.to, m.subject])).toEqual([
      [['csirt@p1-kogyo.example'], '[TLP:AMBER] 注意喚起 / Alert: 標的型メールについて'],
    ]);
    expect(mails[0]!.text).toContain('27.254.40[.]5');
    const shown = (await run(['advisory', 'show', '1'])).out;
    expect(shown).toContain('    #2 v1 sent email csirt@p1-kogyo.example: delivered, 1 attempt(s)\n');
  });
});
