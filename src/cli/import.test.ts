// `koban import` end to end (the built command): what retention removed is reported, a file with
// nothing valid fails, a missing file is named in words, and the store it creates is private.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HAVE_BUILD, runKoban } from '../../test/cli.js';

let dir: string;
let data: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'koban-cli-import-'));
  data = join(dir, 'data');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** An iptables LOG line in RFC 3339 syslog form (nf_log_syslog.c field order). */
const line = (iso: string, port = 1433) =>
  `${iso} gw01 kernel: [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 ` +
  `SRC=198.51.100.7 DST=192.0.2.10 LEN=40 TOS=0x00 PREC=0x00 TTL=240 ID=1 PROTO=TCP SPT=40001 DPT=${port} ` +
  'WINDOW=1024 RES=0x00 SYN URGP=0';

/** The review's file: 23 lines of January 2020 and one dated December (a yearless line's wrong year). */
function historyFile(): string {
  const lines = Array.from({ length: 23 }, (_, i) =>
    line(`2020-01-15T10:${String(i).padStart(2, '0')}:00+00:00`),
  );
  lines.push(line('2020-12-15T10:00:00+00:00'));
  const path = join(dir, 'history.log');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

type ImportJson = {
  stored: number;
  kept: number;
  retention: { from: string; cutoff: string | null; removed: number; removed_older: number };
};

describe.skipIf(!HAVE_BUILD)('koban import', () => {
  it('reports what retention removed of what it stored, and what it kept', async () => {
    const file = historyFile();
    const { code, out } = await runKoban(['import', file, '--data', data]);
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines).toContain(
      'total: 24 records read, 24 events stored (0 kept), 0 duplicates, 0 rejected, 0 skipped',
    );
    // The store it created is its owner's alone.
    expect(statSync(data).mode & 0o777).toBe(0o700);
    expect(statSync(join(data, 'events.duckdb')).mode & 0o777).toBe(0o600);
    expect(lines.at(-1)).toMatch(
      /^retention: 24 of the 24 events stored are older than \d{4}-\d\d-\d\dT[\d:.]+Z \(retentionDays before now\) and were removed as raw events \(hourly totals keep them\); 0 kept \(import history with --history to keep it\)$/,
    );
  });

  it('with --history keeps history: one wrongly dated record does not move the cut-off', async () => {
    const file = historyFile();
    const { code, out } = await runKoban(['import', file, '--history', '--json', '--data', data]);
    expect(code).toBe(0);
    const doc = JSON.parse(out) as ImportJson;
    expect(doc.stored).toBe(24);
    expect(doc.kept).toBe(24);
    // 90 days before the end of January's hour of data, not before December.
    expect(doc.retention).toEqual({
      from: 'newest-event',
      cutoff: new Date(Date.UTC(2020, 0, 15, 11) - 90 * 86_400_000).toISOString(),
      removed: 0,
      removed_older: 0,
    });
  });

  it('exits non-zero when no record of a file is valid, saying so', async () => {
    const file = join(dir, 'not-a-log.txt');
    writeFileSync(file, 'hello\nworld\n');
    const { code, out } = await runKoban(['import', file, '--format', 'iptables', '--data', data]);
    expect(code).toBe(3);
    expect(out).toContain(
      `koban: ${file}: no valid record (2 rejected as iptables; check the file and --format)\n`,
    );
  });

  it('names a missing file in words, not ENOENT, and exits 1', async () => {
    const missing = join(dir, 'nosuch.log');
    const { code, out } = await runKoban(['import', missing, '--data', data]);
    expect(code).toBe(1);
    expect(out).toContain(`FAILED: ${missing}: no such file\n`);
    expect(out).not.toContain('ENOENT');
  });
});
