/**
 * `koban feeds peers [--json]` — the federation peers of koban.json (docs/sharing.md#federation)
 * with their pull state: URL, collection, last pull, objects received, last error, next pull, and
 * who is pulling now. `koban feeds pull --peer NAME [--json]` — pull a peer now, on the path the
 * center's timed pull takes (feeds' Federation: the same import, the same cursor, the state kept in
 * the store); safe beside a running `koban serve`: the peer's lease lets one process pull it at a
 * time, so a pull already running elsewhere is reported (exit 1) and left to finish.
 */
import type { Command } from 'commander';
import { Federation, federationConfigFrom, type PeerPullOutcome, type PeerStatus } from '../feeds/index.js';
import { type DataFlags, iso, withIntel } from './_intel.js';
import { dbOption } from './_options.js';
import { printJson } from './_output.js';

function when(ms: number | null): string {
  return ms === null ? 'never' : (iso(ms) ?? 'never');
}

function peerLines(p: PeerStatus, nowMs: number): string {
  if (!p.configured)
    return `${p.name}  removed from koban.json: no longer pulled or published to; ${p.objectsTotal} objects received, kept (source peer:${p.name})`;
  const head = `${p.name}  (${p.org})${p.publishes ? '  publishes to it' : ''}`;
  if (!p.pull) return `${head}\n  not pulled from`;
  const next =
    p.pulling !== null
      ? `pulling now (${p.pulling.holder}, since ${when(p.pulling.sinceMs)})`
      : p.nextDueMs !== null && p.nextDueMs > nowMs
        ? when(p.nextDueMs)
        : 'due now (at the running center’s next look)';
  return [
    head,
    `  ${p.pull.apiRoot}collections/${p.pull.collection}/  every ${p.pull.intervalSeconds} s`,
    `  last pull ${when(p.lastPullMs)}, last success ${when(p.lastOkMs)}; ${p.lastObjects} objects then, ${p.objectsTotal} in all`,
    ...(p.lastError === null ? [] : [`  last error (${p.failures} in a row): ${p.lastError}`]),
    `  next pull ${next}`,
  ].join('\n');
}

function outcomeLine(o: PeerPullOutcome): string {
  if (!o.ok) return `${o.peer}: ${o.busy ? 'not pulled' : 'failed'}: ${o.error ?? 'unknown error'}`;
  const p = o.poll;
  return p
    ? `${o.peer}: ${p.objects} objects in ${p.pages} pages — ${p.imported.reports} reports, ${p.imported.indicators} indicators imported, ${p.imported.unchanged} already held, ${p.own} our own, ${p.rejected} rejected${p.truncated ? '; more to fetch (the next pull goes on)' : ''}; last added ${p.lastAdded ?? '(nothing yet)'}`
    : `${o.peer}: pulled`;
}

export function registerFeedPeers(feeds: Command): void {
  feeds
    .command('peers')
    .description('federation peers (koban.json federation) and the state of their pulls')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print one JSON document')
    .action(async (flags: DataFlags) => {
      const peers = await withIntel(flags, (intel, target) =>
        new Federation(intel, federationConfigFrom(target.config.federation)).peers(),
      );
      if (flags.json) printJson({ peers });
      else
        process.stdout.write(
          peers.length === 0
            ? 'no federation peers (koban.json: federation.peers)\n'
            : `${peers.map((p) => peerLines(p, Date.now())).join('\n')}\n`,
        );
    });
  feeds
    .command('pull')
    .description('pull a federation peer now (as the center’s schedule would; safe beside koban serve)')
    .requiredOption('--peer <name>', 'the peer’s name in koban.json')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print one JSON document')
    .action(async (flags: DataFlags & { peer: string }) => {
      const out = await withIntel(flags, (intel, target) =>
        new Federation(intel, federationConfigFrom(target.config.federation)).pullNow(flags.peer),
      );
      if (flags.json) printJson({ pulls: out });
      else process.stdout.write(`${out.map(outcomeLine).join('\n')}\n`);
      if (out.some((o) => !o.ok)) process.exitCode = 1;
    });
}
