// The outbound guard against hand-written URLs and an injected resolver; sends go to local servers
// under names of the reserved `.test` TLD (RFC 6761 §6.2), which only the injected resolver knows.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  internalAddressProblem,
  OutboundError,
  outboundUrlProblem,
  postGuarded,
  type ResolvedAddress,
  type Resolver,
  resolveTarget,
} from './outbound.js';

/** A resolver that answers from a table and counts its calls. */
function table(entries: Record<string, readonly string[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const r = async (host: string): Promise<readonly ResolvedAddress[]> => {
    calls.push(host);
    const a = entries[host];
    if (!a) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return a.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(r, { calls });
}

describe('the URL check (no DNS)', () => {
  it('refuses internal names and address literals in every spelling', () => {
    const cases: [string, string][] = [
      ['https://localhost./x', 'localhost is a single-label (internal) name'],
      ['https://LOCALHOST/x', 'localhost is a single-label (internal) name'],
      ['https://api.localhost/x', 'api.localhost is an internal name (.localhost)'],
      ['https://metadata.google.internal/x', 'metadata.google.internal is an internal name (.internal)'],
      ['https://metadata.google.internal./x', 'metadata.google.internal is an internal name (.internal)'],
      ['https://printer.local/x', 'printer.local is an internal name (.local)'],
      ['https://nas.home.arpa/x', 'nas.home.arpa is an internal name (.home.arpa)'],
      ['https://intranet/x', 'intranet is a single-label (internal) name'],
      ['https://127.0.0.1/x', '127.0.0.1 is a loopback address'],
      ['https://2130706433/x', '127.0.0.1 is a loopback address'],
      ['https://0x7f000001/x', '127.0.0.1 is a loopback address'],
      ['https://0177.0.0.1/x', '127.0.0.1 is a loopback address'],
      ['https://127.1/x', '127.0.0.1 is a loopback address'],
      ['https://10.1.2.3/x', '10.1.2.3 is a private (RFC 1918) address'],
      ['https://100.64.0.1/x', '100.64.0.1 is a shared CGNAT (RFC 6598) address'],
      ['https://169.254.169.254/latest', '169.254.169.254 is a link-local (cloud metadata) address'],
      ['https://0.0.0.0/x', '0.0.0.0 is an unspecified ("this network") address'],
      ['https://[::1]/x', '::1 is the loopback address'],
      ['https://[::]/x', ':: is the unspecified address'],
      ['https://[fd00::5]/x', 'fd00::5 is a unique-local address'],
      ['https://[fe80::1]/x', 'fe80::1 is a link-local address'],
      ['https://[ff02::1]/x', 'ff02::1 is a multicast address'],
      ['https://[::ffff:127.0.0.1]/x', '::ffff:7f00:1 reaches 127.0.0.1 is a loopback address'],
      ['https://[::ffff:10.0.0.1]/x', '::ffff:a00:1 reaches 10.0.0.1 is a private (RFC 1918) address'],
      [
        'https://[64:ff9b::a9fe:a9fe]/x',
        '64:ff9b::a9fe:a9fe reaches 169.254.169.254 is a link-local (cloud metadata) address',
      ],
      [
        'https://[2002:c0a8:101::1]/x',
        '2002:c0a8:101::1 reaches 192.168.1.1 is a private (RFC 1918) address',
      ],
      ['http://hooks.example.org/x', 'http: is not allowed; use https://'],
      ['ftp://hooks.example.org/x', 'ftp: is not allowed; use https://'],
      ['https://u:p@hooks.example.org/x', 'credentials in the URL are not allowed'],
      ['https://a..example.org/x', '"a..example.org" is not a host name'],
      ['not a url', '"not a url" is not a URL'],
    ];
    expect(cases.map(([u]) => [u, outboundUrlProblem(u)])).toEqual(cases);
  });

  it('accepts public names and addresses, http only when allowed, and anything when private targets are', () => {
    expect(outboundUrlProblem('https://hooks.example.org/koban?k=1')).toBeNull();
    expect(outboundUrlProblem('https://93.184.216.34/x')).toBeNull();
    expect(outboundUrlProblem('https://[2606:4700::1111]/x')).toBeNull();
    expect(outboundUrlProblem('https://[::ffff:93.184.216.34]/x')).toBeNull();
    expect(outboundUrlProblem('http://hooks.example.org/x', { allowHttp: true })).toBeNull();
    expect(outboundUrlProblem('https://localhost/x', { allowPrivate: true })).toBeNull();
    expect(outboundUrlProblem('http://127.0.0.1:8080/x', { allowHttp: true, allowPrivate: true })).toBeNull();
    // The scheme and credential checks stay with private targets allowed.
    expect(outboundUrlProblem('http://127.0.0.1/x', { allowPrivate: true })).toBe(
      'http: is not allowed; use https://',
    );
  });

  it('judges a documentation or reserved address as internal too', () => {
    expect(internalAddressProblem('192.0.2.1')).toBe('192.0.2.1 is a reserved address');
    expect(internalAddressProblem('2001:db8::1')).toBe('2001:db8::1 is a reserved address');
    expect(internalAddressProblem('8.8.8.8')).toBeNull();
  });
});

describe('resolution at send time', () => {
  it('refuses a name when ANY of its addresses is internal (nip.io-style names included)', async () => {
    const r = table({
      '10.0.0.1.nip.io': ['10.0.0.1'],
      'mixed.koban.test': ['93.184.216.34', '127.0.0.1'],
      'v6.koban.test': ['2606:4700::1111', 'fd12::1'],
      'ok.koban.test': ['93.184.216.34', '2606:4700::1111'],
    });
    await expect(resolveTarget('10.0.0.1.nip.io', {}, r)).rejects.toMatchObject({
      kind: 'refused',
      message: '10.0.0.1.nip.io: 10.0.0.1 is a private (RFC 1918) address; refused',
    });
    await expect(resolveTarget('mixed.koban.test', {}, r)).rejects.toMatchObject({
      kind: 'refused',
      message: 'mixed.koban.test: 127.0.0.1 is a loopback address; refused',
    });
    await expect(resolveTarget('v6.koban.test', {}, r)).rejects.toMatchObject({ kind: 'refused' });
    await expect(resolveTarget('ok.koban.test', {}, r)).resolves.toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:4700::1111', family: 6 },
    ]);
    await expect(resolveTarget('nowhere.koban.test', {}, r)).rejects.toMatchObject({
      kind: 'network',
      message: 'nowhere.koban.test does not resolve (ENOTFOUND)',
    });
    await expect(resolveTarget('mixed.koban.test', { allowPrivate: true }, r)).resolves.toHaveLength(2);
  });
});

