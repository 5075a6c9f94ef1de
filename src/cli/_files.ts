/** Reading a file a command is given, with a size limit checked before anything is read. */
import { readFile, stat } from 'node:fs/promises';
import { KobanError } from '../core/index.js';
import { fmtInt } from './_output.js';

/**
 * The whole file, refused before it is read when larger than `maxBytes`: a 50 MB "message" should
 * not be loaded just to be rejected.
 */
export async function readBoundedFile(file: string, maxBytes: number): Promise<Buffer> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (e) {
    throw new KobanError('E_NOT_FOUND', `cannot read ${file}: ${(e as Error).message}`);
  }
  if (size > maxBytes) {
    throw new KobanError('E_LIMIT', `${file} is ${fmtInt(size)} bytes; the limit is ${fmtInt(maxBytes)}`);
  }
  return readFile(file);
}
