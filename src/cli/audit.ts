/**
 * `koban audit verify [--expect-head HASH] [--json]` — recomputes the hash chains of the audit log
 * and the evidence custody records. Exit 0 and "chain intact (N rows …)", or exit 1 naming the
 * first broken row. Keep the printed head somewhere else (a ticket, a daily mail): `--expect-head`
 * then also proves that no rows were cut off the end.
 */
import type { Command } from 'commander';
import { type DataFlags, withIntel } from './_intel.js';
import { printJson } from './_output.js';

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the hash-chained audit log');
  audit
    .command('verify')
    .description('verify the audit and custody hash chains')
    .option('--expect-head <hash>', 'the head hash recorded earlier (detects rows removed from the end)')
    .option('--data <dir>', 'data directory')
    .option('--json', 'print one JSON document')
    .action(async (flags: DataFlags & { expectHead?: string }) => {
      const v = await withIntel(flags, (intel) => intel.verifyAudit({ expectHead: flags.expectHead }));
      if (flags.json) {
        printJson({
          ok: v.ok,
          message: v.message,
          audit: { rows: v.audit.rows, head: v.audit.head, broken: v.audit.broken },
          custody: { rows: v.custody.rows, head: v.custody.head, broken: v.custody.broken },
        });
      } else if (v.ok) process.stdout.write(`${v.message}\n`);
      else process.stderr.write(`koban: audit chain broken: ${v.message}\n`);
      if (!v.ok) process.exitCode = 1;
    });
}
