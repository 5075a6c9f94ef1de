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
import { KobanError } from '../core/index.js';
import {
  type Actor,
  type AlertAudienceInput,
  type AlertPreview,
  type AlertView,
  type DeliveryRecord,
  type DeliveryRun,
  escapeForDisplay as esc,
  type IntelService,
  NO_SMTP_CONFIGURED,
  parseTlp,
  userActor,
} from '../intel/index.js';
import { type DataFlags, iso, operator, withIntel } from './_intel.js';
import { dbOption } from './_options.js';
import { printJson, table } from './_output.js';

interface AsFlags extends DataFlags {
  as?: string;
}

/** The user as an actor, checked to belong to the organisation when one is named. */
async function userAs(intel: IntelService, email: string, orgName?: string): Promise<Actor> {
  const u = await intel.users.requireByEmail(email);
  if (orgName !== undefined && u.orgId !== (await intel.orgs.requireByName(orgName)).id)
    throw new KobanError('E_USAGE', `${email} is not a member of "${orgName}"`);
  if (u.disabledMs !== null) throw new KobanError('E_AUTH', `${email} is disabled`);
  return userActor({ userId: u.id, orgId: u.orgId, role: u.role }, undefined, 'cli');
}

const actorOf = (intel: IntelService, flags: AsFlags) =>
  flags.as ? userAs(intel, flags.as) : Promise.resolve(operator());

function parseId(s: string, what = 'alert'): number {
  if (!/^\d+$/.test(s)) throw new KobanError('E_USAGE', `${what} id must be a number, not "${s}"`);
  return Number(s);
}

/** `all`, `public`, `sector:S`, `prefecture:P`, `org:NAME`, `user:EMAIL` → the audience input. */
async function parseAudience(intel: IntelService, specs: readonly string[]): Promise<AlertAudienceInput> {
  const a = {
    public: false,
    allMembers: false,
    sectors: [] as string[],
    prefectures: [] as string[],
    orgIds: [] as number[],
    userIds: [] as number[],
  };
  for (const spec of specs) {
    const i = spec.indexOf(':');
    const kind = i < 0 ? spec : spec.slice(0, i);
    const value = i < 0 ? '' : spec.slice(i + 1).trim();
    if (kind === 'all' && value === '') a.allMembers = true;
    else if (kind === 'public' && value === '') a.public = true;
    else if (kind === 'sector' && value) a.sectors.push(value);
    else if (kind === 'prefecture' && value) a.prefectures.push(value);
    else if (kind === 'org' && value) a.orgIds.push((await intel.orgs.requireByName(value)).id);
    else if (kind === 'user' && value) a.userIds.push((await intel.users.requireByEmail(value)).id);
    else
      throw new KobanError(
        'E_USAGE',
        `audience "${spec}": use all, public, sector:S, prefecture:P, org:NAME or user:EMAIL`,
      );
  }
  return a;
}

/** Attempts the due deliveries with the configured SMTP server and webhook settings. */
function deliver(intel: IntelService, actor: Actor): Promise<DeliveryRun> {
  return intel.memberAlerts.deliverDue(actor);
}

/** Why e-mail stayed queued, when it did (the queue keeps it until an SMTP server is configured). */
function waitingNote(r: DeliveryRun): string {
  return r.waitingForSmtp > 0 ? `; ${r.waitingForSmtp} e-mail(s) wait: ${NO_SMTP_CONFIGURED}` : '';
}

function runLine(r: DeliveryRun): string {
  return `attempted ${r.attempted}: delivered ${r.delivered}, retrying ${r.retrying}, failed ${r.failed}${waitingNote(r)}\n`;
}

/** Deliveries listed under an alert: e-mail and webhook ones (inbox rows are delivered when written). */
const SHOWN_DELIVERIES = 50;

function renderDeliveries(log: readonly DeliveryRecord[]): string[] {
  const outbound = log.filter((d) => d.channel !== 'inbox');
  const lines = outbound
    .slice(0, SHOWN_DELIVERIES)
    .map(
      (d) =>
        `    #${d.id} v${d.version} ${d.event} ${d.channel} ${esc(d.target)}: ${d.status}, ${d.attempts} attempt(s)` +
        (d.waitingFor
          ? ` — ${esc(d.waitingFor)}`
          : d.status === 'failed'
            ? ` — ${esc(d.lastError ?? '')}`
            : ''),
    );
  if (outbound.length > SHOWN_DELIVERIES)
    lines.push(`    … and ${outbound.length - SHOWN_DELIVERIES} more (koban advisory deliveries ID)`);
  return lines.length > 0 ? ['  e-mail and webhook deliveries:', ...lines] : [];
}

