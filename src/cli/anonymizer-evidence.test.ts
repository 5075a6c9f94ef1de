/**
 * `koban anonymizer evidence`: the records a site under allow-and-record posted, listed and shown in
 * full, each view a custody entry; filters; wrong input refused. The records are written through
 * intel as the API writes them (invented values, documentation addresses).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemActor, userActor } from '../intel/index.js';
import { withIntel } from './_intel.js';
import { registerAnonymizer } from './anonymizer.js';

let dir: string;

async function run(args: string[]): Promise<{ out: string; err: string }> {
  const program = new Command('koban').exitOverride();
  registerAnonymizer(program);
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  process.env.KOBAN_OPERATOR = 'investigator';
  let err = '';
  try {
    await program.parseAsync(['anonymizer', 'evidence', ...args, '--data', dir], { from: 'user' });
  } catch (e) {
    err = (e as Error).message;
  } finally {
    vi.restoreAllMocks();
  }
  return { out, err };
}

const REQUEST_MS = Date.UTC(2026, 11, 1, 3, 4, 5);
const listing = (ip: string) => ({
  ip,
  at: new Date(REQUEST_MS).toISOString(),
  port: 443,
  listed: true,
  evidence: [
    {
      list: 'tordnsel',
      kind: 'tor-exit',
      entry: ip,
      fingerprint: 'A'.repeat(40),
      from: '2026-11-30T00:00:00.000Z',
      to: null,
    },
  ],
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'koban-evidence-cli-'));
  await withIntel(
    { data: dir },
    async (intel) => {
      const sys = systemActor('test');
      await intel.orgs.add(sys, { name: 'Center', kind: 'center' });
      const forum = await intel.orgs.add(sys, { name: 'Forum <b>', kind: 'website-operator' });
      const u = await intel.users.add(sys, {
        email: 'ops@forum.example',
        orgId: forum.id,
        role: 'org-admin',
      });
      const site = userActor({ userId: u.id, orgId: forum.id, role: u.role });
      for (const [ip, account] of [
        ['203.0.113.5', 'alice'],
        ['203.0.113.9', null],
      ] as const)
        await intel.siteEvidence.record(site, {
          requestMs: REQUEST_MS,
          ip,
          port: 443,
          account,
          contentSha256: 'ab'.repeat(32),
          headers: { 'user-agent': 'Mozilla/5.0\u001b[2J' },
          note: 'posted a phishing kit',
          listing: listing(ip),
        });
    },
    { create: true },
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('koban anonymizer evidence', () => {
  it('lists the records newest first with what listed each address, escaping what the site wrote', async () => {
    const { out, err } = await run([]);
    expect(err).toBe('');
    const lines = out.trimEnd().split('\n');
    // A header, its rule, two records.
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(
      /^2 +2026-12-01T03:04:05\.000Z +Forum <b> +203\.0\.113\.9:443 +- +tor-exit \(tordnsel\) +abababababababab…$/,
    );
    expect(lines[3]).toContain('203.0.113.5:443');
    expect(lines[3]).toContain('alice');
    const only = JSON.parse((await run(['--ip', '203.0.113.5', '--json'])).out) as {
      evidence: { id: number }[];
    };
    expect(only.evidence.map((e) => e.id)).toEqual([1]);
    expect((await run(['--site', 'Forum <b>', '--limit', '1'])).out.trimEnd().split('\n')).toHaveLength(3);
  });

  it('shows one record in full, and each view is kept in its chain of custody', async () => {
    const { out } = await run(['1']);
    expect(out).toContain('site evidence 1 from Forum <b> (posted by ');
    expect(out).toContain('  request:  2026-12-01T03:04:05.000Z from 203.0.113.5 port 443, account alice');
    expect(out).toContain(
      `    tor-exit 203.0.113.5 on tordnsel from 2026-11-30T00:00:00.000Z (still listed), relay ${'A'.repeat(40)}`,
    );
    // The escape sequence the site sent is shown, not obeyed.
    expect(out).not.toContain('\u001b');
    expect(out).toContain('  note: posted a phishing kit');
    const custody = await withIntel({ data: dir }, (intel) =>
      intel.db
        .selectFrom('custody')
        .select(['action', 'actor_label'])
        .where('action', '=', 'viewed')
        .execute(),
    );
    expect(custody.length).toBeGreaterThanOrEqual(1);
    expect(custody.every((c) => c.actor_label.includes('investigator'))).toBe(true);
  });

  it('refuses a bad id, an unknown record, site and limit', async () => {
    expect((await run(['x1'])).err).toBe('the evidence id must be a number, not "x1"');
    expect((await run(['99'])).err).toBe('no site evidence 99');
    expect((await run(['--site', 'Nobody'])).err).toMatch(/Nobody/);
    expect((await run(['--limit', '0'])).err).toBe('--limit must be a whole number from 1 to 500');
  });
});
