/**
 * `koban feeds subscribe URL --collection ID [--token T | --user U] [--once]` — poll a collection
 * of another TAXII 2.1 server into intel (feeds/taxii/client.ts: added_after, next, resumes from
 * the last date added it saw, imports idempotently under the subscription's source name);
 * `koban feeds list` — the subscriptions and how far each got; `koban feeds peers` and
 * `koban feeds pull --peer NAME` — federation peers (feeds-peers.ts); `koban feeds reads` — who read
 * which of this center's TAXII collections (feeds-reads.ts). Credentials are read at each run
 * (the flag or KOBAN_TAXII_TOKEN; the password from KOBAN_TAXII_PASSWORD) and never stored.
 */
import type { Command } from 'commander';
import { KobanError } from '../core/index.js';
import { type PollResult, StixService, type TaxiiCredentials, TaxiiSubscriptions } from '../feeds/index.js';
import { type DataFlags, operator, withIntel } from './_intel.js';
import { onStopRequest } from './_lifetime.js';
import { dbOption } from './_options.js';
import { printJson } from './_output.js';
import { registerFeedPeers } from './feeds-peers.js';
import { registerFeedReads } from './feeds-reads.js';

interface SubscribeFlags extends DataFlags {
  collection: string;
  token?: string;
  user?: string;
  source?: string;
  org?: string;
  once?: boolean;
  interval: string;
}

function credentials(flags: SubscribeFlags): TaxiiCredentials {
  const token = flags.token ?? process.env.KOBAN_TAXII_TOKEN;
  if (flags.user !== undefined) {
    const password = process.env.KOBAN_TAXII_PASSWORD;
    if (!password) throw new KobanError('E_USAGE', '--user needs the password in KOBAN_TAXII_PASSWORD');
    return { user: flags.user, password };
  }
  return token ? { token } : {};
}

function line(r: PollResult): string {
  const s = r.subscription;
  return `${s.apiRoot}collections/${s.collection}/: ${r.objects} objects in ${r.pages} pages — ${r.imported.reports} reports, ${r.imported.indicators} indicators imported, ${r.imported.unchanged} already held, ${r.rejected} rejected; last added ${s.lastAdded ?? '(nothing yet)'}`;
}

export function registerFeeds(program: Command): void {
  const feeds = program
    .command('feeds')
    .description(
      'TAXII 2.1 collections of other servers: subscribe, list; federation peers: peers, pull; TAXII reads',
    );
  feeds
    .command('subscribe')
    .description('poll a TAXII 2.1 collection (added_after; resumes where it stopped)')
    .argument('<url>', 'the API root, e.g. https://center.example/taxii2/koban/')
    .requiredOption('--collection <id>', 'the collection id')
    .option('--token <token>', 'a Bearer token (or KOBAN_TAXII_TOKEN)')
    .option('--user <email>', 'HTTP Basic user; the password from KOBAN_TAXII_PASSWORD')
    .option('--source <name>', 'the source named on imported reports (default taxii:HOST/COLLECTION)')
    .option('--org <name>', 'the organisation the objects are attributed to (default: the center)')
    .option('--once', 'poll once and exit')
    .option('--interval <s>', 'seconds between polls', '300')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print one JSON document per poll')
    .action(async (url: string, flags: SubscribeFlags) => {
      const intervalS = Number(flags.interval);
      if (!Number.isInteger(intervalS) || intervalS < 1)
        throw new KobanError(
          'E_USAGE',
          `--interval must be a positive number of seconds, not "${flags.interval}"`,
        );
      const creds = credentials(flags);
      await withIntel(flags, async (intel) => {
        const subs = new TaxiiSubscriptions(intel, new StixService(intel));
        let sub = await subs.subscribe(url, flags.collection, flags.source, flags.org);
        let stopped = false;
        let wake: (() => void) | null = null;
        const watch = flags.once
          ? null
          : onStopRequest(() => {
              stopped = true;
              wake?.();
            });
        try {
          do {
            const r = await subs.poll(operator(), sub, creds);
            sub = r.subscription;
            if (flags.json) printJson(r);
            else process.stdout.write(`${line(r)}\n`);
            if (flags.once) break;
            await new Promise<void>((ok) => {
              wake = ok;
              setTimeout(ok, intervalS * 1000).unref();
            });
          } while (!stopped);
        } finally {
          watch?.dispose();
        }
      });
    });
  feeds
    .command('list')
    .description('the subscriptions, with the last date added each has seen')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print one JSON document')
    .action(async (flags: DataFlags) => {
      const list = await withIntel(flags, (intel) =>
        new TaxiiSubscriptions(intel, new StixService(intel)).list(),
      );
      if (flags.json) printJson({ subscriptions: list });
      else
        process.stdout.write(
          list.length === 0
            ? 'no subscriptions (koban feeds subscribe URL --collection ID)\n'
            : `${list.map((s) => `${s.id}  ${s.apiRoot}collections/${s.collection}/  source ${s.source}  last added ${s.lastAdded ?? '-'}  ${s.objectsSeen} objects`).join('\n')}\n`,
        );
    });
  registerFeedPeers(feeds);
  registerFeedReads(feeds);
}
