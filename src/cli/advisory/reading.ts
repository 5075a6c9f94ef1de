/**
 * Reading and answering advisories: `list` (or `--inbox`), `show` (the center also sees counts and
 * the delivery log), `received` — a member's "we received this too".
 */
import type { Command } from 'commander';
import { escapeForDisplay as esc } from '../../mail/index.js';
import { type DataFlags, iso, withIntel } from '../_intel.js';
import { printJson, table } from '../_output.js';
import { type AsFlags, actorOf, asUser, parseId, userAs, withData } from './common.js';
import { renderView } from './render.js';

/** The subcommands that read and answer advisories. */
export function registerReading(adv: Command): void {
  registerList(adv);
  registerShow(adv);
  registerReceived(adv);
}

function registerList(adv: Command): void {
  asUser(
    adv
      .command('list')
      .description('advisories you may read (--inbox: those addressed to you)')
      .option('--inbox', 'your inbox'),
  ).action(async (flags: AsFlags & { inbox?: boolean }) => {
    const list = await withIntel(flags, async (intel) => {
      const actor = await actorOf(intel, flags);
      return flags.inbox ? intel.advisories.inbox(actor) : intel.advisories.list(actor);
    });
    if (flags.json) printJson({ alerts: list });
    else if (list.length === 0) process.stdout.write('no alerts\n');
    else
      process.stdout.write(
        `${table(
          ['id', 'status', 'version', 'tlp', 'sent', 'title'],
          list.map((a) => [a.id, a.status, a.version, a.tlp, iso(a.sentMs), esc(a.title)]),
        )}\n`,
      );
  });
}

function registerShow(adv: Command): void {
  asUser(
    adv
      .command('show')
      .description('one advisory as you see it (the center also sees counts)')
      .argument('<id>', 'advisory id'),
  ).action(async (id: string, flags: AsFlags) => {
    const { view, deliveries } = await withIntel(flags, async (intel) => {
      const actor = await actorOf(intel, flags);
      const v = await intel.advisories.get(actor, parseId(id));
      // The delivery log is the center's (`analysis` is there for center staff only).
      return { view: v, deliveries: v.analysis ? await intel.advisories.deliveries(actor, v.id) : null };
    });
    if (flags.json) printJson(deliveries ? { ...view, deliveries } : view);
    else process.stdout.write(renderView(view, deliveries));
  });
}

function registerReceived(adv: Command): void {
  withData(
    adv
      .command('received')
      .description('answer "we received this too" as a member user')
      .argument('<id>', 'advisory id')
      .requiredOption('--org <name>', 'the answering organisation')
      .requiredOption('--user <email>', 'the answering user (a member of --org)')
      .option('--report <id>', 'your organisation’s own report of it (joins the campaign)')
      .option('--note <text>', 'a note for the center'),
  ).action(
    async (id: string, flags: DataFlags & { org: string; user: string; report?: string; note?: string }) => {
      const r = await withIntel(flags, async (intel) =>
        intel.advisories.receivedToo(await userAs(intel, flags.user, flags.org), parseId(id), {
          reportId: flags.report === undefined ? undefined : parseId(flags.report, 'report'),
          note: flags.note,
        }),
      );
      if (flags.json) printJson(r);
      else {
        const c = r.campaign;
        const link =
          c === null
            ? ''
            : c.joined
              ? `; report ${r.reportId} is in campaign ${c.id}`
              : `; report ${r.reportId} stays in campaign ${c.bridgedFrom} (bridge to ${c.id} recorded)`;
        process.stdout.write(
          `${flags.org} received alert ${r.alertId} too (${r.created ? 'recorded' : 'already answered'})${link}\n`,
        );
      }
    },
  );
}
