import { describe, expect, it } from 'vitest';
import { attachmentPattern, mailerDomain, subjectTemplate } from './fuzzy.js';

describe('fuzzy link keys', () => {
  it.each([
    ['Re: FW: 3月度 定例打合せ資料の送付について', '#月度 定例打合せ資料の送付について'],
    ['【至急】2012年3月14日 見積書送付の件', '【至急】<date> 見積書送付の件'],
    ['[recipient] 様 ご請求書 No.48213 (3/14)', '<recipient> 様 ご請求書 no.# (<date>)'],
    ['Invoice  #12345   due   Mar 14, 2012', 'invoice ## due <date>'],
    ['ＲＥ：　資料', null],
    ['Re: #123', null],
  ] as const)('subject %s → %s', (subject, expected) => {
    expect(subjectTemplate(subject)).toBe(expected);
  });

  it.each([
    ['打合せ資料_0309.zip', '打合せ資料_#.zip'],
    ['見積書_20120314.zip', '見積書_#.zip'],
    ['Invoice-2024-00017.PDF', 'invoice-#-#.pdf'],
    ['image001.png', null],
    ['123.pdf', null],
    ['invoice\u202efdp.exe', 'invoicefdp.exe'],
  ] as const)('attachment %s → %s', (name, expected) => {
    expect(attachmentPattern(name)).toBe(expected);
  });

  it('keys a mailer by the sender’s organisational domain', () => {
    expect(mailerDomain('Microsoft Outlook Express 6.00.2900.5512', 'mail.x-sangyo.co.jp')).toBe(
      'microsoft outlook express 6.00.2900.5512|x-sangyo.co.jp',
    );
  });

  it('keys lures sent from two users’ pages on one platform apart, and a city’s mail by the city', () => {
    expect(mailerDomain('PHPMailer 6.0', 'alice.web.app')).toBe('phpmailer 6.0|alice.web.app');
    expect(mailerDomain('PHPMailer 6.0', 'bob.web.app')).toBe('phpmailer 6.0|bob.web.app');
    expect(mailerDomain('PHPMailer 6.0', 'mail.city.shibuya.tokyo.jp')).toBe(
      'phpmailer 6.0|city.shibuya.tokyo.jp',
    );
  });
});
