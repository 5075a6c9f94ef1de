/**
 * A ZIP whose central directory cannot be read is listed from its local file headers, as other
 * readers (Info-ZIP `zip -FF`, 7-Zip) recover it. The data-descriptor archive was written by
 * Python's zipfile to a non-seekable stream (APPNOTE §4.4.4 bit 3 set, sizes after the data); the
 * SHA-256 of its entries were computed with Python's hashlib.
 */
import { describe, expect, it } from 'vitest';
import { buildZip, withAttachment } from './_testkit.js';
import { parseEml } from './index.js';

const DESCRIPTOR_ZIP = Buffer.from(
  'UEsDBBQACAAIAABQLVoAAAAAAAAAAAAAAAAJAAAAbm90ZXMudHh0y0jNyclXyMAkS0oKiq309VOK8gv0EktKEpOzU4v0UisScwtyUvULuABQSwcINa6xHSkAAAA4AAAAUEsDBBQACAAIAABQLVoAAAAAAAAAAAAAAAAGAAAAcnVuLmpzK0ssUihWsFXISy1XcEwuySxLjfBPykpNLtFQCg9OLsosKNELzkjNyVHStOYCAFBLBwhlUcMrLgAAACwAAABQSwECFAMUAAgACAAAUC1aNa6xHSkAAAA4AAAACQAAAAAAAAAAAAAAgAEAAAAAbm90ZXMudHh0UEsBAhQDFAAIAAgAAFAtWmVRwysuAAAALAAAAAYAAAAAAAAAAAAAAIABYAAAAHJ1bi5qc1BLBQYAAAAAAgACAGsAAADCAAAAAAA=',
  'base64',
);

/** Moves the end record's central-directory offset (APPNOTE §4.3.16, at 16 bytes into the 22-byte record). */
function shiftDirectory(zip: Buffer, by: number): Buffer {
  const out = Buffer.from(zip);
  out.writeUInt32LE(out.readUInt32LE(out.length - 6) + by, out.length - 6);
  return out;
}

describe('a ZIP with an unreadable central directory', () => {
  it('lists and hashes the entries of one whose directory offset is off by three bytes', async () => {
    const zip = shiftDirectory(
      buildZip([
        { name: 'invoice.pdf.exe', data: Buffer.from('MZ fake executable') },
        { name: 'readme.txt', data: Buffer.from('password: 1234'), deflate: true },
      ]),
      3,
    );
    const x = await parseEml(withAttachment('shifted.zip', zip, 'application/zip'));
    const a = x.attachments[0]!;
    expect(a.archive?.entries.map((e) => [e.path, e.sizeBytes, e.hashes?.sha256, e.sniffedType])).toEqual([
      ['invoice.pdf.exe', 18, '8ac8dd84944893b41c64fdc5d72f6d75d286e5b72a8f30f567769bcc2db2786a', 'pe'],
      ['readme.txt', 14, 'db73eb940d417cd8bd9631329264384a2f111a255db054b1c1ac312bf49610c2', 'text'],
    ]);
    expect(a.archive?.truncated).toBe(true);
    expect(a.flags).toEqual(['archive', 'truncated', 'executable-content']);
    expect(x.warnings.map((w) => w.message)).toContainEqual(
      expect.stringMatching(/^attachment "shifted\.zip": .+; 2 entries recovered from local file headers$/),
    );
  });

  it('finds the sizes of entries written with data descriptors, and scans their content', async () => {
    const x = await parseEml(withAttachment('notes.zip', shiftDirectory(DESCRIPTOR_ZIP, -5)));
    expect(
      x.attachments[0]?.archive?.entries.map((e) => [
        e.path,
        e.sizeBytes,
        e.compressedBytes,
        e.hashes?.sha256,
      ]),
    ).toEqual([
      ['notes.txt', 56, 41, '325334c8302dc39cf9954416775bd43e931545944641927edc60eee2d9a2dde5'],
      ['run.js', 44, 46, 'fe19cd726bdbd67a30d2668a0c35d523f0819a3a003b560b31f4718ad3a9ac80'],
    ]);
    expect(x.observables.find((o) => o.kind === 'url')).toMatchObject({
      value: 'https://drop.attacker.example/p',
      sources: [{ origin: 'attachment-content', detail: 'attachment "notes.zip" → notes.txt' }],
    });
  });

  it('still reads the same archive through its directory when the directory is intact', async () => {
    const x = await parseEml(withAttachment('notes.zip', DESCRIPTOR_ZIP));
    expect(x.attachments[0]?.archive?.truncated).toBe(false);
    expect(x.attachments[0]?.archive?.entries.map((e) => e.path)).toEqual(['notes.txt', 'run.js']);
    expect(x.warnings).toEqual([]);
  });
});
