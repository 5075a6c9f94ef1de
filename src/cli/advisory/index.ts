/**
 * `koban advisory …` — alerts to members (注意喚起) from the console: `draft --from-campaign ID
 * --title T [--tlp GREEN --downgrade-reason R]`, `preview ID` (exactly what recipients will see),
 * `send ID --audience all|sector:S|prefecture:P|org:NAME|user:EMAIL|public …`, `list [--inbox]`,
 * `show ID`, `received ID --org NAME --user EMAIL [--report ID]`, `update`, `withdraw`,
 * `deliveries ID`, `deliver`, `contacts --org NAME [--email A…] [--webhook URL]`. Commands act as
 * the operator (the system actor) unless `--as EMAIL` names a user. E-mail and webhooks go out as
 * the `advisories` section of `koban.json` says (SMTP server; KOBAN_SMTP_* override it); without
 * an SMTP server e-mail stays queued, and `show`, `deliveries` and `deliver` say so.
 */
import type { Command } from 'commander';
import { registerAuthoring } from './authoring.js';
import { registerDelivery } from './delivery.js';
import { registerReading } from './reading.js';

export function registerAdvisory(program: Command): void {
  const adv = program
    .command('advisory')
    .description('alerts to members (注意喚起): draft, preview, send, answers');
  registerAuthoring(adv);
  registerReading(adv);
  registerDelivery(adv);
}