function renderContent(c: AlertPreview['content']): string[] {
  const lines = [`  TLP:${c.tlp}  "${esc(c.title)}"`];
  if (c.bodyJa) lines.push(...c.bodyJa.split('\n').map((l) => `  | ${esc(l)}`));
  if (c.bodyEn) lines.push(...c.bodyEn.split('\n').map((l) => `  | ${esc(l)}`));
  lines.push(`  indicators (${c.indicators.length}):`);
  for (const i of c.indicators)
    lines.push(
      `    ${i.type.padEnd(8)} ${esc(i.value)}  [${i.role}] ${i.reports} report(s), ${i.organisations} org(s)`,
    );
  lines.push(`  lures (${c.lures.length}):`);
  for (const l of c.lures) {
    lines.push(
      `    "${esc(l.subject ?? '-')}" from ${l.from.map(esc).join(', ') || '-'} (${l.reports} report(s))`,
    );
    for (const a of l.attachments) lines.push(`      ${esc(a.fileName ?? '-')} sha256 ${a.sha256 ?? '-'}`);
  }
  const named = c.reporters.named.map((n) => esc(n.name)).join(', ');
  lines.push(`  reported by ${c.reporters.organisations} organisation(s)${named ? `; named: ${named}` : ''}`);
  return lines;
}

function renderPreview(p: AlertPreview): string {
  const lines = [
    `alert ${p.alertId} (${p.status}, version ${p.version}): what recipients will see`,
    ...renderContent(p.content),
    `  label floor of the sources: TLP:${p.tlpFloor}${p.downgradeReason ? `; downgraded: ${esc(p.downgradeReason)}` : ''}`,
    `  sources: ${p.sources.map((s) => `report ${s.reportId} (${s.tlp})`).join(', ')}${p.campaignId ? `; campaign ${p.campaignId}` : ''}`,
    `  left out (${p.excluded.length}):`,
    ...p.excluded.map((e) => `    ${e.type.padEnd(8)} ${esc(e.value)}  ${esc(e.reason)}`),
    `  ${p.redactions} string(s) redacted; ${p.anonymisedReporters} reporting organisation(s) anonymised`,
  ];
  return `${lines.join('\n')}\n`;
}

function renderView(v: AlertView, log: readonly DeliveryRecord[] | null): string {
  const lines = [
    `alert ${v.id} (${v.status}, version ${v.version}, sent ${iso(v.sentMs) ?? '-'})${v.unread ? ' [unread]' : ''}`,
  ];
  if (v.withdrawn) lines.push(`  withdrawn ${iso(v.withdrawn.atMs)}: ${esc(v.withdrawn.reason)}`);
  lines.push(...renderContent(v.content));
  if (v.receivedToo) lines.push(`  your organisation answered "received too" at ${iso(v.receivedToo.atMs)}`);
  const a = v.analysis;
  if (a) {
    const c = a.counts;
    lines.push(
      `  recipients: ${a.recipients.organisations} organisation(s), ${a.recipients.users} user(s)`,
      `  received: ${c.organisations} organisation(s) (${c.reporters} reporter(s), ${c.receivedToo} answered "received too")`,
      `    by sector: ${
        Object.entries(c.bySector)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') || '-'
      }`,
      `    by prefecture: ${
        Object.entries(c.byPrefecture)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') || '-'
      }`,
      `  deliveries: ${
        Object.entries(a.deliveries)
          .map(
            ([ch, s]) =>
              `${ch} ${Object.entries(s)
                .map(([k, n]) => `${k} ${n}`)
                .join('/')}`,
          )
          .join(', ') || '-'
      }`,
    );
  }
  if (log) lines.push(...renderDeliveries(log));
  return `${lines.join('\n')}\n`;
}

