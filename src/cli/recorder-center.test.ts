// `koban recorder run --center` and `verify --center` as processes against a center listening on
// loopback (in this test's process): the stop's seal is countersigned before the run exits, and
// verify checks it with the key and the copies it fetches; `timeline` marks a listed C2 address.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, openApiWorld } from '../../test/api-world.js';
import { HAVE_BUILD, koban, runKoban, waitFor } from '../../test/cli.js';
import { PROJECT_ROOT } from '../../test/samples.js';

let w: ApiWorld;
let server: ServerType;
let center: string;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'koban-recorder-center-cli-'));
  cpSync(join(PROJECT_ROOT, 'test', 'fixtures', 'proc'), join(work, 'proc'), {
    recursive: true,
    verbatimSymlinks: true,
  });
  w = await openApiWorld();
  server = await new Promise<ServerType>((ok) => {
    const s = serve({ fetch: w.app.fetch, port: 0, hostname: '127.0.0.1' }, () => ok(s));
  });
  center = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((ok) => server.close(ok));
  await w.close();
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!HAVE_BUILD)('koban recorder with a center', () => {
  it('countersigns the last seal at stop, verifies against the center, and marks C2 in the timeline', async () => {
    const out = join(work, 'out');
    const seg = join(out, 'segment-000001.ndjson');
    const run = koban([
      'recorder',
      'run',
      '--out',
      out,
      '--proc-root',
      join(work, 'proc'),
      '--utmp',
      join(work, 'proc', 'utmp'),
      '--interval',
      '3600000',
      '--center',
      center,
      '--token',
      w.cast.x.token,
    ]);
    await waitFor(() => {
      try {
        return readFileSync(seg, 'utf8').split('\n').length > 7;
      } catch {
        return false;
      }
    }, 'the first poll written');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const kinds = readFileSync(seg, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).kind);
    expect(kinds.slice(-4)).toEqual(['recorder-stop', 'seal', 'countersign', 'seal']);

    const v = await runKoban([
      'recorder',
      'verify',
      out,
      '--center',
      center,
      '--token',
      w.cast.x.token,
      '--json',
    ]);
    expect(v.code).toBe(0);
    const report = JSON.parse(v.stdout) as { ok: boolean; countersignatures: number; problems: string[] };
    expect([report.ok, report.countersignatures, report.problems]).toEqual([true, 2, []]);

    writeFileSync(join(work, 'c2.txt'), '# the campaign\n198.51.100.7\n');
    const t = await runKoban([
      'recorder',
      'timeline',
      out,
      '--indicators',
      join(work, 'c2.txt'),
      '--remote',
      '198.51.100.0/24',
      '--json',
    ]);
    expect(t.code).toBe(0);
    const { entries } = JSON.parse(t.stdout) as {
      entries: {
        remoteAddr: string;
        process: { pid: number; cmdline: string[] };
        marks: { kind: string }[];
      }[];
    };
    expect(
      entries.map((e) => [e.remoteAddr, e.process.pid, e.process.cmdline[0], e.marks.map((m) => m.kind)]),
    ).toEqual([['198.51.100.7', 200, 'curl', ['c2']]]);
  });

  it('keeps the heads a down center could not take, and the next run has them countersigned', async () => {
    const out = join(work, 'out-later');
    const seg = join(out, 'segment-000001.ndjson');
    const args = (to: string) => [
      'recorder',
      'run',
      '--out',
      out,
      '--proc-root',
      join(work, 'proc'),
      '--utmp',
      join(work, 'proc', 'utmp'),
      '--interval',
      '3600000',
      '--center',
      to,
      '--token',
      w.cast.x.token,
    ];
    const lines = () => {
      try {
        return readFileSync(seg, 'utf8').split('\n').length;
      } catch {
        return 0;
      }
    };
    // The center is down (nothing listens on port 1): the stop's seal cannot be countersigned.
    const down = koban(args('http://127.0.0.1:1'));
    await waitFor(() => lines() > 7, 'the first poll written');
    down.child.kill('SIGTERM');
    expect(await down.exited).toBe(0);
    expect(down.output()).toMatch(/1 not sent \(kept: the next run with --center sends them\)/);
    const kept = JSON.parse(readFileSync(join(out, 'pending-heads.json'), 'utf8')) as {
      heads: { headSeq: number }[];
    };
    expect(kept.heads).toHaveLength(1);
    const seq = kept.heads[0]!.headSeq;

    // The center is back: the next run sends the kept head first, and its countersignature lands.
    const before = lines();
    const up = koban(args(center));
    await waitFor(() => lines() > before + 7, 'the second run’s first poll written');
    up.child.kill('SIGTERM');
    expect(await up.exited).toBe(0);
    expect(up.output()).toContain('sending 1 head(s) an earlier run left unsent');
    const records = readFileSync(seg, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; headSeq?: number });
    expect(records.filter((r) => r.kind === 'countersign').map((r) => r.headSeq)).toContain(seq);
    expect(() => readFileSync(join(out, 'pending-heads.json'))).toThrow();
    const v = await runKoban([
      'recorder',
      'verify',
      out,
      '--center',
      center,
      '--token',
      w.cast.x.token,
      '--json',
    ]);
    expect(v.code).toBe(0);
    expect((JSON.parse(v.stdout) as { ok: boolean; problems: string[] }).problems).toEqual([]);
  });
});
