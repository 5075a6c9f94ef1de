/**
 * Files sent in pre-MIME encodings (test/fixtures/email/legacy-encodings.eml, written by
 * make-legacy.py from the encodings' descriptions; the zips' SHA-256 printed by that script with
 * Python's hashlib): each must be hashed, sized, typed and opened as the zip it carries.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/samples.js';
import { type EmailExtraction, parseEml } from './index.js';
import { decodeLegacy, findLegacyBlocks } from './legacy-encodings.js';

const SHA256: Readonly<Record<string, [number, string]>> = {
  'report.zip': [314, '1f71f19412571e7492c94b84d3e9113097b07da7cc10aff17fad94c76f90c32b'],
  'invoice.zip': [316, '81a98c292d4a1cc5501bf64fe3656519348d40eb6b3e28fb2390b46549bd7455'],
  'payload.zip': [316, 'fde4ab99b229cdbee7add8c26949e9c90cfcbb7a92305ab195916350910dc154'],
  'mac.zip.hqx': [308, 'a07fb930ca86b6f276a05e1a9e1c739f070439effefd9a458455763ebdeb05b5'],
};

let parsed: Promise<EmailExtraction> | undefined;
const load = () => {
  parsed ??= parseEml(readFileSync(fixture('email/legacy-encodings.eml')));
  return parsed;
};

describe('files in legacy encodings', () => {
  it('decodes an x-uuencode part, a yEnc part and a BinHex part to the zips they carry', async () => {
    const x = await load();
    const byName = (n: string) => x.attachments.find((a) => a.fileName === n);
    for (const name of ['invoice.zip', 'payload.zip', 'mac.zip.hqx']) {
      const a = byName(name);
      expect([a?.sizeBytes, a?.hashes.sha256], name).toEqual(SHA256[name]);
      expect(a?.sniffedType, name).toBe('zip');
      expect(a?.flags, name).toEqual(['legacy-encoding', 'archive', 'executable-content']);
      expect(
        a?.archive?.entries.map((e) => e.path),
        name,
      ).toEqual([name.replace(/\.zip.*$/, '.exe')]);
    }
  });

  it('takes the name of a yEnc part that named none from its =ybegin line', async () => {
    const x = await load();
    expect(x.attachments.map((a) => a.fileName)).toEqual([
      'invoice.zip',
      'payload.zip',
      'mac.zip.hqx',
      'broken.zip',
      'report.zip',
    ]);
  });

  it('cuts a uuencoded block out of the text body into an attachment, despite stripped trailing spaces', async () => {
    const x = await load();
    const a = x.attachments.find((f) => f.fileName === 'report.zip');
    expect([a?.sizeBytes, a?.hashes.sha256]).toEqual(SHA256['report.zip']);
    expect(a?.disposition).toBe('inline');
    expect(a?.archive?.entries.map((e) => e.path)).toEqual(['report.exe']);
    expect(x.bodies.text?.content).toBe(
      'Please see the report:\n\n[uuencode file "report.zip" extracted as an attachment]\n\nRegards, https://billing.attacker.example/',
    );
    expect(
      x.observables.filter((o) => o.sources.some((s) => s.origin === 'body-text')).map((o) => o.value),
    ).toEqual(['https://billing.attacker.example/', 'billing.attacker.example']);
  });

  it('flags a part declared x-uuencode that cannot be decoded, hashed as sent, and says so', async () => {
    const x = await load();
    const a = x.attachments.find((f) => f.fileName === 'broken.zip');
    expect(a?.flags).toEqual(['undecoded', 'extension-mismatch']);
    expect(a?.sizeBytes).toBe('this part says it is uuencoded but it is not'.length);
    expect(x.warnings).toContainEqual({
      kind: 'malformed',
      message: 'attachment "broken.zip": declared as x-uuencode but could not be decoded; hashed as sent',
    });
  });
});

describe('the decoders', () => {
  it('reads the begin-base64 form of POSIX uuencode', () => {
    const [block] = findLegacyBlocks('x\nbegin-base64 644 a.bin\nTVqQAA==\n====\ny\n', 5);
    expect(block?.file).toEqual({
      encoding: 'uuencode',
      name: 'a.bin',
      content: Buffer.from('4d5a9000', 'hex'),
      problems: [],
    });
  });

  it('does not take a "begin 644" sentence followed by prose for a file', () => {
    expect(findLegacyBlocks('begin 644 reasons to pay\nwe are waiting for you\nbye\n', 5)).toEqual([]);
  });

  it('says when a uuencoded file has no end line', () => {
    const [block] = findLegacyBlocks('begin 644 cut.bin\n#86)C\n', 5);
    expect(block?.file.content).toEqual(Buffer.from('abc'));
    expect(block?.file.problems).toEqual(['no "end" line: the file may be truncated']);
  });

  it('checks a yEnc trailer: size and CRC-32', () => {
    // "abc" + 42 each: "\x8b\x8c\x8d"; CRC-32 of "abc" is 352441c2.
    const good = decodeLegacy(
      'yenc',
      '=ybegin line=128 size=3 name=a.bin\r\n\x8b\x8c\x8d\r\n=yend size=3 crc32=352441c2\r\n',
    );
    expect(good).toEqual({ encoding: 'yenc', name: 'a.bin', content: Buffer.from('abc'), problems: [] });
    const bad = decodeLegacy(
      'yenc',
      '=ybegin line=128 size=4 name=a.bin\r\n\x8b\x8c\x8d\r\n=yend size=4 crc32=00000000\r\n',
    );
    expect(bad?.problems).toEqual([
      'decoded 3 bytes where the trailer says 4',
      'the CRC-32 in the trailer does not match',
    ]);
  });
});