export function registerMemberAlert(program: Command): void {
  const adv = program
    .command('advisory')
    .description('alerts to members (注意喚起): draft, preview, send, answers');
  const common = (c: Command) =>
    c
      .option('--data <dir>', 'data directory')
      .addOption(dbOption())
      .option('--json', 'print one JSON document');
  const asUser = (c: Command) => common(c.option('--as <email>', 'act as this user (default: the operator)'));

  asUser(
    adv
      .command('draft')
      .description('draft an alert from a report or a campaign; prints its preview')
      .option('--from-report <id>', 'the report to quote')
      .option('--from-campaign <id>', 'the campaign whose reports to quote')
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
        title: string;
        bodyJa?: string;
        bodyEn?: string;
        tlp?: string;
        downgradeReason?: string;
        indicator?: string[];
      },
    ) => {
      if ((flags.fromReport === undefined) === (flags.fromCampaign === undefined))
        throw new KobanError('E_USAGE', 'give one of --from-report ID or --from-campaign ID');
      const source = flags.fromReport
        ? { type: 'report' as const, id: parseId(flags.fromReport, 'report') }
        : { type: 'campaign' as const, id: parseId(flags.fromCampaign!, 'campaign') };
      const p = await withIntel(flags, async (intel) =>
        intel.memberAlerts.draft(await actorOf(intel, flags), {
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

  asUser(
    adv.command('preview').description('exactly what recipients will see').argument('<id>', 'alert id'),
  ).action(async (id: string, flags: AsFlags) => {
    const p = await withIntel(flags, async (intel) =>
      intel.memberAlerts.preview(await actorOf(intel, flags), parseId(id)),
    );
    if (flags.json) printJson(p);
    else process.stdout.write(renderPreview(p));
  });

  asUser(
    adv
      .command('send')
      .description('send a draft to an audience (the parts add up) and deliver it')
      .argument('<id>', 'alert id')
      .requiredOption('--audience <spec...>', 'all, public, sector:S, prefecture:P, org:NAME, user:EMAIL'),
  ).action(async (id: string, flags: AsFlags & { audience: string[] }) => {
    const out = await withIntel(flags, async (intel) => {
      const actor = await actorOf(intel, flags);
      const sent = await intel.memberAlerts.send(actor, parseId(id), {
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

  asUser(
    adv
      .command('list')
      .description('alerts you may read (--inbox: those addressed to you)')
      .option('--inbox', 'your inbox'),
  ).action(async (flags: AsFlags & { inbox?: boolean }) => {
    const list = await withIntel(flags, async (intel) => {
      const actor = await actorOf(intel, flags);
      return flags.inbox ? intel.memberAlerts.inbox(actor) : intel.memberAlerts.list(actor);
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

  asUser(
    adv
      .command('show')
      .description('one alert as you see it (the center also sees counts)')
      .argument('<id>', 'alert id'),
  ).action(async (id: string, flags: AsFlags) => {
    const { view, deliveries } = await withIntel(flags, async (intel) => {
      const actor = await actorOf(intel, flags);
      const v = await intel.memberAlerts.get(actor, parseId(id));
      // The delivery log is the center's (`analysis` is there for center staff only).
      return { view: v, deliveries: v.analysis ? await intel.memberAlerts.deliveries(actor, v.id) : null };
    });
    if (flags.json) printJson(deliveries ? { ...view, deliveries } : view);
    else process.stdout.write(renderView(view, deliveries));
  });

  common(
    adv
      .command('received')
      .description('answer "we received this too" as a member user')
      .argument('<id>', 'alert id')
      .requiredOption('--org <name>', 'the answering organisation')
      .requiredOption('--user <email>', 'the answering user (a member of --org)')
      .option('--report <id>', 'your organisation’s own report of it (joins the campaign)')
      .option('--note <text>', 'a note for the center'),
  ).action(
    async (id: string, flags: DataFlags & { org: string; user: string; report?: string; note?: string }) => {
      const r = await withIntel(flags, async (intel) =>
        intel.memberAlerts.receivedToo(await userAs(intel, flags.user, flags.org), parseId(id), {
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

  asUser(
    adv
      .command('update')
      .description('send a new version of a sent alert')
      .argument('<id>', 'alert id')
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
        const sent = await intel.memberAlerts.update(actor, parseId(id), {
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

  asUser(
    adv
      .command('withdraw')
      .description('withdraw a sent alert')
      .argument('<id>', 'alert id')
      .requiredOption('--reason <text>', 'why (recorded, told to recipients)'),
  ).action(async (id: string, flags: AsFlags & { reason: string }) => {
    const s = await withIntel(flags, async (intel) => {
      const actor = await actorOf(intel, flags);
      const w = await intel.memberAlerts.withdraw(actor, parseId(id), { reason: flags.reason });
      await deliver(intel, actor);
      return w;
    });
    if (flags.json) printJson(s);
    else process.stdout.write(`alert ${s.id} withdrawn\n`);
  });

  asUser(
    adv
      .command('deliveries')
      .description('the delivery log of one alert')
      .argument('<id>', 'alert id')
      .option('--failed', 'failed ones only'),
  ).action(async (id: string, flags: AsFlags & { failed?: boolean }) => {
    const log = await withIntel(flags, async (intel) =>
      intel.memberAlerts.deliveries(
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

  asUser(adv.command('deliver').description('attempt the due deliveries now (retries included)')).action(
    async (flags: AsFlags) => {
      const r = await withIntel(flags, async (intel) => deliver(intel, await actorOf(intel, flags)));
      if (flags.json) printJson(r);
      else process.stdout.write(runLine(r));
    },
  );

  asUser(
    adv
      .command('contacts')
      .description(
        'set an organisation’s alert e-mail addresses and/or add a webhook (its secret is printed once)',
      )
      .requiredOption('--org <name>', 'the organisation')
      .option('--email <address...>', 'contact addresses (replace the current ones)')
      .option('--webhook <url>', 'an https URL to POST signed alerts to'),
  ).action(async (flags: AsFlags & { org: string; email?: string[]; webhook?: string }) => {
    const out = await withIntel(flags, async (intel) => {
      const actor = await actorOf(intel, flags);
      const orgId = (await intel.orgs.requireByName(flags.org)).id;
      // One call: both parts are checked before either is written (a bad webhook changes nothing).
      const r = await intel.memberAlerts.endpoints.setContacts(actor, {
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
