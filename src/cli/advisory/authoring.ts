/**
 * Writing advisories: `draft` (from a report or a campaign, or from scratch), `preview` (exactly what recipients
 * will see), `send` to an audience, `update` (a new version), `withdraw`. A change is delivered at
 * once (inbox, e-mail, webhooks) as far as the configuration allows.
 */
import type { Command } from 'commander';
import { KobanError } from '../../core/index.js';
import { parseTlp } from '../../intel/index.js';
import { withIntel } from '../_intel.js';
import { printJson } from '../_output.js';
import { type AsFlags, actorOf, asUser, deliver, parseAudience, parseId, waitingNote } from './common.js';
import { renderPreview } from './render.js';

/** The subcommands that write advisories. */
export function registerAuthoring(adv: Command): void {
  registerDraft(adv);
  registerPreview(adv);
  registerSend(adv);
  registerUpdate(adv);
  registerWithdraw(adv);
}

function registerDraft(adv: Command): void {
  asUser(
    adv
      .command('draft')
      .description('draft an advisory from a report or a campaign, or from scratch; prints its preview')
      .option('--from-report <id>', 'the report to quote')
      .option('--from-campaign <id>', 'the campaign whose reports to quote')
      .option('--from-scratch', 'quote no report (an outside source, say): --tlp is then required')
      .requiredOption('--title <title>', 'the title')
      .option('--body-ja <text>', 'the body in Japanese')
      .option('--body-en <text>', 'the body in English')
      .option(
        '--tlp <label>',
        'CLEAR, GREEN, AMBER, AMBER+STRICT or RED (default: the sources’ most restrictive)',
      )
      .option('--downgrade-reason <text>', 'why the label may be below the sources’ (recorded)')
      .option('--indicator <value...>', 'share only these values of the sources'),
  ).action(
    async (
      flags: AsFlags & {
        fromReport?: string;
        fromCampaign?: string;
        fromScratch?: boolean;
        title: string;
        bodyJa?: string;
        bodyEn?: string;
        tlp?: string;
        downgradeReason?: string;
        indicator?: string[];
      },
    ) => {
      const given = [flags.fromReport, flags.fromCampaign, flags.fromScratch].filter((f) => f !== undefined);
      if (given.length !== 1)
        throw new KobanError('E_USAGE', 'give one of --from-report ID, --from-campaign ID or --from-scratch');
      const source = flags.fromScratch
        ? { type: 'none' as const }
        : flags.fromReport
          ? { type: 'report' as const, id: parseId(flags.fromReport, 'report') }
          : { type: 'campaign' as const, id: parseId(flags.fromCampaign!, 'campaign') };
      const p = await withIntel(flags, async (intel) =>
        intel.advisories.draft(await actorOf(intel, flags), {
          source,
          title: flags.title,
          bodyJa: flags.bodyJa,
          bodyEn: flags.bodyEn,
          tlp: flags.tlp === undefined ? undefined : parseTlp(flags.tlp),
          downgradeReason: flags.downgradeReason,
          indicators: flags.indicator?.map((value) => ({ value })),
        }),
      );
      if (flags.json) printJson(p);
      else process.stdout.write(renderPreview(p));
    },
  );
}

function registerPreview(adv: Command): void {
  asUser(
    adv.command('preview').description('exactly what recipients will see').argument('<id>', 'advisory id'),
  ).action(async (id: string, flags: AsFlags) => {
    const p = await withIntel(flags, async (intel) =>
      intel.advisories.preview(await actorOf(intel, flags), parseId(id)),
    );
    if (flags.json) printJson(p);
    else process.stdout.write(renderPreview(p));
  });
}

function registerSend(adv: Command): void {
  asUser(
    adv
      .command('send')
      .description('send a draft to an audience (the parts add up) and deliver it')
      .argument('<id>', 'advisory id')
      .requiredOption('--audience <spec...>', 'all, public, sector:S, prefecture:P, org:NAME, user:EMAIL'),
  ).action(async (id: string, flags: AsFlags & { audience: string[] }) => {
    const out = await withIntel(flags, async (intel) => {
      const actor = await actorOf(intel, flags);
      const sent = await intel.advisories.send(actor, parseId(id), {
        audience: await parseAudience(intel, flags.audience),
      });
      return { ...sent, delivery: await deliver(intel, actor) };
    });
    if (flags.json) printJson(out);
    else {
      const d = out.deliveries;
      process.stdout.write(
        `alert ${out.alertId} sent to ${out.recipients.orgIds.length} organisation(s) and ${out.recipients.userIds.length} user(s): ` +
          `${d.inbox} inbox, ${d.email} e-mail, ${d.webhook} webhook; delivered now ${out.delivery.delivered}, ` +
          `retrying ${out.delivery.retrying}, failed ${out.delivery.failed}${waitingNote(out.delivery)}\n`,
      );
    }
  });
}

function registerUpdate(adv: Command): void {
  asUser(
    adv
      .command('update')
      .description('send a new version of a sent advisory')
      .argument('<id>', 'advisory id')
      .requiredOption('--reason <text>', 'why (recorded)')
      .option('--title <title>', 'a new title')
      .option('--body-ja <text>', 'a new Japanese body')
      .option('--body-en <text>', 'a new English body')
      .option('--tlp <label>', 'a new label')
      .option('--audience <spec...>', 'recipients to add'),
  ).action(
    async (
      id: string,
      flags: AsFlags & {
        reason: string;
        title?: string;
        bodyJa?: string;
        bodyEn?: string;
        tlp?: string;
        audience?: string[];
      },
    ) => {
      const out = await withIntel(flags, async (intel) => {
        const actor = await actorOf(intel, flags);
        const sent = await intel.advisories.update(actor, parseId(id), {
          reason: flags.reason,
          title: flags.title,
          bodyJa: flags.bodyJa,
          bodyEn: flags.bodyEn,
          tlp: flags.tlp === undefined ? undefined : parseTlp(flags.tlp),
          audience: flags.audience ? await parseAudience(intel, flags.audience) : undefined,
        });
        return { ...sent, delivery: await deliver(intel, actor) };
      });
      if (flags.json) printJson(out);
      else process.stdout.write(`alert ${out.alertId} updated to version ${out.version}\n`);
    },
  );
}

function registerWithdraw(adv: Command): void {
  asUser(
    adv
      .command('withdraw')
      .description('withdraw a sent advisory')
      .argument('<id>', 'advisory id')
      .requiredOption('--reason <text>', 'why (recorded, told to recipients)'),
  ).action(async (id: string, flags: AsFlags & { reason: string }) => {
    const s = await withIntel(flags, async (intel) => {
      const actor = await actorOf(intel, flags);
      const w = await intel.advisories.withdraw(actor, parseId(id), { reason: flags.reason });
      await deliver(intel, actor);
      return w;
    });
    if (flags.json) printJson(s);
    else process.stdout.write(`alert ${s.id} withdrawn\n`);
  });
}
