/**
 * What `koban sensor add|list|revoke|blocks` do (sensor.ts declares them): the center's sensor
 * registry, and the monitored space of every sensor (observe's monitored-space.ts).
 */
import { MonitoredSpace, type SensorRecord, SensorRegistry, sensorStatus } from '../observe/index.js';
import type { StoreFlags } from './_options.js';
import { printJson, table } from './_output.js';
import { withRelational } from './_stores.js';

export interface DataFlags extends StoreFlags {
  json?: boolean;
}

/** Opens the registry; only `sensor add` creates the store (a mistyped `--data` must not). */
const withRegistry = <T>(
  flags: DataFlags,
  fn: (r: SensorRegistry) => Promise<T>,
  opts: { create?: boolean } = {},
): Promise<T> => withRelational(flags, (db) => fn(new SensorRegistry(db)), opts);

function sensorJson(s: SensorRecord, nowMs: number) {
  const days = s.lastSeenMs === null ? 0 : Math.max(1, (s.lastSeenMs - s.createdMs) / 86_400_000);
  return {
    name: s.name,
    site: s.site,
    address_blocks: s.addressBlocks,
    relay: s.relay,
    status: sensorStatus(s, nowMs),
    created: new Date(s.createdMs).toISOString(),
    last_seen: s.lastSeenMs === null ? null : new Date(s.lastSeenMs).toISOString(),
    events: s.eventsTotal,
    events_per_day: days === 0 ? 0 : Math.round(s.eventsTotal / days),
    // Delivery lag at the last batch: when it arrived minus the newest event it carried.
    lag_s:
      s.lastSeenMs === null || s.lastEventMs === null
        ? null
        : Math.round((s.lastSeenMs - s.lastEventMs) / 1000),
    dropped: s.droppedTotal,
  };
}

export interface AddFlags extends DataFlags {
  site?: string;
  addressBlock?: string[];
  relay?: boolean;
}

export async function addSensor(name: string, flags: AddFlags): Promise<void> {
  const { sensor: s, token } = await withRegistry(
    flags,
    (r) => r.add({ name, site: flags.site, addressBlocks: flags.addressBlock, relay: flags.relay }),
    { create: true },
  );
  if (flags.json) printJson({ name: s.name, token });
  else {
    process.stdout.write(
      `sensor ${s.name} registered${s.addressBlocks.length ? ` (${s.addressBlocks.join(', ')})` : ''}\n` +
        `token (shown only now; the center keeps only its hash):\n${token}\n`,
    );
  }
}

export async function listSensors(flags: DataFlags): Promise<void> {
  const nowMs = Date.now();
  const list = await withRegistry(flags, (r) => r.list());
  const rows = list.map((s) => sensorJson(s, nowMs));
  if (flags.json) printJson({ sensors: rows });
  else if (rows.length === 0) process.stdout.write('no sensors registered (koban sensor add NAME)\n');
  else {
    process.stdout.write(
      `${table(
        ['sensor', 'status', 'last seen', 'events', 'per day', 'lag s', 'dropped', 'site'],
        rows.map((r) => [
          r.name,
          r.status,
          r.last_seen,
          r.events,
          r.events_per_day,
          r.lag_s,
          r.dropped,
          r.site,
        ]),
      )}\n`,
    );
  }
}

export async function revokeSensor(name: string, flags: DataFlags): Promise<void> {
  const s = await withRegistry(flags, (r) => r.revoke(name));
  if (flags.json) printJson(sensorJson(s, Date.now()));
  else process.stdout.write(`sensor ${s.name} revoked at ${new Date(s.revokedMs ?? 0).toISOString()}\n`);
}

/** `koban sensor blocks`: the blocks in effect per sensor, and every learned block's evidence. */
export async function listBlocks(flags: DataFlags): Promise<void> {
  const { inEffect, stored } = await withRelational(flags, async (db) => {
    const space = new MonitoredSpace(db);
    return { inEffect: await space.inEffect(), stored: await space.stored() };
  });
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const learned = stored
    .filter((b) => b.origin === 'learned')
    .map((b) => ({
      sensor: b.sensor,
      block: b.block,
      addresses: b.addresses,
      sources: b.sources,
      events: b.events,
      first: iso(b.firstMs),
      last: iso(b.lastMs),
    }));
  if (flags.json) {
    printJson({ sensors: inEffect.map((s) => ({ ...s, blocks: [...s.blocks] })), learned });
    return;
  }
  if (inEffect.length === 0) {
    process.stdout.write(
      'no address blocks known (koban sensor add --address-block, koban detect --blocks, or import logs)\n',
    );
    return;
  }
  const out = [
    table(
      ['sensor', 'origin', 'addresses', 'blocks'],
      inEffect.map((s) => [s.sensor, s.origin, s.addresses, s.blocks.join(' ')]),
    ),
  ];
  if (learned.length > 0) {
    out.push(
      '',
      'learned from destinations (per /24: the smallest block holding every destination seen):',
      table(
        ['sensor', 'block', 'sources', 'events', 'first', 'last'],
        learned.map((b) => [b.sensor, b.block, b.sources, b.events, b.first, b.last]),
      ),
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
