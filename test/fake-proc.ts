/**
 * A procfs tree written from proc(5) for the recorder's tests: processes (stat, status, cmdline,
 * an `exe` link to a stand-in executable, `fd` links to socket inodes) and IPv4 `net/tcp` rows as a
 * little-endian kernel prints them, changed between polls to script a scenario. Tests only.
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';

export interface FakeProcess {
  readonly pid: number;
  readonly ppid: number;
  readonly uid: number;
  readonly exe: string;
  readonly cmdline: readonly string[];
  readonly startTicks: number;
  readonly inodes: readonly number[];
}

export interface FakeSocket {
  readonly local: string;
  readonly remote: string;
  /** TCP state, hex as the kernel prints it: 01 established, 0A listen. */
  readonly st: string;
  readonly inode: number;
}

const hexAddr = (hostPort: string) => {
  const [host, port] = hostPort.split(':') as [string, string];
  const bytes = Buffer.from(host.split('.').map(Number));
  if (endianness() === 'LE') bytes.reverse();
  return `${bytes.toString('hex').toUpperCase()}:${Number(port).toString(16).toUpperCase().padStart(4, '0')}`;
};

export function writeFakeProc(
  root: string,
  processes: readonly FakeProcess[],
  sockets: readonly FakeSocket[],
): void {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'net'), { recursive: true });
  mkdirSync(join(root, 'bin'), { recursive: true });
  writeFileSync(
    join(root, 'passwd'),
    'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n',
  );
  for (const p of processes) {
    const dir = join(root, String(p.pid));
    mkdirSync(join(dir, 'fd'), { recursive: true });
    const name = p.exe.split('/').at(-1)!;
    writeFileSync(join(root, 'bin', name), `stand-in for ${p.exe}\n`);
    symlinkSync(`../bin/${name}`, join(dir, 'exe'));
    writeFileSync(
      join(dir, 'stat'),
      `${p.pid} (${name}) S ${p.ppid} ${p.pid} ${p.pid} 0 -1 4194560 100 0 0 0 1 0 0 0 20 0 1 0 ${p.startTicks} 1000000 200\n`,
    );
    writeFileSync(join(dir, 'status'), `Name:\t${name}\nUid:\t${p.uid}\t${p.uid}\t${p.uid}\t${p.uid}\n`);
    writeFileSync(join(dir, 'cmdline'), `${p.cmdline.join('\0')}\0`);
    for (const [i, inode] of p.inodes.entries())
      symlinkSync(`socket:[${inode}]`, join(dir, 'fd', String(i + 3)));
  }
  const rows = sockets.map(
    (s, i) =>
      `   ${i}: ${hexAddr(s.local)} ${hexAddr(s.remote)} ${s.st} 00000000:00000000 00:00000000 00000000  1000        0 ${s.inode} 1 0000000000000000 20 4 30 10 -1`,
  );
  writeFileSync(
    join(root, 'net', 'tcp'),
    `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n${rows.join('\n')}\n`,
  );
  for (const f of ['tcp6', 'udp', 'udp6']) writeFileSync(join(root, 'net', f), 'header\n');
}
