/**
 * One look at the machine through procfs (proc(5)), unprivileged: the process table and the
 * sockets of /proc/net/{tcp,tcp6,udp,udp6}, each socket tied to the processes holding its inode
 * in /proc/PID/fd. What the recorder's user may not read (other users' exe and fd links) is left
 * null, never guessed. The root is injected so tests read a fake tree (test/fixtures/proc/).
 */

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** Clock ticks after boot the process started (stat field 22): tells a reused pid apart. */
  readonly startTicks: number;
  readonly exe: string | null;
  readonly exeSha256: string | null;
  readonly cmdline: string[];
  readonly uid: number | null;
  readonly user: string | null;
}

export type Proto = 'tcp' | 'tcp6' | 'udp' | 'udp6';

export interface SocketInfo {
  readonly proto: Proto;
  readonly state: string;
  readonly localAddr: string;
  readonly localPort: number;
  readonly remoteAddr: string;
  readonly remotePort: number;
  readonly inode: number;
}

export interface Snapshot {
  readonly processes: Map<string, ProcessInfo>;
  readonly sockets: SocketInfo[];
  /** Socket inode → pid of the first process found holding it. */
  readonly owners: Map<number, number>;
}

export interface ProcOptions {
  readonly procRoot: string;
  readonly passwdFile: string;
}

/** include/net/tcp_states.h */
const TCP_STATES: Record<string, string> = {
  '01': 'established',
  '02': 'syn-sent',
  '03': 'syn-recv',
  '04': 'fin-wait1',
  '05': 'fin-wait2',
  '06': 'time-wait',
  '07': 'close',
  '08': 'close-wait',
  '09': 'last-ack',
  '0A': 'listen',
  '0B': 'closing',
};

export const processKey = (p: { pid: number; startTicks: number }) => `${p.pid}/${p.startTicks}`;

/** The exe's SHA-256, cached by path, mtime and size: hashing every binary at every poll is too slow. */
export class ExeHasher {
  private readonly cache = new Map<string, { stamp: string; hash: string }>();
  async hash(linkPath: string, target: string): Promise<string | null> {
    try {
      // Through /proc/PID/exe, not the path: a replaced or deleted binary is still the one running.
      const s = await stat(linkPath);
      const stamp = `${s.mtimeMs}/${s.size}`;
      const hit = this.cache.get(target);
      if (hit?.stamp === stamp) return hit.hash;
      const h = createHash('sha256');
      for await (const chunk of createReadStream(linkPath)) h.update(chunk as Buffer);
      const hash = h.digest('hex');
      this.cache.set(target, { stamp, hash });
      return hash;
    } catch {
      return null;
    }
  }
}

export async function readPasswd(file: string): Promise<Map<number, string>> {
  const users = new Map<number, string>();
  const text = await readFile(file, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const f = line.split(':');
    const uid = Number(f[2]);
    if (f.length >= 3 && f[0] && Number.isSafeInteger(uid) && !users.has(uid)) users.set(uid, f[0]);
  }
  return users;
}

async function readProcess(
  root: string,
  pid: number,
  users: Map<number, string>,
  hasher: ExeHasher,
  owners: Map<number, number>,
): Promise<ProcessInfo | null> {
  const dir = join(root, String(pid));
  let stat: string;
  try {
    stat = await readFile(join(dir, 'stat'), 'utf8');
  } catch {
    return null; // gone between readdir and now
  }
  // comm may hold spaces and parentheses: the fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(fields[1]);
  const startTicks = Number(fields[19]);
  if (!Number.isSafeInteger(ppid) || !Number.isSafeInteger(startTicks)) return null;
  const status = await readFile(join(dir, 'status'), 'utf8').catch(() => '');
  const uidMatch = /^Uid:\s+(\d+)/m.exec(status);
  const uid = uidMatch ? Number(uidMatch[1]) : null;
  const cmdRaw = await readFile(join(dir, 'cmdline'), 'utf8').catch(() => '');
  const cmdline = cmdRaw.split('\0');
  if (cmdline.at(-1) === '') cmdline.pop();
  const exe = await readlink(join(dir, 'exe')).catch(() => null);
  const exeSha256 = exe === null ? null : await hasher.hash(join(dir, 'exe'), exe);
  const fds = await readdir(join(dir, 'fd')).catch(() => [] as string[]);
  for (const fd of fds) {
    const link = await readlink(join(dir, 'fd', fd)).catch(() => '');
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m && !owners.has(Number(m[1]))) owners.set(Number(m[1]), pid);
  }
  return {
    pid,
    ppid,
    startTicks,
    exe,
    exeSha256,
    cmdline,
    uid,
    user: uid === null ? null : (users.get(uid) ?? null),
  };
}

/** /proc/net addresses are the kernel's 32-bit words printed in host byte order. */
function hexWord(word: string): Buffer {
  const b = Buffer.from(word, 'hex');
  return endianness() === 'LE' ? b.reverse() : b;
}

export function parseAddress(hex: string): { addr: string; port: number } | null {
  const [a, p] = hex.split(':');
  if (!a || !p || !/^[0-9A-Fa-f]+$/.test(a) || !/^[0-9A-Fa-f]{4}$/.test(p)) return null;
  const port = Number.parseInt(p, 16);
  if (a.length === 8) return { addr: [...hexWord(a)].join('.'), port };
  if (a.length !== 32) return null;
  const bytes = Buffer.concat([0, 8, 16, 24].map((i) => hexWord(a.slice(i, i + 8))));
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return { addr: compressIpv6(groups), port };
}

/** RFC 5952: the longest run (≥ 2) of zero groups becomes "::". */
function compressIpv6(groups: string[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

export function parseNetTable(proto: Proto, text: string): SocketInfo[] {
  const out: SocketInfo[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const local = parseAddress(f[1]!);
    const remote = parseAddress(f[2]!);
    const inode = Number(f[9]);
    if (!local || !remote || !Number.isSafeInteger(inode)) continue;
    const st = f[3]!.toUpperCase();
    const state = proto.startsWith('tcp')
      ? (TCP_STATES[st] ?? st)
      : st === '01'
        ? 'connected'
        : 'unconnected';
    out.push({
      proto,
      state,
      localAddr: local.addr,
      localPort: local.port,
      remoteAddr: remote.addr,
      remotePort: remote.port,
      inode,
    });
  }
  return out;
}

export async function readSnapshot(o: ProcOptions, hasher: ExeHasher): Promise<Snapshot> {
  const users = await readPasswd(o.passwdFile);
  const owners = new Map<number, number>();
  const processes = new Map<string, ProcessInfo>();
  const pids = (await readdir(o.procRoot)).filter((n) => /^[1-9]\d*$/.test(n)).map(Number);
  for (const pid of pids.sort((a, b) => a - b)) {
    const p = await readProcess(o.procRoot, pid, users, hasher, owners);
    if (p) processes.set(processKey(p), p);
  }
  const sockets: SocketInfo[] = [];
  for (const proto of ['tcp', 'tcp6', 'udp', 'udp6'] as const) {
    const text = await readFile(join(o.procRoot, 'net', proto), 'utf8').catch(() => '');
    sockets.push(...parseNetTable(proto, text));
  }
  return { processes, sockets, owners };
}
