/**
 * `koban org add NAME --kind KIND …`, `koban org list`, `koban org disable|enable NAME` —
 * organisations of the sharing network. Disabling stops every session and token of its users at
 * once (audited); the center itself cannot be disabled.
 */
import type { Command } from 'commander';
import { ORG_KINDS, type Organisation, type OrgKind } from '../intel/index.js';
import { type DataFlags, iso, operator, withIntel } from './_intel.js';
import { dbOption } from './_options.js';
import { printJson, table } from './_output.js';

interface AddFlags extends DataFlags {
  kind: string;
  sector?: string;
  prefecture?: string;
  domain?: string[];
}

export function orgJson(o: Organisation) {
  return {
    id: o.id,
    name: o.name,
    kind: o.kind,
    sector: o.sector,
    prefecture: o.prefecture,
    domains: o.domains,
    active: o.active,
    created: iso(o.createdMs),
  };
}

export function registerOrg(program: Command): void {
  const org = program
    .command('org')
    .description('organisations of the sharing network (center, members, partners)');
  org
    .command('add')
    .description('register an organisation')
    .argument('<name>', 'organisation name (unique)')
    .requiredOption('--kind <kind>', `one of: ${ORG_KINDS.join(', ')}`)
    .option('--sector <sector>', 'sector key, e.g. manufacturing, gas, railway, local-government')
    .option('--prefecture <prefecture>', 'prefecture: JIS code (01–47), English or Japanese name')
    .option('--domain <domain...>', "the organisation's own mail domains (private in its reports)")
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print the organisation as JSON')
    .action(async (name: string, flags: AddFlags) => {
      const o = await withIntel(
        flags,
        (intel) =>
          intel.orgs.add(operator(), {
            name,
            kind: flags.kind as OrgKind,
            sector: flags.sector,
            prefecture: flags.prefecture,
            domains: flags.domain ?? [],
          }),
        { create: true },
      );
      if (flags.json) printJson(orgJson(o));
      else {
        const where = [o.kind, o.sector, o.prefecture].filter((s) => s !== null).join(', ');
        process.stdout.write(`organisation ${o.id} "${o.name}" added (${where})\n`);
      }
    });
  org
    .command('list')
    .description('list organisations')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print one JSON document')
    .action(async (flags: DataFlags) => {
      const list = await withIntel(flags, (intel) => intel.orgs.list(operator()));
      if (flags.json) printJson({ organisations: list.map(orgJson) });
      else if (list.length === 0) process.stdout.write('no organisations\n');
      else {
        process.stdout.write(
          `${table(
            ['id', 'name', 'kind', 'sector', 'prefecture', 'domains'],
            list.map((o) => [o.id, o.name, o.kind, o.sector, o.prefecture, o.domains.join(' ') || null]),
          )}\n`,
        );
      }
    });
  for (const verb of ['disable', 'enable'] as const) {
    org
      .command(verb)
      .description(
        verb === 'disable'
          ? "disable an organisation: its users' sessions and tokens stop at once (audited)"
          : 'enable a disabled organisation again (audited)',
      )
      .argument('<name>', 'organisation name')
      .option('--data <dir>', 'data directory')
      .addOption(dbOption())
      .option('--json', 'print the organisation as JSON')
      .action(async (name: string, flags: DataFlags) => {
        const o = await withIntel(flags, async (intel) => {
          const id = (await intel.orgs.requireByName(name)).id;
          return verb === 'disable' ? intel.orgs.disable(operator(), id) : intel.orgs.enable(operator(), id);
        });
        if (flags.json) printJson(orgJson(o));
        else process.stdout.write(`organisation ${o.id} "${o.name}" ${verb}d\n`);
      });
  }
}
