/**
 * Who is logged in, from utmp (utmp(5), glibc's `struct utmp` on Linux: 384 bytes a record, host
 * byte order). Only USER_PROCESS entries are sessions; a session is named by its line, pid, user
 * and login time, so a line reused by another login is a new session.
 */
import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';

export const UTMP_RECORD = 384;
const USER_PROCESS = 7;

export interface Session {
  readonly user: string;
  readonly line: string;
  readonly host: string;
  readonly sessionPid: number;
  /** The login time utmp holds, RFC 3339. */
  readonly since: string;
}

export const sessionKey = (s: Session) => `${s.line}\0${s.sessionPid}\0${s.user}\0${s.since}`;

function cString(b: Buffer, start: number, length: number): string {
  const field = b.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? length : end).toString('utf8');
}

export function parseUtmp(b: Buffer): Session[] {
  const le = endianness() === 'LE';
  const i16 = (o: number) => (le ? b.readInt16LE(o) : b.readInt16BE(o));
  const i32 = (o: number) => (le ? b.readInt32LE(o) : b.readInt32BE(o));
  const out: Session[] = [];
  // A trailing partial record (a writer mid-update) is ignored, not misread.
  for (let o = 0; o + UTMP_RECORD <= b.length; o += UTMP_RECORD) {
    if (i16(o) !== USER_PROCESS) continue;
    const sec = i32(o + 340);
    const usec = i32(o + 344);
    out.push({
      line: cString(b, o + 8, 32),
      user: cString(b, o + 44, 32),
      host: cString(b, o + 76, 256),
      sessionPid: Math.max(0, i32(o + 4)),
      since: new Date(sec * 1000 + Math.floor(Math.max(0, usec) / 1000)).toISOString(),
    });
  }
  return out;
}

/** The sessions now; an unreadable or absent utmp (containers often have none) is no session. */
export async function readSessions(file: string): Promise<Session[] | null> {
  const b = await readFile(file).catch(() => null);
  return b === null ? null : parseUtmp(b);
}
