/** `koban serve` — the center process. */
import type { Command } from 'commander';
import { KobanError, resolveDataDir } from '../core/index.js';
import { startCenter } from '../web/index.js';

interface ServeFlags {
  data?: string;
  listen: string;
  tlsCert?: string;
  tlsKey?: string;
  silentAfter: string;
  demo?: boolean;
  detect?: boolean;
}

export function parseListen(s: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:]+)):(\d{1,5})$/.exec(s);
  if (!m || Number(m[3]) > 65535) throw new KobanError('E_USAGE', `--listen must be HOST:PORT, not "${s}"`);
  return { host: m[1] ?? m[2]!, port: Number(m[3]) };
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the center: sensor ingest API, observation views, metrics, front page')
    .option('--data <dir>', 'data directory (default $KOBAN_DATA or ./koban-data)')
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:8440')
    .option('--tls-cert <file>', 'PEM certificate (with --tls-key: serve HTTPS)')
    .option('--tls-key <file>', 'PEM private key')
    .option('--silent-after <minutes>', 'minutes without a delivery before a sensor-silent alert', '60')
    .option(
      '--no-detect',
      'do not run the live detectors (port surges, backscatter, scans, worms, sensor health)',
    )
    .option(
      '--demo',
      'feed the center live from the built-in simulator (data labelled SIMULATED; default data dir ./koban-demo)',
    )
    .action(async (flags: ServeFlags) => {
      const { host, port } = parseListen(flags.listen);
      const silent = Number(flags.silentAfter);
      if (!Number.isFinite(silent) || silent <= 0)
        throw new KobanError('E_USAGE', '--silent-after must be a positive number');
      const dataDir = resolveDataDir(
        flags.data ?? (flags.demo && !process.env.KOBAN_DATA ? 'koban-demo' : undefined),
      );
      const running = await startCenter({
        dataDir,
        host,
        port,
        tlsCert: flags.tlsCert,
        tlsKey: flags.tlsKey,
        silentAfterMinutes: silent,
        detect: flags.detect !== false,
      });
      const lines = [`Koban center listening on ${running.url}  (data: ${dataDir})`];
      let demo: { stop(): Promise<void> } | null = null;
      if (flags.demo) {
        const { startDemoFeed } = await import('./_demo-feed.js');
        demo = await startDemoFeed(running, (m) => process.stdout.write(`${m}\n`));
        lines.push(
          'DEMO: a built-in simulated sensor (demo-feed) feeds this center: every figure is SIMULATED.',
          `  live figures:  ${running.url}/`,
          `  JSON views:    ${running.url}/api/v1/stats/total?bucket=hour  (and countries, ports, techniques, …)`,
          `  metrics:       ${running.url}/metrics`,
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
