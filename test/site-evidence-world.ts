/**
 * Site evidence for the console's tests: a listed Tor exit (an invented Onionoo document) and two
 * websites under allow-and-record that post records about it through the API — one with hostile
 * account, headers and note. Written by the project; no real data.
 */
import { expect } from 'vitest';
import type { ApiWorld } from './api-world.js';

export const EXIT = '203.0.113.5';
export const OTHER_EXIT = '203.0.113.9';
export const FP = 'D'.repeat(40);
export const HOSTILE = '<script>alert(1)</script>';

export interface SiteEvidenceSeed {
  readonly sites: { readonly forum: number; readonly shop: number };
  /** Record ids, in the order posted: plain, hostile, shop. */
  readonly ids: { readonly plain: number; readonly hostile: number; readonly shop: number };
}

async function site(w: ApiWorld, name: string): Promise<{ id: number; token: string }> {
  const org = await w.center.intel.orgs.add(w.system, { name, kind: 'website-operator' });
  const u = await w.center.intel.users.add(w.system, {
    email: `ops@${name.replace(/\W/g, '').toLowerCase()}.example`,
    orgId: org.id,
    role: 'org-admin',
    password: 'correct horse battery staple 1',
  });
  const { token } = await w.center.intel.auth.createToken(w.system, {
    userId: u.id,
    name: 'site',
    scopes: ['reports:read', 'reports:write'],
  });
  await w.center.anonymizer.setSitePolicy(org.id, 'allow-and-record', 'test');
  return { id: org.id, token };
}

async function post(w: ApiWorld, token: string, over: Record<string, unknown>): Promise<number> {
  const r = await w.request('/api/v1/anonymizer/evidence', {
    method: 'POST',
    token,
    json: {
      time: new Date(w.clock.ms - 60_000).toISOString(),
      ip: EXIT,
      port: 443,
      contentSha256: 'ab'.repeat(32),
      headers: { 'User-Agent': 'Mozilla/5.0' },
      ...over,
    },
  });
  expect(r.status).toBe(201);
  return ((await r.json()) as { id: number }).id;
}

export async function seedSiteEvidence(w: ApiWorld): Promise<SiteEvidenceSeed> {
  const published = new Date(w.clock.ms - 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
  await w.center.anonymizer.importList({
    source: 'details.json',
    text: JSON.stringify({
      relays_published: published,
      relays: [
        { fingerprint: FP, or_addresses: [`${EXIT}:443`], flags: ['Exit'] },
        { fingerprint: 'E'.repeat(40), or_addresses: [`${OTHER_EXIT}:443`], flags: ['Exit'] },
      ],
    }),
  });
  const forum = await site(w, 'Forum <b>');
  const shop = await site(w, 'Shop');
  const plain = await post(w, forum.token, { account: 'alice' });
  const hostile = await post(w, forum.token, {
    account: `${HOSTILE}\u202Eevil`,
    headers: { 'User-Agent': HOSTILE, 'X-Forwarded-For': '"><img src=x onerror=alert(2)>' },
    note: 'posted a phishing kit\n<img src=x onerror=alert(3)>',
  });
  const shopId = await post(w, shop.token, { ip: OTHER_EXIT, port: 8443, contentSha256: 'cd'.repeat(32) });
  return { sites: { forum: forum.id, shop: shop.id }, ids: { plain, hostile, shop: shopId } };
}
