/**
 * `koban report add FILE --org NAME --user EMAIL [--tlp AMBER] [--consent]` — submit a report as a
 * member user (bootstrapping and tests; members use the API and the portal). FILE is an .eml, or a
 * .json report of another kind (`{"kind":"c2","destinations":[…]}`). Prints the stored report with
 * its indicators and what it correlated with. `koban report show ID`, `koban report indicators ID
 * VALUE…` (an analyst's findings, e.g. the C2 addresses of the attachment) complete the loop.
 */
import type { Command } from 'commander';
import { KobanError } from '../core/index.js';
import {
  type Actor,
  INDICATOR_ROLES,
  type IndicatorRole,
  type IntakeResult,
  type IntelService,
  isCenter,
  parseTlp,
  type ReportView,
  userActor,
} from '../intel/index.js';
import { DEFAULT_EMAIL_LIMITS, escapeForDisplay as esc } from '../mail/index.js';
import { readBoundedFile } from './_files.js';
import { type DataFlags, iso, operator, withIntel } from './_intel.js';
import { dbOption } from './_options.js';
import { printJson } from './_output.js';

interface AddFlags extends DataFlags {
  org: string;
  user: string;
  tlp?: string;
  consent?: boolean;
}

/** The user as an actor, checked to belong to the organisation named. */
async function memberActor(intel: IntelService, email: string, orgName?: string): Promise<Actor> {
  const u = await intel.users.requireByEmail(email);
  if (orgName !== undefined) {
    const org = await intel.orgs.requireByName(orgName);
    if (u.orgId !== org.id) throw new KobanError('E_USAGE', `${email} is not a member of "${orgName}"`);
  }
  if (u.disabledMs !== null) throw new KobanError('E_AUTH', `${email} is disabled`);
  return userActor({ userId: u.id, orgId: u.orgId, role: u.role }, undefined, 'cli');
}

function parseJson(raw: Buffer, file: string): unknown {
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (e) {
    throw new KobanError('E_FORMAT', `${file}: not valid JSON (${(e as Error).message})`);
  }
}

/**
 * The correlation as its reader may learn it: of the reports that joined the campaign, those it may
 * read; the other campaigns a report bridges to, for the center only (intel/indicators/visible.ts).
 */
function forReader(intake: IntakeResult, v: ReportView, actor: Actor): IntakeResult {
  const readable = new Set([v.id, ...v.links.map((l) => l.reportId)]);
  const c = intake.correlation;
  if (!c) return intake;
  return {
    ...intake,
    correlation: {
      ...c,
      assigned: c.assigned.filter((id) => readable.has(id)),
      bridges: isCenter(actor) ? c.bridges : [],
    },
  };
}

export function reportJson(v: ReportView, intake?: IntakeResult) {
  return {
    id: v.id,
    kind: v.kind,
    tlp: v.tlp,
    title: v.title,
    received: iso(v.receivedMs),
    observed: iso(v.observedMs),
    consent: v.consent,
    reporter: v.reporter,
    evidence_sha256: v.evidenceSha256,
    campaign: v.campaignId,
    links: v.links,
    indicators: v.indicators,
    ...(intake
      ? {
          // Null: stored, linking pending (the warnings say why).
          correlation: intake.correlation && {
            created_campaign: intake.correlation.createdCampaign,
            assigned: intake.correlation.assigned,
            bridges: intake.correlation.bridges,
          },
          warnings: intake.warnings,
        }
      : {}),
  };
}

export function renderReport(v: ReportView, intake?: IntakeResult): string[] {
  const r = v.reporter;
  const lines = [
    `report ${v.id} (${v.kind}, TLP:${v.tlp}) "${esc(v.title)}"`,
    `  received ${iso(v.receivedMs)}, observed ${iso(v.observedMs)}; private part ${v.consent ? 'shared with consent' : 'kept private'}`,
    `  reporter: ${r ? `${esc(r.orgName)} (${[r.orgKind, r.sector, r.prefecture].filter((s) => s).join(', ')})` : '(not shown)'}`,
  ];
  if (v.evidenceSha256) lines.push(`  evidence: sha256 ${v.evidenceSha256}`);
  const c = intake?.correlation;
  lines.push(
    v.campaignId === null
      ? '  campaign: none'
      : `  campaign: ${v.campaignId}${c?.createdCampaign ? ' (created now)' : ''}${c && c.assigned.length > 1 ? `; joined now: reports ${c.assigned.join(', ')}` : ''}`,
  );
  for (const b of c?.bridges ?? [])
    lines.push(
      `  also links campaign ${b.otherCampaignId} (weight ${b.weight}): left for an analyst to merge`,
    );
  lines.push(
    `  links (${v.links.length}): ${v.links.map((l) => `report ${l.reportId} (weight ${l.weight})`).join(', ') || '-'}`,
  );
  lines.push(`  indicators (${v.indicators.length}):`);
  for (const i of v.indicators) {
    const seen = `seen in ${i.reportCount} report${i.reportCount === 1 ? '' : 's'} / ${i.orgCount} org${i.orgCount === 1 ? '' : 's'}`;
    lines.push(
      `    ${i.type.padEnd(18)} ${esc(i.value)}  [${i.role}]${i.warning ? ` [warning list: ${esc(i.warning)}]` : ''}  ${seen}`,
    );
  }
  if (intake && intake.warnings.length > 0) {
    lines.push(`  warnings (${intake.warnings.length}):`, ...intake.warnings.map((w) => `    ${esc(w)}`));
  }
  return lines;
}

