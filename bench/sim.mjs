#!/usr/bin/env node
// Simulator throughput: `node bench/sim.mjs [--out DIR] [--days N] [--rate R] [--workers W] [--repeat K]`
// after `npm run build`. For each format set it times `simulate()` (background traffic only, 57
// sensors) and prints packets/s (firewall log lines + darknet packets), records/s (all files' data
// records, EVE alerts included) and MB/s. Best of K runs; the output directory is cleared first and
// not timed. Put the output on tmpfs (/dev/shm) to measure generation, on disk to include the disk.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join(tmpdir(), 'koban-bench-sim') },
    days: { type: 'string', default: '2' },
    rate: { type: 'string', default: '50000' },
    workers: { type: 'string', default: '0,2' },
    repeat: { type: 'string', default: '3' },
    lib: { type: 'string', default: new URL('../dist/sim/index.js', import.meta.url).href },
  },
});
const { simulate } = await import(values.lib);
const sets = [['iptables'], ['eve'], ['pcap'], ['iptables', 'eve', 'pcap']];
for (const workers of values.workers.split(',').map(Number)) {
  for (const formats of sets) {
    let best = null;
    for (let k = 0; k < Number(values.repeat); k++) {
      rmSync(values.out, { recursive: true, force: true });
      const t0 = performance.now();
      const r = await simulate({
        outDir: values.out,
        days: Number(values.days),
        ratePerSensorPerDay: Number(values.rate),
        seed: 1,
        formats,
        workers,
      });
      const s = (performance.now() - t0) / 1000;
      const records = r.manifest.sensors.flatMap((x) => x.files).reduce((a, f) => a + f.records, 0);
      if (!best || s < best.seconds) best = { seconds: s, packets: r.events, records, bytes: r.bytes };
    }
    console.log(
      JSON.stringify({
        formats: formats.join(','),
        workers,
        seconds: +best.seconds.toFixed(2),
        packets: best.packets,
        records: best.records,
        packets_per_s: Math.round(best.packets / best.seconds),
        records_per_s: Math.round(best.records / best.seconds),
        mb_per_s: Math.round(best.bytes / 1e6 / best.seconds),
      }),
    );
  }
}
rmSync(values.out, { recursive: true, force: true });
