/**
 * `koban declassify …` — publishing a member's report below its label (intel/declassify.ts):
 * `request REPORT_ID… --to LABEL --reason TEXT --as ANALYST`, then either `consent ID --as
 * ORG_ADMIN` (an admin of the reporting organisation) or `approve ID --as CENTER_ADMIN` (a second
 * center admin, never the requester), or `refuse ID --reason TEXT --as …`; `list [--status S]`. Each step is a person's, so every command names one with `--as EMAIL`; each is audited.
 */
import type { Command } from 'commander';
import { KobanError } from '../core/index.js';
import {
  DECLASSIFICATION_STATUSES,
  type Declassification,
  type DeclassificationStatus,
  escapeForDisplay as esc,
  parseTlp,
} from '../intel/index.js';
import { actingUser, type DataFlags, iso, withIntel } from './_intel.js';
import { dbOption } from './_options.js';
import { printJson, table } from './_output.js';

interface AsFlags extends DataFlags {
  as: string;
}

function parseId(s: string, what: string): number {
  if (!/^\d{1,15}$/.test(s)) throw new KobanError('E_USAGE', `${what} id must be a number, not "${s}"`);
  return Number(s);
}

export function declassificationJson(d: Declassification) {
  return {
    id: d.id,
    report: d.reportId,
    from: d.fromTlp,
    to: d.toTlp,
    reason: d.reason,
    requested_by: d.requestedBy,
    requested: iso(d.requestedMs),
    status: d.status,
    approval: d.approval,
    decided_by: d.decidedBy,
    decided: iso(d.decidedMs),
    note: d.note,
  };
}

function line(d: Declassification): string {
  const how =
    d.approval === 'consent' ? ' (reporting organisation consented)' : d.approval ? ' (second admin)' : '';
  return `declassification ${d.id}: report ${d.reportId} TLP:${d.fromTlp} → TLP:${d.toTlp}, ${d.status}${how}\n`;
}

function print(list: readonly Declassification[], json: boolean | undefined): void {
  if (json) printJson({ declassifications: list.map(declassificationJson) });
  else process.stdout.write(list.map(line).join(''));
}

export function registerDeclassify(program: Command): void {
  const dc = program
    .command('declassify')
    .description(
      "publish a member's report below its label: request, then consent or a second admin's approval",
    );
  const person = (c: Command) =>
    c
      .requiredOption('--as <email>', 'the person acting (an analyst, a center admin or an org admin)')
      .option('--data <dir>', 'data directory')
      .addOption(dbOption())
      .option('--json', 'print one JSON document');

  person(
    dc
      .command('request')
      .description('ask to publish reports below their labels (one request per report)')
      .argument('<report...>', 'report ids')
      .requiredOption('--to <label>', 'the label they may then be published under')
      .requiredOption('--reason <text>', 'why (recorded)'),
  ).action(async (reports: string[], flags: AsFlags & { to: string; reason: string }) => {
    const list = await withIntel(flags, async (intel) =>
      intel.declassifications.request(await actingUser(intel, flags.as), {
        reportIds: reports.map((r) => parseId(r, 'report')),
        tlp: parseTlp(flags.to),
        reason: flags.reason,
      }),
    );
    print(list, flags.json);
  });

  for (const verb of ['consent', 'approve'] as const) {
    person(
      dc
        .command(verb)
        .description(
          verb === 'consent'
            ? 'consent as an admin of the reporting organisation'
            : 'approve as a second center admin (not the requester)',
        )
        .argument('<id>', 'declassification id')
        .option('--note <text>', 'a note (recorded)'),
    ).action(async (id: string, flags: AsFlags & { note?: string }) => {
      const d = await withIntel(flags, async (intel) => {
        const actor = await actingUser(intel, flags.as);
        const input = flags.note === undefined ? {} : { note: flags.note };
        return verb === 'consent'
          ? intel.declassifications.consent(actor, parseId(id, 'declassification'), input)
          : intel.declassifications.approve(actor, parseId(id, 'declassification'), input);
      });
      print([d], flags.json);
    });
  }

  person(
    dc
      .command('refuse')
      .description('refuse a pending request (the reporting organisation’s admin or a second center admin)')
      .argument('<id>', 'declassification id')
      .requiredOption('--reason <text>', 'why (recorded)'),
  ).action(async (id: string, flags: AsFlags & { reason: string }) => {
    const d = await withIntel(flags, async (intel) =>
      intel.declassifications.refuse(await actingUser(intel, flags.as), parseId(id, 'declassification'), {
        reason: flags.reason,
      }),
    );
    print([d], flags.json);
  });

  person(
    dc
      .command('list')
      .description('requests, newest first (the center: all; an org admin: its organisation’s)')
      .option('--status <status>', DECLASSIFICATION_STATUSES.join(', ')),
  ).action(async (flags: AsFlags & { status?: string }) => {
    if (
      flags.status !== undefined &&
      !(DECLASSIFICATION_STATUSES as readonly string[]).includes(flags.status)
    )
      throw new KobanError('E_USAGE', `--status must be one of ${DECLASSIFICATION_STATUSES.join(', ')}`);
    const list = await withIntel(flags, async (intel) =>
      intel.declassifications.list(await actingUser(intel, flags.as), {
        status: flags.status as DeclassificationStatus | undefined,
      }),
    );
    if (flags.json) print(list, true);
    else if (list.length === 0) process.stdout.write('no declassification requests\n');
    else
      process.stdout.write(
        `${table(
          ['id', 'report', 'from', 'to', 'status', 'approval', 'reason'],
          list.map((d) => [d.id, d.reportId, d.fromTlp, d.toTlp, d.status, d.approval, esc(d.reason)]),
        )}\n`,
      );
  });
}
