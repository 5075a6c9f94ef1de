/**
 * Helpers for tests that run the built `koban` command as separate processes (the center, the
 * agent), so they can be killed with SIGKILL like real processes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './samples.js';

export const KOBAN_BIN = join(PROJECT_ROOT, 'dist', 'cli', 'main.js');
/** The CLI tests need `npm run build` first (`npm test` does it). */
export const HAVE_BUILD = existsSync(KOBAN_BIN);

export interface Proc {
  readonly child: ChildProcess;
  /** Standard output and error as they interleaved. */
  output(): string;
  /** Standard output alone (a `--json` document). */
  stdout(): string;
  exited: Promise<number | null>;
}

/** `stdin: 'pipe'` leaves the child's standard input open (a quiet pipe) for the test to hold. */
export function koban(
  args: string[],
  env: Record<string, string> = {},
  options: { stdin?: 'ignore' | 'pipe' } = {},
): Proc {
  const child = spawn(process.execPath, [KOBAN_BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, stdout: () => stdout, exited };
}

/** Runs the CLI to completion and returns its exit code and output. */
export async function runKoban(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string; stdout: string }> {
  const p = koban(args, env);
  const code = await p.exited;
  return { code, out: p.output(), stdout: p.stdout() };
}

// Waits poll without a deadline of their own (test/wait.ts); kept here for the CLI tests' imports.
export { waitFor } from './wait.js';
