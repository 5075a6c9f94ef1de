/**
 * Delivery: `deliveries ID` (the log of one advisory), `deliver` (attempt the due deliveries now),
 * `contacts` (an organisation's e-mail addresses and webhook).
 */
import type { Command } from 'commander';
import { escapeForDisplay as esc } from '../../mail/index.js';
import { iso, withIntel } from '../_intel.js';
import { printJson, table } from '../_output.js';
import { type AsFlags, actorOf, asUser, deliver, parseId, runLine } from './common.js';

/** The subcommands about delivery and contacts. */
export function registerDelivery(adv: Command): void {
  registerDeliveries(adv);
  registerDeliver(adv);
  registerContacts(adv);
}

function registerDeliveries(adv: Command): void {
  asUser(
    adv
      .command('deliveries')
      .description('the delivery log of one advisory')
      .argument('<id>', 'advisory id')
      .option('--failed', 'failed ones only'),
  ).action(async (id: string, flags: AsFlags & { failed?: boolean }) => {
    const log = await withIntel(flags, async (intel) =>
      intel.advisories.deliveries(
        await actorOf(intel, flags),
        parseId(id),
        flags.failed ? { status: 'failed' } : {},
      ),
    );
    if (flags.json) printJson({ deliveries: log });
    else
      process.stdout.write(
        `${table(
          ['id', 'v', 'event', 'channel', 'target', 'status', 'attempts', 'next', 'error', 'waiting for'],
          log.map((d) => [
            d.id,
            d.version,
            d.event,
            d.channel,
            esc(d.target),
            d.status,
            d.attempts,
            iso(d.nextAttemptMs),
            d.lastError === null ? null : esc(d.lastError),
            d.waitingFor === null ? null : esc(d.waitingFor),
          ]),
        )}\n`,
      );
  });
}

function registerDeliver(adv: Command): void {
  asUser(adv.command('deliver').description('attempt the due deliveries now (retries included)')).action(
    async (flags: AsFlags) => {
      const r = await withIntel(flags, async (intel) => deliver(intel, await actorOf(intel, flags)));
      if (flags.json) printJson(r);
      else process.stdout.write(runLine(r));
    },
  );
}

function registerContacts(adv: Command): void {
  asUser(
    adv
      .command('contacts')
      .description(
        'set an organisation’s advisory e-mail addresses and/or add a webhook (its secret is printed once)',
      )
      .requiredOption('--org <name>', 'the organisation')
      .option('--email <address...>', 'contact addresses (replace the current ones)')
      .option('--webhook <url>', 'an https URL to POST signed advisories to'),
  ).action(async (flags: AsFlags & { org: string; email?: string[]; webhook?: string }) => {
    const out = await withIntel(flags, async (intel) => {
      const actor = await actorOf(intel, flags);
      const orgId = (await intel.orgs.requireByName(flags.org)).id;
      // One call: both parts are checked before either is written (a bad webhook changes nothing).
      const r = await intel.advisories.endpoints.setContacts(actor, {
        orgId,
        ...(flags.email ? { addresses: flags.email } : {}),
        ...(flags.webhook !== undefined ? { webhook: flags.webhook } : {}),
      });
      return { endpoints: r.endpoints, webhookSecret: r.webhook?.secret ?? null };
    });
    if (flags.json) printJson(out);
    else {
      for (const e of out.endpoints)
        process.stdout.write(`${e.id}  ${e.channel.padEnd(7)} ${esc(e.target)}\n`);
      if (out.webhookSecret) process.stdout.write(`webhook secret (shown once): ${out.webhookSecret}\n`);
    }
  });
}
