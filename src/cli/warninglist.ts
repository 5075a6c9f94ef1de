/**
 * `koban warninglist add KIND VALUE --reason R`, `koban warninglist list`, `koban warninglist
 * remove ID` — configured warning-list entries (the built-in lists need no configuration).
 * A listed value never links reports and is never exported as malicious.
 */
import type { Command } from 'commander';
import { KobanError } from '../core/index.js';
import type { NewWarningEntry } from '../intel/index.js';
import { type DataFlags, iso, operator, withIntel } from './_intel.js';
import { dbOption } from './_options.js';
import { printJson, table } from './_output.js';

const KINDS = ['domain', 'cidr', 'url-prefix', 'exact'];

export function registerWarningList(program: Command): void {
  const wl = program
    .command('warninglist')
    .description('values that must never correlate (configured entries)');
  wl.command('add')
    .description('add an entry; stored indicators it matches are re-flagged')
    .argument('<kind>', KINDS.join(', '))
    .argument('<value>', 'the domain (and its subdomains), CIDR block, URL prefix or exact value')
    .requiredOption('--reason <text>', 'why it is innocent')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print one JSON document')
    .action(async (kind: string, value: string, flags: DataFlags & { reason: string }) => {
      if (!KINDS.includes(kind))
        throw new KobanError('E_USAGE', `kind must be one of ${KINDS.join(', ')}, not "${kind}"`);
      const r = await withIntel(
        flags,
        (intel) =>
          intel.warningEntries.add(operator(), {
            kind: kind as NewWarningEntry['kind'],
            value,
            reason: flags.reason,
          }),
        { create: true },
      );
      if (flags.json)
        printJson({
          id: r.entry.id,
          kind: r.entry.kind,
          value: r.entry.value,
          reason: r.entry.reason,
          reflagged: r.reflagged,
        });
      else
        process.stdout.write(
          `warning-list entry ${r.entry.id}: ${r.entry.kind} ${r.entry.value} (${r.reflagged} stored indicator(s) re-flagged)\n`,
        );
    });
  wl.command('remove')
    .description('remove an entry; the indicators it covered are re-evaluated')
    .argument('<id>', 'entry id')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .action(async (id: string, flags: DataFlags) => {
      if (!/^\d+$/.test(id)) throw new KobanError('E_USAGE', `entry id must be a number, not "${id}"`);
      const n = await withIntel(flags, (intel) => intel.warningEntries.remove(operator(), Number(id)));
      process.stdout.write(`warning-list entry ${id} removed (${n} stored indicator(s) re-evaluated)\n`);
    });
  wl.command('list')
    .description('list the configured entries')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print one JSON document')
    .action(async (flags: DataFlags) => {
      const list = await withIntel(flags, (intel) => intel.warningEntries.list());
      if (flags.json) printJson({ entries: list.map((e) => ({ ...e, created: iso(e.createdMs) })) });
      else if (list.length === 0)
        process.stdout.write('no configured entries (the built-in lists always apply)\n');
      else
        process.stdout.write(
          `${table(
            ['id', 'kind', 'value', 'reason'],
            list.map((e) => [e.id, e.kind, e.value, e.reason]),
          )}\n`,
        );
    });
}
