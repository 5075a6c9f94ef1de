/**
 * `koban advisory …` — advisories (注意喚起, alerts to members) from the console: `draft
 * --from-campaign ID --title T [--tlp GREEN --downgrade-reason R]`, `preview ID` (exactly what
 * recipients will see), `send ID --audience all|sector:S|prefecture:P|org:NAME|user:EMAIL|public …`,
 * `list [--inbox]`, `show ID`, `received ID --org NAME --user EMAIL [--report ID]`, `update`,
 * `withdraw`, `deliveries ID`, `deliver`, `contacts --org NAME [--email A…] [--webhook URL]`.
 * Commands act as the operator (the system actor) unless `--as EMAIL` names a user. E-mail and
 * webhooks go out as the `advisories` section of `koban.json` says (SMTP server; KOBAN_SMTP_*
 * override it); without an SMTP server e-mail stays queued, and `show`, `deliveries` and `deliver`
 * say so. `koban member-alert …`, the former name, still works for one release and says so on
 * standard error.
 */
import type { Command } from 'commander';
import { registerAuthoring } from './authoring.js';
import { registerDelivery } from './delivery.js';
import { registerReading } from './reading.js';

/** The former name of `koban advisory`, kept answering (with a notice) for one release. */
export const FORMER_ADVISORY_COMMAND = 'member-alert';

export const ADVISORY_DEPRECATION_NOTICE = `koban: "${FORMER_ADVISORY_COMMAND}" is deprecated and will be removed; use "koban advisory"\n`;

function registerSubcommands(adv: Command): void {
  registerAuthoring(adv);
  registerReading(adv);
  registerDelivery(adv);
}

export function registerAdvisory(program: Command): void {
  registerSubcommands(
    program
      .command('advisory')
      .description('advisories to members (注意喚起): draft, preview, send, answers'),
  );
}

/**
 * `koban member-alert …`: the same subcommands under the former name, hidden from `koban --help`;
 * every use writes one line to standard error (standard output stays the command's own).
 */
export function registerFormerAdvisory(program: Command): void {
  const former = program
    .command(FORMER_ADVISORY_COMMAND, { hidden: true })
    .description('deprecated: the former name of `koban advisory`')
    .hook('preSubcommand', () => {
      process.stderr.write(ADVISORY_DEPRECATION_NOTICE);
    });
  registerSubcommands(former);
}
