/**
 * The DNSBL inside `koban serve` when koban.json sets `anonymizer.dnsbl.listen` (docs/anonymizer.md):
 * the same answers as `koban dnsbl serve`, from the center's anonymizer service, whose index is
 * reloaded every minute so lists imported by `koban anonymizer import` are picked up.
 */
import { dnsblSource, startDnsblServer } from '../anon/index.js';
import { KobanError } from '../core/index.js';
import type { Center } from './wiring.js';

const RELOAD_MS = 60_000;

export async function startCenterDnsbl(center: Center): Promise<{ close(): Promise<void> } | null> {
  const cfg = center.observatory.config.anonymizer.dnsbl;
  if (cfg.listen === undefined) return null;
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:]+)):(\d{1,5})$/.exec(cfg.listen);
  if (!m || Number(m[3]) > 65_535)
    throw new KobanError('E_CONFIG', `anonymizer.dnsbl.listen must be HOST:PORT, not "${cfg.listen}"`);
  const server = await startDnsblServer(dnsblSource(center.anonymizer), {
    host: m[1] ?? m[2]!,
    port: Number(m[3]),
    zone: cfg.zone,
    onError: (e) => center.log.error({ err: e }, 'dnsbl: a query could not be answered'),
  });
  const reload = setInterval(() => {
    center.anonymizer.reload().catch((e: unknown) => center.log.warn({ err: e }, 'dnsbl: reload failed'));
  }, RELOAD_MS);
  reload.unref();
  center.log.info({ zone: cfg.zone, port: server.port }, 'dnsbl listening');
  return {
    async close() {
      clearInterval(reload);
      await server.close();
    },
  };
}
