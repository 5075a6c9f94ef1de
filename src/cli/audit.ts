/**
 * `koban audit verify [--checkpoint FILE] [--expect-head HASH] [--json]` — recomputes the keyed
 * hash chains of the audit log and the evidence custody records and checks them against the signed
 * checkpoints of their heads (default: the data directory's `audit-checkpoints.jsonl`; ship copies
 * elsewhere and name one with `--checkpoint`). Exit 0 and "chain intact (N rows …)", or exit 1
 * naming the first broken row, a checkpoint the chain no longer reaches, or a bad signature.
 * `koban audit checkpoint` signs the current heads into the checkpoint file on demand.
 */
import type { Command } from 'commander';
import { type DataFlags, withIntel } from './_intel.js';
import { dbOption } from './_options.js';
import { printJson } from './_output.js';

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the hash-chained audit log');
  audit
    .command('verify')
    .description('verify the audit and custody hash chains against the signed checkpoints')
    .option('--checkpoint <file>', 'checkpoint file to check against (default: the data directory’s)')
    .option('--expect-head <hash>', 'an audit head hash recorded earlier (detects rows removed from the end)')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print one JSON document')
    .action(async (flags: DataFlags & { expectHead?: string; checkpoint?: string }) => {
      const v = await withIntel(flags, (intel) =>
        intel.verifyAudit({ expectHead: flags.expectHead, checkpointFile: flags.checkpoint }),
      );
      if (flags.json) {
        printJson({
          ok: v.ok,
          message: v.message,
          audit: { rows: v.audit.rows, seq: v.audit.seq, head: v.audit.head, broken: v.audit.broken },
          custody: {
            rows: v.custody.rows,
            seq: v.custody.seq,
            head: v.custody.head,
            broken: v.custody.broken,
          },
          checkpoints: v.checkpoints,
        });
      } else if (v.ok) process.stdout.write(`${v.message}\n`);
      else process.stderr.write(`koban: audit chain broken: ${v.message}\n`);
      if (!v.ok) process.exitCode = 1;
    });
  audit
    .command('checkpoint')
    .description('sign the current audit and custody heads into the checkpoint file (after checking them)')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print the checkpoint as JSON')
    .action(async (flags: DataFlags) => {
      const { c, file } = await withIntel(flags, async (intel) => ({
        c: (await intel.checkpointAudit({ force: true }))!,
        file: intel.checkpointFile,
      }));
      if (flags.json) printJson({ file, checkpoint: c });
      else
        process.stdout.write(
          `checkpoint appended to ${file}: audit row ${c.seq} (${c.head}), custody row ${c.custodySeq}, ` +
            `at ${c.at}, key ${c.keyId}\n`,
        );
    });
}
