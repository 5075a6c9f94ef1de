/** `koban replay DIR --center URL --token T [--speed 60]` — feed a simulated set to a center. */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { Command } from 'commander';
import { KobanError } from '../core/index.js';
import { ingestClient } from '../sensor/index.js';
import { replay } from '../sim/index.js';
import { fmtInt, printJson } from './_output.js';

interface Flags {
  center: string;
  token?: string;
  speed: string;
  after?: string;
  ca?: string;
  json?: boolean;
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('send a simulated set (koban simulate) to a center in time order, paced')
    .argument('<dir>', 'directory written by koban simulate')
    .requiredOption('--center <url>', 'center URL')
    .option('--token <token>', 'a relay sensor token (koban sensor add NAME --relay), or KOBAN_TOKEN')
    .option('--speed <x>', 'simulated seconds per real second; 0 = as fast as possible', '60')
    .option('--after <iso>', 'only events after this time (resume)')
    .option('--ca <file>', 'extra CA certificate (PEM) to trust for the center')
    .option('--json', 'print a JSON summary')
    .action(async (dir: string, flags: Flags) => {
      const token = flags.token ?? process.env.KOBAN_TOKEN;
      if (!token) throw new KobanError('E_USAGE', 'a relay token is needed: --token or KOBAN_TOKEN');
      const speed = Number(flags.speed);
      if (!Number.isFinite(speed) || speed < 0)
        throw new KobanError('E_USAGE', '--speed must be a number ≥ 0');
      const afterMs = flags.after ? Date.parse(flags.after) : undefined;
      if (afterMs !== undefined && Number.isNaN(afterMs))
        throw new KobanError('E_USAGE', '--after must be an ISO date');
      const client = ingestClient(flags.center, token, { ca: flags.ca ? readFileSync(flags.ca) : undefined });
      let lastReport = 0;
      try {
        const r = await replay({
          dir,
          speed,
          afterMs,
          async send(body) {
            const gz = gzipSync(body, { level: 1 });
            // Retry until the center takes it: batch ids make a repeat harmless.
            for (let attempt = 0; ; attempt++) {
              try {
                const res = await client.post(gz);
                if (res.status >= 200 && res.status < 300) return;
                if ([400, 401, 409, 413, 415].includes(res.status)) {
                  const code = res.status === 401 ? 'E_AUTH' : res.status === 409 ? 'E_CONFLICT' : 'E_FORMAT';
                  throw new KobanError(code, `center refused a batch: ${res.body}`);
                }
                await new Promise((r) => setTimeout(r, (res.retryAfterS ?? 1) * 1000));
              } catch (e) {
                if (e instanceof KobanError) throw e;
                await new Promise((r) => setTimeout(r, Math.min(30_000, 250 * 2 ** Math.min(attempt, 7))));
              }
            }
          },
          onProgress(p) {
            if (!flags.json && Date.now() - lastReport > 5000) {
              lastReport = Date.now();
              process.stderr.write(
                `replayed ${fmtInt(p.sent)} events, simulated time ${new Date(p.simTimeMs).toISOString()}\n`,
              );
            }
          },
        });
        if (flags.json)
          printJson({
            sent: r.sent,
            batches: r.batches,
            skipped: r.skipped,
            last: new Date(r.simTimeMs).toISOString(),
          });
        else
          process.stdout.write(
            `replayed ${fmtInt(r.sent)} events in ${fmtInt(r.batches)} batches (SIMULATED data)\n`,
          );
      } finally {
        client.close();
      }
    });
}