interface Seen {
  readonly host: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const servers: (Server | TlsServer)[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function receiver(status = 204): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ host: req.headers.host, headers: req.headers, body });
      res.writeHead(status, status === 302 ? { location: 'http://127.0.0.1:9/' } : {}).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { port: (server.address() as AddressInfo).port, seen };
}

describe('a guarded POST', () => {
  it('connects to the address it checked, with the name as Host, resolving once', async () => {
    const { port, seen } = await receiver();
    const r = table({ 'hooks.koban.test': ['127.0.0.1'] });
    const answer = await postGuarded({
      url: `http://hooks.koban.test:${port}/in?k=1`,
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
      timeoutMs: 60_000,
      policy: { allowHttp: true, allowPrivate: true },
      resolver: r,
    });
    expect(answer).toEqual({ status: 204 });
    expect(r.calls).toEqual(['hooks.koban.test']);
    expect(seen).toMatchObject([{ host: `hooks.koban.test:${port}`, body: '{"a":1}' }]);
  });

  it('refuses a name that resolves inside before connecting', async () => {
    const { port, seen } = await receiver();
    const r = table({ 'rebind.koban.test': ['127.0.0.1'] });
    const sent = postGuarded({
      url: `http://rebind.koban.test:${port}/in`,
      headers: {},
      body: '{}',
      timeoutMs: 60_000,
      policy: { allowHttp: true },
      resolver: r,
    });
    await expect(sent).rejects.toBeInstanceOf(OutboundError);
    await expect(sent).rejects.toMatchObject({
      kind: 'refused',
      message: 'rebind.koban.test: 127.0.0.1 is a loopback address; refused',
    });
    expect(seen).toEqual([]);
  });

  it('refuses an internal literal without asking DNS', async () => {
    const r = table({});
    await expect(
      postGuarded({
        url: 'https://127.0.0.1/x',
        headers: {},
        body: '',
        timeoutMs: 60_000,
        policy: {},
        resolver: r,
      }),
    ).rejects.toMatchObject({ kind: 'refused', message: '127.0.0.1 is a loopback address' });
    expect(r.calls).toEqual([]);
  });

  it('returns a redirect as its status without following it', async () => {
    const { port, seen } = await receiver(302);
    const answer = await postGuarded({
      url: `http://127.0.0.1:${port}/in`,
      headers: {},
      body: '{}',
      timeoutMs: 60_000,
      policy: { allowHttp: true, allowPrivate: true },
    });
    expect(answer).toEqual({ status: 302 });
    expect(seen).toHaveLength(1);
  });

  it('keeps the name as the TLS server name (SNI) while connecting to the pinned address', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koban-outbound-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=hooks.koban.test',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      const names: string[] = [];
      const server = createTlsServer(
        {
          key: readFileSync(join(dir, 'key.pem')),
          cert: readFileSync(join(dir, 'cert.pem')),
          SNICallback: (name, cb) => {
            names.push(name);
            cb(null);
          },
        },
        (_req, res) => res.end(),
      );
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      servers.push(server);
      const port = (server.address() as AddressInfo).port;
      // The certificate is self-signed, so the client refuses it after sending the name.
      await expect(
        postGuarded({
          url: `https://hooks.koban.test:${port}/in`,
          headers: {},
          body: '{}',
          timeoutMs: 60_000,
          policy: { allowPrivate: true },
          resolver: table({ 'hooks.koban.test': ['127.0.0.1'] }),
        }),
      ).rejects.toMatchObject({ kind: 'network', message: 'self-signed certificate' });
      expect(names).toEqual(['hooks.koban.test']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
