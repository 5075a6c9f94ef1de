import { describe, expect, it } from 'vitest';
import { extractFromHtml } from './html-links.js';
import { extractFromText, refang } from './observables.js';

const values = (text: string) =>
  extractFromText(text).map((f) => `${f.kind}:${f.value}${f.defanged ? ' (defanged)' : ''}`);

describe('refanging', () => {
  it('undoes hxxp, hxxps, [.], (.), [dot], [:] and [@]', () => {
    expect(
      refang('hxxps://evil[.]example(.)com[:]8443/x and hxxp[:]//a[dot]example user[@]host[.]example'),
    ).toBe('https://evil.example.com:8443/x and http://a.example user@host.example');
  });
});

describe('observables in prose', () => {
  it('finds URLs, their hosts, addresses, IPs and bare domains, canonicalised', () => {
    expect(
      values(
        'Visit https://Login.Attacker.EXAMPLE/a?b=1, mail X@Attacker.Example or 192.0.2.1 and evil.com.',
      ),
    ).toEqual([
      'url:https://login.attacker.example/a?b=1',
      'domain:login.attacker.example',
      'email:x@attacker.example',
      'domain:attacker.example',
      'ip:192.0.2.1',
      'domain:evil.com',
    ]);
  });

  it('marks indicators that were only present in defanged form', () => {
    expect(values('see hxxps://bad[.]example/p and 198.51.100[.]7')).toEqual([
      'url:https://bad.example/p (defanged)',
      'domain:bad.example (defanged)',
      'ip:198.51.100.7 (defanged)',
    ]);
  });

  it('encodes internationalised domains as punycode (RFC 3492) and keeps the Unicode for display', () => {
    const found = extractFromText('https://例え.テスト/ログイン');
    expect(found[0]).toEqual({ kind: 'url', value: 'https://xn--r8jz45g.xn--zckzah/', defanged: false });
    expect(found[1]).toEqual({
      kind: 'domain',
      value: 'xn--r8jz45g.xn--zckzah',
      display: '例え.テスト',
      defanged: false,
    });
  });

  it('stops a URL at Japanese text and at sentence punctuation', () => {
    expect(values('こちら https://pay.attacker.example/x）から。(see https://a.example/b).')).toEqual([
      'url:https://pay.attacker.example/x',
      'domain:pay.attacker.example',
      'url:https://a.example/b',
      'domain:a.example',
    ]);
  });

  it('does not take file names or version numbers for domains, nor times for IPv6', () => {
    expect(values('open invoice.pdf and setup.exe, version 1.2.3, at 10:30:45')).toEqual([]);
  });

  it('canonicalises IPv6 per RFC 5952', () => {
    expect(values('from 2001:DB8:0:0:0:0:0:1 today')).toEqual(['ip:2001:db8::1']);
  });

  // The cases for which the URL finder is this file's own, not linkify-it's (observables.ts).
  it('finds a URL whose host is a bracketed IPv6 literal', () => {
    expect(values('fetch http://[2001:db8::1]/x now')).toEqual([
      'url:http://[2001:db8::1]/x',
      'ip:2001:db8::1',
    ]);
  });

  it('finds www. names under any TLD, the new gTLDs phishing favours included', () => {
    expect(values('go to www.evil.top/a or www.evil.icu')).toEqual([
      'url:http://www.evil.top/a',
      'domain:www.evil.top',
      'url:http://www.evil.icu/',
      'domain:www.evil.icu',
    ]);
  });

  it('ends a URL written straight into Japanese prose where the prose starts', () => {
    expect(values('https://a.example/xから来たメール')).toEqual([
      'url:https://a.example/x',
      'domain:a.example',
    ]);
  });
});

describe('links in HTML', () => {
  it('reads href, src, form action, srcset, CSS url() and meta refresh, and tells which', () => {
    const found = extractFromHtml(
      '<form action="https://c.attacker.example/p"></form><img srcset="https://i.attacker.example/1x.png 1x, https://i.attacker.example/2x.png 2x">' +
        '<div style="background:url(\'https://bg.attacker.example/b.png\')"></div><meta http-equiv="Refresh" content="0;URL=https://r.attacker.example/">',
    ).filter((f) => f.kind === 'url');
    expect(found.map((f) => [f.value, f.where])).toEqual([
      ['https://c.attacker.example/p', 'action'],
      ['https://i.attacker.example/1x.png', 'srcset'],
      ['https://i.attacker.example/2x.png', 'srcset'],
      ['https://bg.attacker.example/b.png', 'style'],
      ['https://r.attacker.example/', 'meta-refresh'],
      ['https://bg.attacker.example/b.png', 'style'],
    ]);
  });

  it('ignores javascript:, data: and cid: links and relative paths', () => {
    const found = extractFromHtml(
      '<a href="javascript:alert(1)">a</a><img src="cid:x@y"><img src="data:image/png;base64,AAAA"><a href="/rel">r</a>',
    );
    expect(found).toEqual([]);
  });
});