export function registerReport(program: Command): void {
  const report = program
    .command('report')
    .description('member reports: submit (bootstrap, tests), show, add analysis');
  report
    .command('add')
    .description('submit a report as a member user: an .eml file, or a .json report of another kind')
    .argument('<file>', '.eml message, or .json {"kind":"incident"|"c2"|"malware"|"text", …}')
    .requiredOption('--org <name>', 'the reporting organisation')
    .requiredOption('--user <email>', 'the reporting user (a member of --org)')
    .option('--tlp <label>', 'CLEAR, GREEN, AMBER, AMBER+STRICT or RED', 'AMBER')
    .option('--consent', 'the reporter consents to sharing the private part with every reader')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print one JSON document')
    .action(async (file: string, flags: AddFlags) => {
      const raw = await readBoundedFile(file, DEFAULT_EMAIL_LIMITS.maxRawBytes);
      const sharing = { tlp: parseTlp(flags.tlp ?? 'AMBER'), consent: flags.consent ?? false };
      const { view, intake } = await withIntel(flags, async (intel) => {
        const actor = await memberActor(intel, flags.user, flags.org);
        const intake = file.toLowerCase().endsWith('.json')
          ? await intel.intake.submitReport(actor, parseJson(raw, file) as never, sharing)
          : await intel.intake.submitEmail(actor, raw, sharing);
        const view = await intel.reports.get(actor, intake.reportId);
        return { view, intake: forReader(intake, view, actor) };
      });
      if (flags.json) printJson(reportJson(view, intake));
      else process.stdout.write(`${renderReport(view, intake).join('\n')}\n`);
    });
  report
    .command('show')
    .description('show one report as a user sees it (default: as the operator)')
    .argument('<id>', 'report id')
    .option('--user <email>', 'read as this user')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print one JSON document')
    .action(async (id: string, flags: DataFlags & { user?: string }) => {
      const view = await withIntel(flags, async (intel) => {
        const actor = flags.user ? await memberActor(intel, flags.user) : operator();
        return intel.reports.get(actor, parseId(id));
      });
      if (flags.json) printJson(reportJson(view));
      else process.stdout.write(`${renderReport(view).join('\n')}\n`);
    });
  report
    .command('indicators')
    .description("add an analysis's findings to a report (e.g. the C2 addresses its attachment calls)")
    .argument('<id>', 'report id')
    .argument('<values...>', 'values: addresses (with :port), domains, URLs, hashes; defanged forms accepted')
    .option('--role <role>', `one of: ${INDICATOR_ROLES.join(', ')}`, 'c2')
    .option('--user <email>', 'the analyst (default: the operator)')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print one JSON document')
    .action(async (id: string, values: string[], flags: DataFlags & { role: string; user?: string }) => {
      if (!(INDICATOR_ROLES as readonly string[]).includes(flags.role))
        throw new KobanError('E_USAGE', `unknown role "${flags.role}"`);
      const { view, intake } = await withIntel(flags, async (intel) => {
        const actor = flags.user ? await memberActor(intel, flags.user) : operator();
        const intake = await intel.intake.addIndicators(
          actor,
          parseId(id),
          values.map((value) => ({ value, role: flags.role as IndicatorRole })),
        );
        const view = await intel.reports.get(actor, intake.reportId);
        return { view, intake: forReader(intake, view, actor) };
      });
      if (flags.json) printJson(reportJson(view, intake));
      else process.stdout.write(`${renderReport(view, intake).join('\n')}\n`);
    });
}

function parseId(s: string): number {
  if (!/^\d+$/.test(s)) throw new KobanError('E_USAGE', `report id must be a number, not "${s}"`);
  return Number(s);
}
