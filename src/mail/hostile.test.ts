/**
 * Hostile input: every case must end in bounded time and memory with a result and a warning, or
 * a clear `KobanError` — never a crash or a hang. Inputs are built here from the specifications.
 * No case measures its time (the machine may be busy): a quadratic scan of these inputs would run
 * for many minutes and fail by the test's timeout; how long each takes against a benign input of
 * the same size is measured by `node bench/email-hostile.mjs` (BENCHMARKS.md).
 */
import { describe, expect, it } from 'vitest';
import { isKobanError } from '../core/index.js';
import { attachmentPart, BASIC_HEADERS, buildZip, message, multipart, withAttachment } from './_testkit.js';
import { parseEml } from './index.js';

const MiB = 1024 * 1024;

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return isKobanError(e) ? e.code : `not a KobanError: ${String(e)}`;
  }
}

/** Deterministic bytes that look random enough to carry no structure. */
function noise(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

describe('size limits', () => {
  it('refuses a message over 25 MiB with E_LIMIT before parsing it', async () => {
    const raw = message(BASIC_HEADERS, Buffer.alloc(26 * MiB, 0x41));
    await expect(parseEml(raw)).rejects.toThrow('the limit is 26214400 bytes');
    expect(await codeOf(parseEml(raw))).toBe('E_LIMIT');
  });

  it('refuses a message carrying a 50 MB attachment', async () => {
    const raw = withAttachment('big.bin', Buffer.alloc(50_000_000, 0x41));
    expect(raw.length).toBeGreaterThan(50_000_000);
    expect(await codeOf(parseEml(raw))).toBe('E_LIMIT');
  });

  it('rejects a negative limit as a usage error', async () => {
    expect(await codeOf(parseEml(Buffer.from('Subject: x\r\n\r\n'), { maxParts: -1 }))).toBe('E_USAGE');
  });
});

describe('structure limits', () => {
  it('parses only the first 500 parts of a 10,000-part message and says so', async () => {
    const parts = Array.from({ length: 10_000 }, (_, i) =>
      attachmentPart(`f${i}.txt`, Buffer.from(`part ${i}`)),
    );
    const raw = message(
      { ...BASIC_HEADERS, 'Content-Type': 'multipart/mixed; boundary="many"' },
      multipart('many', parts),
    );
    const x = await parseEml(raw);
    expect(x.attachments).toHaveLength(499);
    expect(x.attachments[498]?.fileName).toBe('f498.txt');
    expect(x.warnings).toContainEqual({
      kind: 'limit',
      message: 'the message has more than 500 MIME parts; only the first 500 were parsed',
    });
  });

  it('keeps a multipart nested 1,000 deep as one opaque part below level 20', async () => {
    let raw = '';
    for (let i = 0; i < 1000; i++)
      raw += `Content-Type: multipart/mixed; boundary="n${i}"\r\n\r\n--n${i}\r\n`;
    raw += 'Content-Type: text/plain\r\n\r\ndeep leaf\r\n';
    for (let i = 999; i >= 0; i--) raw += `--n${i}--\r\n`;
    const x = await parseEml(Buffer.from(`From: a@attacker.example\r\nSubject: deep\r\n${raw}`, 'latin1'));
    expect(x.warnings).toContainEqual({
      kind: 'limit',
      message: '1 multipart(s) nested deeper than 20 levels were kept as opaque parts',
    });
    expect(x.attachments).toHaveLength(1);
    expect(x.attachments[0]?.declaredType).toBe('application/octet-stream');
    expect(x.bodies.text).toBeNull();
  });

  it('cuts a 1 MB header line and still reads the other fields', async () => {
    const raw = message({ ...BASIC_HEADERS, 'X-Padding': 'A'.repeat(MiB) }, 'body\r\n');
    const x = await parseEml(raw);
    expect(x.headers.subject?.value).toBe('test');
    expect(x.headers.from[0]?.address).toBe('sender@attacker.example');
    expect(x.warnings).toContainEqual({
      kind: 'limit',
      message: '1 header line(s) longer than 65536 bytes were cut (RFC 5322 §2.1.1 allows 998)',
    });
  });

  it('reads at most 100 Received fields of a message padded with 5,000', async () => {
    const received: Record<string, string> = {};
    const lines = Array.from(
      { length: 5000 },
      (_, i) =>
        `Received: from h${i}.attacker.example by mx.example.net; Mon, 13 Jan 2025 10:00:00 +0000\r\n`,
    );
    const raw = Buffer.concat([Buffer.from(lines.join('')), message({ ...BASIC_HEADERS, ...received }, 'x')]);
    const x = await parseEml(raw);
    expect(x.headers.received).toHaveLength(100);
    expect(x.warnings).toContainEqual({
      kind: 'limit',
      message: '5000 Received fields; only the first 100 were read',
    });
  });

  it('gives up with E_LIMIT when the time budget runs out', async () => {
    const parts = Array.from({ length: 400 }, (_, i) => attachmentPart(`f${i}.bin`, noise(4096, i)));
    const raw = message(
      { ...BASIC_HEADERS, 'Content-Type': 'multipart/mixed; boundary="t"' },
      multipart('t', parts),
    );
    expect(await codeOf(parseEml(raw, { timeoutMs: 0 }))).toBe('E_LIMIT');
  });
});

describe('malformed content', () => {
  it('refuses 5 MB of binary garbage with E_FORMAT, saying it is not an e-mail', async () => {
    const outcome = await parseEml(noise(5 * MiB)).then(String, (e: unknown) => e);
    expect(outcome).toMatchObject({
      code: 'E_FORMAT',
      message:
        'not an e-mail message: it does not begin with a header block ("Name: value" lines, RFC 5322 §2.2)',
    });
  });

  it('refuses an empty input with E_FORMAT', async () => {
    await expect(parseEml(Buffer.alloc(0))).rejects.toMatchObject({
      code: 'E_FORMAT',
      message: 'not an e-mail message: the input is empty',
    });
  });

  it('decodes broken base64 and quoted-printable leniently, with warnings', async () => {
    const raw = message(
      { ...BASIC_HEADERS, 'Content-Type': 'multipart/mixed; boundary="e"' },
      multipart('e', [
        {
          headers: {
            'Content-Type': 'text/plain; charset=utf-8',
            'Content-Transfer-Encoding': 'quoted-printable',
          },
          body: 'caf=C3=A9 =ZZ broken =\r\nsoft',
        },
        {
          headers: { 'Content-Type': 'application/octet-stream', 'Content-Transfer-Encoding': 'base64' },
          body: 'SGVsbG8g!!!V29y bGQ=\r\n@@@',
        },
      ]),
    );
    const x = await parseEml(raw);
    expect(x.bodies.text?.content).toContain('café');
    expect(x.attachments).toHaveLength(1);
    expect(x.warnings).toEqual(
      expect.arrayContaining([
        {
          kind: 'malformed',
          message: '1 base64 part(s) hold characters outside the base64 alphabet; decoded leniently',
        },
        {
          kind: 'malformed',
          message: '1 quoted-printable part(s) hold malformed "=" escapes; decoded leniently',
        },
      ]),
    );
  });

  it('decodes a UTF-7 body (RFC 2152) as the text it is, which is data and never rendered', async () => {
    const raw = message(
      { ...BASIC_HEADERS, 'Content-Type': 'text/plain; charset=utf-7' },
      '+ADw-script+AD4-alert(1)',
    );
    const x = await parseEml(raw);
    expect(x.bodies.text?.content).toBe('<script>alert(1)');
    expect(x.warnings).toEqual([]);
  });

  it('reports undecodable bytes when Shift_JIS is declared as UTF-8', async () => {
    const sjis = Buffer.from('82b182f182c982bf82cd', 'hex'); // こんにちは in Shift_JIS
    const raw = message({ ...BASIC_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }, sjis);
    const x = await parseEml(raw);
    expect(x.warnings.map((w) => w.message)).toContainEqual(
      expect.stringMatching(
        /^text body has \d+ undecodable byte sequence\(s\); its declared charset is probably wrong$/,
      ),
    );
  });

  it('guesses a raw Shift_JIS subject and says it guessed', async () => {
    const subject = Buffer.concat([
      Buffer.from('Subject: '),
      Buffer.from('82b182f182c982bf82cd', 'hex'),
      Buffer.from('\r\n'),
    ]);
    const x = await parseEml(Buffer.concat([subject, message({ From: 'a@attacker.example' }, 'x')]));
    expect(x.headers.subject?.value).toBe('こんにちは');
    expect(x.warnings).toContainEqual({
      kind: 'guessed',
      message: 'Subject: raw 8-bit or escaped text decoded as shift_jis (best effort)',
    });
  });

  /** What a message with this HTML body yields: the body whole, and the header addresses only. */
  async function scanHtml(html: string) {
    const x = await parseEml(message({ ...BASIC_HEADERS, 'Content-Type': 'text/html' }, html));
    expect(x.bodies.html?.content === html).toBe(true);
    expect(x.observables.map((o) => o.value)).toEqual([
      'sender@attacker.example',
      'attacker.example',
      'victim@example.co.jp',
    ]);
    expect(x.attachments).toEqual([]);
    return x.warnings;
  }

  it('scans a 4 MB attribute name and 500,000 unclosed url(', async () => {
    expect(await scanHtml(`<a ${'b'.repeat(4 * MiB)}>`)).toEqual([
      { kind: 'limit', message: 'only the first 4194304 characters of a body were scanned' },
    ]);
    expect(await scanHtml('url(url('.repeat(MiB / 2))).toEqual([]);
  });

  it('scans 4 MB of defanged indicators', async () => {
    const text = 'hxxps://evil[.]example/x user[@]evil[.]example 198[.]51[.]100[.]7\n'.repeat(60_000);
    const x = await parseEml(message(BASIC_HEADERS, text));
    expect(x.observables.filter((o) => o.defanged).map((o) => o.value)).toEqual([
      'https://evil.example/x',
      'evil.example',
      'user@evil.example',
      '198.51.100.7',
    ]);
  });

  it('scans 4 MB of unclosed tags', async () => {
    expect(await scanHtml(`<html>${'<a href="x'.repeat(400_000)}`)).toEqual([]);
  });
});

describe('archives', () => {
  it('lists an encrypted zip built from bytes and flags it without extracting', async () => {
    const zip = buildZip([
      { name: 'readme.txt', data: Buffer.from('password: 1234') },
      { name: 'invoice.pdf.exe', data: Buffer.from('MZ...'), encrypted: true },
    ]);
    const x = await parseEml(withAttachment('invoice.zip', zip, 'application/zip'));
    const a = x.attachments[0]!;
    expect(a.sniffedType).toBe('zip');
    expect(a.flags).toEqual(['archive', 'encrypted-zip']);
    expect(a.archive?.encrypted).toBe(true);
    expect(a.archive?.entries.map((e) => [e.path, e.encrypted, e.flags, e.hashes?.sha256 ?? null])).toEqual([
      ['readme.txt', false, [], 'db73eb940d417cd8bd9631329264384a2f111a255db054b1c1ac312bf49610c2'],
      ['invoice.pdf.exe', true, ['executable-extension', 'double-extension', 'encrypted-zip'], null],
    ]);
  });

  it('does not inflate a 1000:1 zip bomb', async () => {
    const zip = buildZip([{ name: 'zeros.bin', data: Buffer.alloc(64 * MiB), deflate: true }]);
    expect(zip.length).toBeLessThan(MiB);
    const x = await parseEml(withAttachment('bomb.zip', zip));
    const a = x.attachments[0]!;
    expect(a.flags).toContain('zip-bomb');
    expect(a.archive?.entries[0]?.hashes).toBeUndefined();
    expect(x.warnings.map((w) => w.message)).toContainEqual(
      expect.stringMatching(
        /^attachment "bomb\.zip" → zeros\.bin: compression ratio \d+:1 looks like a decompression bomb; not extracted$/,
      ),
    );
  });

  it('stops at the total uncompressed size budget', async () => {
    const entries = [0, 1, 2].map((i) => ({ name: `part${i}.bin`, data: noise(600 * 1024, i + 10) }));
    const x = await parseEml(withAttachment('big.zip', buildZip(entries)), { maxArchiveTotalBytes: MiB });
    const listing = x.attachments[0]!.archive!;
    expect(listing.entries.map((e) => e.hashes !== undefined)).toEqual([true, false, false]);
    expect(listing.bomb).toBe(true);
    expect(x.warnings).toContainEqual({
      kind: 'limit',
      message: `attachment "big.zip" → part1.bin: the message's archives inflate past ${MiB} bytes; this and further entries not extracted`,
    });
    expect(x.warnings).toHaveLength(1);
  });

  it('catches an entry that inflates past its declared size', async () => {
    const zip = buildZip([
      { name: 'liar.txt', data: Buffer.alloc(4 * MiB, 0x20), deflate: true, declaredSize: 40_000 },
    ]);
    const x = await parseEml(withAttachment('liar.zip', zip));
    expect(x.attachments[0]?.archive?.entries[0]?.hashes).toBeUndefined();
    expect(x.warnings.map((w) => w.message)).toContainEqual(
      expect.stringMatching(/^attachment "liar\.zip" → liar\.txt: could not be extracted \(.+\)$/),
    );
  });

  it('follows nested archives down to depth 3 and no further', async () => {
    let inner = buildZip([
      { name: 'payload.js', data: Buffer.from('var x = new ActiveXObject("WScript.Shell");') },
    ]);
    for (let d = 4; d >= 2; d--) inner = buildZip([{ name: `level${d}.zip`, data: inner }]);
    const x = await parseEml(withAttachment('level1.zip', inner));
    const a = x.attachments[0]!;
    expect(a.flags).toEqual(['archive', 'nested-archive']);
    const l2 = a.archive!.entries[0]!;
    const l3 = l2.archive!.entries[0]!;
    expect([l2.path, l3.path, l3.archive?.entries[0]?.path]).toEqual([
      'level2.zip',
      'level3.zip',
      'level4.zip',
    ]);
    expect(l3.archive?.entries[0]?.archive).toBeUndefined();
    expect(x.warnings).toContainEqual({
      kind: 'limit',
      message:
        'attachment "level1.zip" → level2.zip → level3.zip → level4.zip: archive nested deeper than 3; not inspected',
    });
  });

  it('lists at most 1,000 entries per message', async () => {
    const zip = buildZip(
      Array.from({ length: 1500 }, (_, i) => ({ name: `f${i}.txt`, data: Buffer.from('x') })),
    );
    const x = await parseEml(withAttachment('many.zip', zip));
    expect(x.attachments[0]?.archive?.entries).toHaveLength(1000);
    expect(x.attachments[0]?.archive?.truncated).toBe(true);
  });

  it('reports a corrupt zip instead of failing', async () => {
    const zip = buildZip([{ name: 'a.txt', data: Buffer.from('hello') }]);
    zip.writeUInt32LE(0xdeadbeef, zip.length - 6); // central directory offset
    const x = await parseEml(withAttachment('broken.zip', zip));
    expect(x.attachments[0]?.archive?.truncated).toBe(true);
    expect(x.warnings.map((w) => w.message)).toContainEqual(
      expect.stringMatching(/^attachment "broken\.zip": /),
    );
  });
});

describe('attached messages', () => {
  it('parses attached messages down to depth 3 and reports the deeper ones', async () => {
    let inner = message({ ...BASIC_HEADERS, Subject: 'level 4' }, 'innermost');
    for (let d = 3; d >= 0; d--) {
      inner = message(
        { ...BASIC_HEADERS, Subject: `level ${d}`, 'Content-Type': `multipart/mixed; boundary="m${d}"` },
        multipart(`m${d}`, [{ headers: { 'Content-Type': 'message/rfc822' }, body: inner }]),
      );
    }
    const x = await parseEml(inner);
    const l3 = x.attachments[0]?.message?.attachments[0]?.message?.attachments[0]?.message;
    expect(l3?.depth).toBe(3);
    expect(l3?.headers.subject?.value).toBe('level 3');
    expect(l3?.attachments[0]?.message).toBeUndefined();
    expect(l3?.warnings).toContainEqual({
      kind: 'limit',
      message: 'attachment 1: attached message nested deeper than 3; not parsed',
    });
  });
});
