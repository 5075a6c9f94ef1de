/** How indicators are written in alert e-mails (render.ts). */
import { describe, expect, it } from 'vitest';
import { defang } from './render.js';

describe('defanging indicators for e-mail', () => {
  it('brackets the last dot of addresses and names, and writes URLs as hxxp', () => {
    expect(defang('ipv4', '27.254.40.5')).toBe('27.254.40[.]5');
    expect(defang('domain', 'mail.x-sangyo.example')).toBe('mail.x-sangyo[.]example');
    expect(defang('email', 'tanaka@x-sangyo.example')).toBe('tanaka@x-sangyo[.]example');
    expect(defang('url', 'https://dl.evil.example/a.zip?x=1.2')).toBe(
      'hxxps://dl.evil[.]example/a.zip?x=1.2',
    );
    expect(defang('ipv6', '2001:db8::1')).toBe('2001[:]db8[:][:]1');
    expect(defang('sha256', 'ab'.repeat(32))).toBe('ab'.repeat(32));
  });
});
