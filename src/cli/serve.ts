/** `koban serve` — the center process. */
import type { Command } from 'commander';
import { startCenter, type TrustProxy } from '../center/index.js';
import { KobanError, parseAddressBlock, resolveDataDir } from '../core/index.js';
import { DETECTOR_NAMES } from '../detect/index.js';
import { dbOption, eventsOption, parseListen } from './_options.js';

interface ServeFlags {
  data?: string;
  db?: string;
  events?: string;
  listen: string;
  tlsCert?: string;
  tlsKey?: string;
  silentAfter: string;
  demo?: boolean;
  detect?: boolean;
  trustProxy?: string | boolean;
}

/** `--trust-proxy` alone: any peer; with a value: those addresses and CIDR blocks. */
export function parseTrustProxy(flag: string | boolean | undefined): TrustProxy | undefined {
  if (flag === undefined) return undefined;
  if (typeof flag === 'boolean') return flag;
  const list = flag
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = list.find((s) => parseAddressBlock(s) === null);
  if (list.length === 0 || bad !== undefined)
    throw new KobanError(
      'E_USAGE',
      `--trust-proxy takes proxy addresses or CIDR blocks, comma-separated (or no value: any peer), not "${bad ?? flag}"`,
    );
  return list;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the center: sensor ingest API, observation views, metrics, the public site')
    .option('--data <dir>', 'data directory (default $KOBAN_DATA or ./koban-data)')
    .addOption(dbOption())
    .addOption(eventsOption())
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:8440')
    .option('--tls-cert <file>', 'PEM certificate (with --tls-key: serve HTTPS)')
    .option('--tls-key <file>', 'PEM private key')
    .option('--silent-after <minutes>', 'minutes without a delivery before a sensor-silent alert', '60')
    .option(
      '--trust-proxy [proxies]',
      'believe X-Forwarded-For/-Proto from these reverse proxies (addresses or CIDR blocks, comma-separated; ' +
        'no value: from any peer). Default: koban.json trustProxy, else none',
    )
    .option('--no-detect', `do not run the live detectors (${DETECTOR_NAMES.join(', ')})`)
    .option(
      '--demo',
      'feed the center live from the built-in simulator (data labelled SIMULATED; default data dir ./koban-demo)',
    )
    .action(async (flags: ServeFlags) => {
      const { host, port } = parseListen(flags.listen);
      const silent = Number(flags.silentAfter);
      if (!Number.isFinite(silent) || silent <= 0)
        throw new KobanError('E_USAGE', '--silent-after must be a positive number');
      const trustProxy = parseTrustProxy(flags.trustProxy);
      const dataDir = resolveDataDir(
        flags.data ?? (flags.demo && !process.env.KOBAN_DATA ? 'koban-demo' : undefined),
      );
      const running = await startCenter({
        dataDir,
        relationalUrl: flags.db,
        eventsUrl: flags.events,
        host,
        port,
        tlsCert: flags.tlsCert,
        tlsKey: flags.tlsKey,
        silentAfterMinutes: silent,
        detect: flags.detect !== false,
        ...(trustProxy === undefined ? {} : { api: { trustProxy } }),
      });
      const lines = [`Koban center listening on ${running.url}  (data: ${dataDir})`];
      let demo: { stop(): Promise<void> } | null = null;
      if (flags.demo) {
        const { startDemoFeed } = await import('./_demo-feed.js');
        demo = await startDemoFeed(running, (m) => process.stdout.write(`${m}\n`));
        lines.push(
          'DEMO: a built-in simulated sensor (demo-feed) feeds this center: every figure is SIMULATED.',
          `  public site:   ${running.url}/  (monthly release of complete months; ?lang=en for English)`,
          `  live figures:  ${running.url}/live  (simulated data: the public view is live)`,
          `  JSON views:    ${running.url}/api/v1/stats/total?bucket=hour  (and countries, ports, techniques, …)`,
          `  metrics:       ${running.url}/metrics  (with the operator token: koban operator-token --data ${dataDir})`,
        );
      }
      lines.push('Stop with Ctrl-C (SIGINT) or SIGTERM: in-flight batches finish before exit.');
      process.stdout.write(`${lines.join('\n')}\n`);
      await new Promise<void>((resolve) => {
        const shutdown = (sig: string) => {
          process.stdout.write(`${sig}: stopping (finishing in-flight batches)…\n`);
          void (async () => {
            await demo?.stop();
            await running.stop();
            resolve();
          })();
        };
        process.once('SIGTERM', () => shutdown('SIGTERM'));
        process.once('SIGINT', () => shutdown('SIGINT'));
      });
    });
}
