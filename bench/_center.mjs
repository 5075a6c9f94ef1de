// Helpers the center benchmarks share (ingest.mjs, live-detect.mjs): a free local port, running
// the built CLI as a child process, and waiting for a center to answer.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const bin = join(root, 'dist', 'cli', 'main.js');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });

/** `koban ARGS…` as a child process (warnings only on its log, output ignored). */
export const koban = (args, env = {}) =>
  spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, KOBAN_LOG: 'warn', ...env },
    stdio: 'ignore',
  });

/** Resolves once the center on `port` answers /healthz. */
export async function waitUp(port) {
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return;
    } catch {}
    await sleep(100);
  }
}
