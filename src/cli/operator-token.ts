/** `koban operator-token` — a new operator API token (the old one stops working). */
import type { Command } from 'commander';
import { rotateOperatorToken } from '../center/index.js';
import { ensurePrivateDir, resolveDataDir } from '../core/index.js';
import { checkDbFlag, dbOption, type StoreFlags } from './_options.js';
import { printJson } from './_output.js';

export function registerOperatorToken(program: Command): void {
  program
    .command('operator-token')
    .description('create a new operator token for the center API (shown once; replaces the previous one)')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print { "token" }')
    .action((flags: StoreFlags & { json?: boolean }) => {
      checkDbFlag(flags);
      const dir = resolveDataDir(flags.data);
      ensurePrivateDir(dir);
      const token = rotateOperatorToken(dir);
      if (flags.json) printJson({ token });
      else
        process.stdout.write(`operator token (shown only now; the center keeps only its hash):\n${token}\n`);
    });
}
