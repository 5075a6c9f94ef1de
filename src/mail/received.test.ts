import { describe, expect, it } from 'vitest';
import { parseReceived } from './received.js';

describe('Received fields (RFC 5321 §4.4) as real MTAs write them', () => {
  it('reads Postfix: from helo (rdns [ip]) by host with proto id for <addr>; date', () => {
    const r = parseReceived(
      'from mail.attacker.example (relay7.attacker.example [203.0.113.9]) by mx1.example.co.jp (Postfix) ' +
        'with ESMTPS id 4AB12C0D3 for <taro@example.co.jp>; Mon, 13 Jan 2025 10:15:30 +0900 (JST)',
    );
    expect(r).toMatchObject({
      fromHost: 'mail.attacker.example',
      fromRdns: 'relay7.attacker.example',
      relayIp: '203.0.113.9',
      byHost: 'mx1.example.co.jp',
      with: 'ESMTPS',
      id: '4AB12C0D3',
      for: 'taro@example.co.jp',
      timestamp: '2025-01-13T01:15:30.000Z',
    });
  });

  it('reads Exim: from rdns ([ip] helo=name) and from [ip] (port=… helo=name)', () => {
    const a = parseReceived(
      'from host.attacker.example ([198.51.100.4] helo=WIN-3J8K2) by mx.example.net with esmtp (Exim 4.96) id 1abc; Tue, 14 Jan 2025 01:02:03 +0000',
    );
    expect([a.fromHost, a.fromRdns, a.relayIp]).toEqual([
      'win-3j8k2',
      'host.attacker.example',
      '198.51.100.4',
    ]);
    const b = parseReceived(
      'from [88.250.244.171] (port=54075 helo=goldcoastbudgetrenovations.com.au) by ded94233.smartservers.com.au with esmtpsa (TLS1.2) tls TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from <backings@goldcoastbudgetrenovations.com.au>) id 1r1eab-00FkKP-36 for phishing@pot; Fri, 10 Nov 2023 20:42:12 -0700',
    );
    expect([b.fromHost, b.fromRdns, b.relayIp, b.id, b.for]).toEqual([
      'goldcoastbudgetrenovations.com.au',
      null,
      '88.250.244.171',
      '1r1eab-00FkKP-36',
      'phishing@pot',
    ]);
    expect(b.timestamp).toBe('2023-11-11T03:42:12.000Z');
  });

  it('reads Microsoft: from helo (ip) by host (ip), IPv6 included', () => {
    const r = parseReceived(
      'from FR2P281CA0184.DEUP281.PROD.OUTLOOK.COM (2603:10a6:d10:9f::16) by MW4PR19MB7080.namprd19.prod.outlook.com ' +
        '(2603:10b6:303:227::8) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) ' +
        'id 15.20.6411.14; Wed, 17 May 2023 20:10:16 +0000',
    );
    expect(r).toMatchObject({
      fromHost: 'fr2p281ca0184.deup281.prod.outlook.com',
      relayIp: '2603:10a6:d10:9f::16',
      byHost: 'mw4pr19mb7080.namprd19.prod.outlook.com',
      byIp: '2603:10b6:303:227::8',
      with: 'Microsoft SMTP Server',
      id: '15.20.6411.14',
    });
  });

  it('reads qmail: from unknown (HELO name) (ip) and address literals with an IPv6 tag and zone', () => {
    const q = parseReceived(
      'from unknown (HELO bot.attacker.example) (192.0.2.8) by mail.example.org; 1 Feb 2025 00:00:00 -0000',
    );
    expect([q.fromHost, q.relayIp]).toEqual(['bot.attacker.example', '192.0.2.8']);
    const v6 = parseReceived(
      'from host ([IPv6:2001:DB8::1]) by mx.example.org with ESMTP; Sat, 1 Feb 2025 00:00:00 +0000',
    );
    expect(v6.relayIp).toBe('2001:db8::1');
    const zone = parseReceived(
      'from X ([fe80::a324:4f79:4426:60a1%6]) by Y with mapi id 15; Fri, 27 Jan 2023 21:59:20 +0000',
    );
    expect(zone.relayIp).toBe('fe80::a324:4f79:4426:60a1');
  });

  it('finds the time stamp when the semicolon is missing (SendGrid)', () => {
    const r = parseReceived(
      'by filterdrecv-64944f8955-bj4f2 with SMTP id filterdrecv-64944f8955-bj4f2-1-6548E75B-F 2023-11-06 13:17:15.268039382 +0000 UTC m=+1708545.748790678',
    );
    expect(r.timestamp).toBe('2023-11-06T13:17:15.000Z');
    expect(r.fromHost).toBeNull();
    expect(r.byHost).toBe('filterdrecv-64944f8955-bj4f2');
  });

  it('returns nulls, not an exception, for nonsense', () => {
    const r = parseReceived('((( garbage ;;; <<<');
    expect(r.fromHost).toBeNull();
    expect(r.relayIp).toBeNull();
    expect(r.timestamp).toBeNull();
  });
});
