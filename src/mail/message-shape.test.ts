/**
 * What is a message: a header block first. Anything else is refused by the parser with a reason
 * (so every caller — CLI, HTTP upload, intake — refuses it the same way); line ends in any of the
 * three conventions are read alike.
 */
import { describe, expect, it } from 'vitest';
import { BASIC_HEADERS, message, multipart } from './_testkit.js';
import { parseEml } from './index.js';

/** The first bytes of an x86-64 ELF executable (ELF-64 header, e_ident and e_type), as /bin/ls starts. */
const ELF = Buffer.concat([
  Buffer.from('7f454c46020101000000000000000000030003e000', 'hex'),
  Buffer.alloc(400, 0),
  Buffer.from('\nGLIBC_2.2.5 Usage: %s [OPTION]... [FILE]...\nhttps://www.gnu.org/software/coreutils/\n'),
]);

describe('a message with bare CR line ends (classic Mac OS)', () => {
  it('is read like CRLF, headers and body, with a warning', async () => {
    const raw = Buffer.from(
      'From: "Billing" <billing@attacker.example>\rTo: victim@example.co.jp\rSubject: Mac mail\r' +
        'Date: Mon, 13 Jan 2025 10:00:00 +0900\r\rPay at https://pay.attacker.example/x\r',
      'latin1',
    );
    const x = await parseEml(raw);
    expect(x.headers.subject?.value).toBe('Mac mail');
    expect(x.headers.from[0]?.address).toBe('billing@attacker.example');
    expect(x.headers.to[0]?.address).toBe('victim@example.co.jp');
    expect(x.bodies.text?.content).toBe('Pay at https://pay.attacker.example/x\n');
    expect(x.observables.find((o) => o.kind === 'url')?.value).toBe('https://pay.attacker.example/x');
    expect(x.evidence.sizeBytes).toBe(raw.length);
    expect(x.warnings).toEqual([
      { kind: 'malformed', message: 'lines end in a bare CR (classic Mac OS); read as CRLF (RFC 5322 §2.1)' },
    ]);
  });

  it('ends the lines of a body part written with bare CRs in a CRLF message', async () => {
    const raw = message(BASIC_HEADERS, 'line one\rsee https://x.attacker.example/a\r');
    expect((await parseEml(raw)).bodies.text?.content).toBe('line one\nsee https://x.attacker.example/a\n');
  });

  it('reads LF-only and CRLF messages without a warning', async () => {
    for (const eol of ['\n', '\r\n']) {
      const x = await parseEml(Buffer.from(`From: a@attacker.example${eol}Subject: s${eol}${eol}body${eol}`));
      expect(x.headers.subject?.value).toBe('s');
      expect(x.warnings).toEqual([]);
    }
  });
});

describe('input that is not a message', () => {
  it('refuses an executable with E_FORMAT, naming what it looks like', async () => {
    await expect(parseEml(ELF)).rejects.toMatchObject({
      code: 'E_FORMAT',
      message:
        'not an e-mail message: it does not begin with a header block ("Name: value" lines, RFC 5322 §2.2); its content looks like elf',
    });
  });

  it('refuses a PDF and a text file of notes', async () => {
    await expect(parseEml(Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'))).rejects.toMatchObject({
      code: 'E_FORMAT',
      message: expect.stringMatching(/; its content looks like pdf$/),
    });
    await expect(
      parseEml(Buffer.from('Phishing seen today\nhttps://x.attacker.example/\n')),
    ).rejects.toMatchObject({
      code: 'E_FORMAT',
      message:
        'not an e-mail message: it does not begin with a header block ("Name: value" lines, RFC 5322 §2.2)',
    });
  });

  it('refuses a header block that has none of the fields of a message (a MIME part saved alone)', async () => {
    await expect(
      parseEml(Buffer.from('Content-Type: text/plain\r\nContent-Transfer-Encoding: 7bit\r\n\r\nhello\r\n')),
    ).rejects.toMatchObject({
      code: 'E_FORMAT',
      message:
        'none of From, To, Date, Subject, Message-ID or Received is present: this does not look like an e-mail message',
    });
  });

  it('reports an attached "message" that is not one and keeps the rest of the report', async () => {
    const raw = message(
      { ...BASIC_HEADERS, 'Content-Type': 'multipart/mixed; boundary="m"' },
      multipart('m', [
        { headers: { 'Content-Type': 'text/plain' }, body: 'see attached' },
        { headers: { 'Content-Type': 'message/rfc822' }, body: ELF },
      ]),
    );
    const x = await parseEml(raw);
    expect(x.bodies.text?.content).toBe('see attached');
    expect(x.attachments[0]?.message).toBeUndefined();
    expect(x.warnings).toContainEqual({
      kind: 'malformed',
      message:
        'attachment 1: attached message could not be parsed (not an e-mail message: it does not begin with a header block ("Name: value" lines, RFC 5322 §2.2); its content looks like elf)',
    });
  });
});

describe('wrappers in front of the header', () => {
  it('skips an mbox "From " line, a byte order mark and empty lines, and says so', async () => {
    const raw = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(
        'From billing@attacker.example Mon Jan 13 10:00:00 2025\n\nFrom: billing@attacker.example\nSubject: s\n\nb\n',
      ),
    ]);
    const x = await parseEml(raw);
    expect(x.headers.subject?.value).toBe('s');
    expect(x.warnings).toEqual([
      { kind: 'skipped', message: 'an mbox "From " separator line before the header was skipped' },
      { kind: 'malformed', message: '1 empty line(s) before the header were skipped' },
    ]);
  });
});
