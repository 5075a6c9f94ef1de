/**
 * `koban anonymizer evidence [ID] [--ip IP] [--site ORG] [--limit N] [--json]` — what websites under
 * `allow-and-record` posted about requests from listed addresses (docs/anonymizer.md#site-evidence),
 * for the investigator at the operator's console: the list (newest first), or one record in full
 * with the center's listing then. Every record shown is a `viewed` entry in its chain of custody and
 * the read an audit row, exactly as through the API (intel/site-evidence).
 */
import type { Command } from 'commander';
import { KobanError } from '../core/index.js';
import { escapeForDisplay as esc } from '../mail/index.js';
import { iso, operator, withIntel } from './_intel.js';
import { dbOption, type StoreFlags } from './_options.js';
import { printJson, table } from './_output.js';

interface EvidenceFlags extends StoreFlags {
  ip?: string;
  site?: string;
  limit: string;
  json?: boolean;
}

type View = {
  id: number;
  recordSha256: string;
  siteOrgId: number;
  receivedMs: number;
  requestMs: number;
  ip: string;
  port: number | null;
  account: string | null;
  contentSha256: string;
  headers: Record<string, string>;
  note: string | null;
  listing: Record<string, unknown>;
  postedBy: string;
};

/** The lists and kinds that listed the address then, from the center's answer kept with the record. */
function listedBy(listing: Record<string, unknown>): string {
  const ev = Array.isArray(listing.evidence) ? (listing.evidence as Record<string, unknown>[]) : [];
  if (ev.length === 0) return listing.listed === true ? 'listed' : 'not listed';
  return [...new Set(ev.map((e) => `${String(e.kind)} (${String(e.list)})`))].join(', ');
}

function json(v: View, site: string | null) {
  return {
    id: v.id,
    record_sha256: v.recordSha256,
    site: { id: v.siteOrgId, name: site },
    received: iso(v.receivedMs),
    request_time: iso(v.requestMs),
    ip: v.ip,
    port: v.port,
    account: v.account,
    content_sha256: v.contentSha256,
    headers: v.headers,
    note: v.note,
    listing: v.listing,
    posted_by: v.postedBy,
  };
}

function details(v: View, site: string | null): string[] {
  const lines = [
    `site evidence ${v.id} from ${esc(site ?? `organisation ${v.siteOrgId}`)} (posted by ${esc(v.postedBy)})`,
    `  request:  ${iso(v.requestMs)} from ${v.ip}${v.port === null ? '' : ` port ${v.port}`}${v.account === null ? '' : `, account ${esc(v.account)}`}`,
    `  received: ${iso(v.receivedMs)}`,
    `  content:  sha256 ${v.contentSha256}`,
    `  record:   sha256 ${v.recordSha256} (its custody key)`,
    `  listed then by: ${esc(listedBy(v.listing))}`,
  ];
  const ev = Array.isArray(v.listing.evidence) ? (v.listing.evidence as Record<string, unknown>[]) : [];
  for (const e of ev)
    lines.push(
      `    ${esc(String(e.kind))} ${esc(String(e.entry))} on ${esc(String(e.list))} from ${esc(String(e.from))}${e.to ? ` to ${esc(String(e.to))}` : ' (still listed)'}${e.fingerprint ? `, relay ${esc(String(e.fingerprint))}` : ''}`,
    );
  const headers = Object.entries(v.headers);
  lines.push(`  headers (${headers.length}):`, ...headers.map(([k, h]) => `    ${esc(k)}: ${esc(h)}`));
  if (v.note !== null) lines.push(`  note: ${esc(v.note)}`);
  return lines;
}

export function registerEvidence(anon: Command): void {
  anon
    .command('evidence')
    .description(
      'what allow-and-record sites posted about requests from listed addresses (each view is kept in custody)',
    )
    .argument('[id]', 'one record in full')
    .option('--ip <address>', 'only records of this address')
    .option('--site <org>', 'only records of this website operator')
    .option('--limit <n>', 'records at most, newest first (1–500)', '100')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print JSON')
    .action(async (id: string | undefined, flags: EvidenceFlags) => {
      if (id !== undefined && !/^\d{1,15}$/.test(id))
        throw new KobanError('E_USAGE', `the evidence id must be a number, not "${id}"`);
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500)
        throw new KobanError('E_USAGE', '--limit must be a whole number from 1 to 500');
      const { views, sites } = await withIntel(flags, async (intel) => {
        const actor = operator();
        let siteOrgId: number | undefined;
        if (flags.site !== undefined) siteOrgId = (await intel.orgs.requireByName(flags.site)).id;
        const views: View[] =
          id !== undefined
            ? [await intel.siteEvidence.get(actor, Number(id))]
            : await intel.siteEvidence.list(actor, {
                ...(flags.ip === undefined ? {} : { ip: flags.ip }),
                ...(siteOrgId === undefined ? {} : { siteOrgId }),
                limit,
              });
        const sites = new Map<number, string | null>();
        for (const v of views)
          if (!sites.has(v.siteOrgId))
            sites.set(v.siteOrgId, (await intel.orgs.get(v.siteOrgId))?.name ?? null);
        return { views, sites };
      });
      const site = (v: View) => sites.get(v.siteOrgId) ?? null;
      if (flags.json) {
        printJson(
          id !== undefined
            ? json(views[0]!, site(views[0]!))
            : { evidence: views.map((v) => json(v, site(v))) },
        );
        return;
      }
      if (id !== undefined) {
        process.stdout.write(`${details(views[0]!, site(views[0]!)).join('\n')}\n`);
        return;
      }
      if (views.length === 0) {
        process.stdout.write('no site evidence\n');
        return;
      }
      process.stdout.write(
        `${table(
          ['id', 'request time', 'site', 'address', 'account', 'listed then by', 'content sha256'],
          views.map((v) => [
            String(v.id),
            iso(v.requestMs),
            esc(site(v) ?? String(v.siteOrgId)),
            v.port === null ? v.ip : `${v.ip}:${v.port}`,
            v.account === null ? null : esc(v.account),
            esc(listedBy(v.listing)),
            `${v.contentSha256.slice(0, 16)}…`,
          ]),
        )}\n`,
      );
    });
}
