// koban.json `federation` and `taxii`: defaults, refusals that name the key at fault, and peer
// tokens read from the environment or a file at each pull — never from koban.json.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { federationConfigFrom, peerCollections, readPeerToken, taxiiOptionsFrom } from './config.js';

const pull = {
  apiRoot: 'https://center-b.example/taxii2/koban/',
  collection: 'a1b2c3d4-0000-5000-8000-000000000001',
  tokenEnv: 'KOBAN_PEER_B_TOKEN',
};

describe('koban.json federation', () => {
  it('fills the defaults: pulls every 5 minutes up to GREEN, 100 pages of 16 MiB at most; publishes up to GREEN', () => {
    const c = federationConfigFrom({ peers: [{ name: 'center-b', org: 'Center B', pull, publish: {} }] });
    expect(c.peers[0]).toEqual({
      name: 'center-b',
      org: 'Center B',
      pull: { ...pull, intervalSeconds: 300, maxTlp: 'GREEN', maxPages: 100, maxPageBytes: 16 * 1024 * 1024 },
      publish: { maxTlp: 'GREEN' },
    });
    expect(peerCollections(c)).toEqual([{ name: 'center-b', org: 'Center B', maxTlp: 'GREEN' }]);
    expect(federationConfigFrom(undefined)).toEqual({ peers: [] });
  });

  it('publishes nothing to a peer without a publish entry', () => {
    const c = federationConfigFrom({ peers: [{ name: 'center-b', org: 'Center B', pull }] });
    expect(peerCollections(c)).toEqual([]);
  });

  it.each([
    [
      { peers: [{ name: 'center-b', org: 'Center B', publish: { maxTlp: 'AMBER+STRICT' } }] },
      'koban.json: federation.peers.0.publish.maxTlp',
    ],
    [
      { peers: [{ name: 'center-b', org: 'Center B', pull: { ...pull, maxTlp: 'RED' } }] },
      'koban.json: federation.peers.0.pull.maxTlp',
    ],
    [
      { peers: [{ name: 'center-b', org: 'Center B', pull: { ...pull, tokenFile: '/etc/koban/b.token' } }] },
      'koban.json: federation.peers.0.pull: give the token as exactly one of tokenEnv or tokenFile',
    ],
    [
      { peers: [{ name: 'center-b', org: 'Center B', pull: { ...pull, token: 'kbt_1_secret' } }] },
      'koban.json: federation.peers.0.pull',
    ],
    [
      {
        peers: [{ name: 'center-b', org: 'Center B', pull: { ...pull, apiRoot: 'ftp://center-b.example/' } }],
      },
      'koban.json: federation.peers.0.pull.apiRoot',
    ],
    [
      {
        peers: [
          { name: 'center-b', org: 'Center B' },
          { name: 'center-b', org: 'Center C' },
        ],
      },
      'koban.json: federation: peer names must be distinct',
    ],
  ])('refuses %j naming the key at fault', (raw, where) => {
    expect(() => federationConfigFrom(raw)).toThrow(expect.objectContaining({ code: 'E_CONFIG' }));
    expect(() => federationConfigFrom(raw)).toThrow(where);
  });

  it('never echoes a token given in koban.json in its refusal', () => {
    const raw = { peers: [{ name: 'center-b', org: 'Center B', pull: { ...pull, token: 'kbt_1_secret' } }] };
    let message = '';
    try {
      federationConfigFrom(raw);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe('koban.json: federation.peers.0.pull: Unrecognized key: "token"');
  });
});

describe('a peer token', () => {
  const peer = (p: Partial<typeof pull> & { tokenFile?: string }) => ({
    name: 'center-b',
    pull: { ...pull, intervalSeconds: 300, maxTlp: 'GREEN' as const, maxPages: 1, maxPageBytes: 65536, ...p },
  });

  it('is read from the environment at each pull', async () => {
    await expect(readPeerToken(peer({}), { KOBAN_PEER_B_TOKEN: ' kbt_7_abc \n' })).resolves.toBe('kbt_7_abc');
  });

  it('is read from the first line of its file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koban-peer-token-'));
    try {
      const file = join(dir, 'b.token');
      writeFileSync(file, 'kbt_8_def\nignored\n');
      await expect(readPeerToken(peer({ tokenEnv: undefined, tokenFile: file }), {})).resolves.toBe(
        'kbt_8_def',
      );
      await expect(
        readPeerToken(peer({ tokenEnv: undefined, tokenFile: join(dir, 'missing') }), {}),
      ).rejects.toThrow(`federation peer center-b: cannot read tokenFile ${join(dir, 'missing')} (ENOENT)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is missing with a message that names where it should be', async () => {
    await expect(readPeerToken(peer({}), {})).rejects.toThrow(
      'federation peer center-b: no token in $KOBAN_PEER_B_TOKEN',
    );
  });
});

describe('koban.json taxii', () => {
  it('gives the TAXII server the options the operator set, in the server’s units', () => {
    expect(taxiiOptionsFrom({ title: 'Center B', syncEverySeconds: 30, pageSize: 500 })).toEqual({
      title: 'Center B',
      syncEveryMs: 30_000,
      pageSize: 500,
    });
    expect(taxiiOptionsFrom(undefined)).toEqual({});
    expect(() => taxiiOptionsFrom({ pageSize: 0 })).toThrow('koban.json: taxii.pageSize');
  });
});
