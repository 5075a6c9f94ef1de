/**
 * The worker pool runs only from the compiled build (`npm run build`), so this test loads
 * `dist/intel/reports/parse-pool.js`; it is skipped, and says so, when there is no build.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, PROJECT_ROOT } from '../../../test/samples.js';
import { WarningList } from '../indicators/warning-list.js';
import type * as Pool from './parse-pool.js';
import { prepareEmail } from './prepare-email.js';

const DIST = join(PROJECT_ROOT, 'dist', 'intel', 'reports', 'parse-pool.js');
const BUILT = existsSync(join(PROJECT_ROOT, 'dist', 'intel', 'reports', 'parse-worker.js'));
const load = async () => (await import(DIST)) as typeof Pool;

describe.skipIf(!BUILT)('the e-mail parse pool (compiled build)', () => {
  it('prepares a message in a worker exactly as in the thread, with the same warning list', async () => {
    const { EmailParsePool } = await load();
    const pool = EmailParsePool.create({ workers: 2 })!;
    try {
      const raw = readFileSync(fixture('intel/y-lure-p3.eml'));
      const opts = { reporterDomains: ['p3-denki.example'] };
      const list = new WarningList([{ kind: 'domain', value: 'y-seiki.example', reason: 'test' }]);
      const inThread = await prepareEmail(raw, opts, list);
      const viaPool = await pool.prepare(raw, opts, list);
      expect(viaPool).toEqual(inThread);
      expect(viaPool.candidates.find((c) => c.type === 'mailer-domain')).toBeUndefined();
    } finally {
      await pool.close();
    }
  });

  it('writes the evidence file for a submission but not for a preview (keepEvidence false)', async () => {
    const { EmailParsePool } = await load();
    const dir = mkdtempSync(join(tmpdir(), 'koban-pool-'));
    const pool = EmailParsePool.create({ workers: 1, evidence: { dir, fsync: false } })!;
    try {
      const raw = readFileSync(fixture('intel/x-lure-p1.eml'));
      const preview = await pool.prepare(raw, {}, new WarningList(), false);
      expect(preview.evidenceStored).toBe(false);
      expect(readdirSync(dir, { recursive: true })).toEqual([]);
      const kept = await pool.prepare(raw, {}, new WarningList());
      expect(kept.evidenceStored).toBe(true);
      expect(readdirSync(dir, { recursive: true }).some((f) => String(f).includes(kept.sha256))).toBe(true);
    } finally {
      await pool.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails a message that overruns the heap limit with E_LIMIT and goes on with a fresh worker', async () => {
    const { EmailParsePool } = await load();
    const pool = EmailParsePool.create({ workers: 1, maxHeapMb: 64 })!;
    try {
      const huge = Buffer.concat([
        Buffer.from('From: a@b.example\r\nSubject: big\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'),
        Buffer.from('word http://a.example/x '.repeat(800_000)),
      ]);
      await expect(pool.prepare(huge, {}, new WarningList())).rejects.toMatchObject({
        code: 'E_LIMIT',
        message: expect.stringContaining('memory limit'),
      });
      const ok = await pool.prepare(readFileSync(fixture('intel/x-lure-p1.eml')), {}, new WarningList());
      expect(ok.title).toBe('3月度 定例打合せ資料の送付について');
    } finally {
      await pool.close();
    }
  });

  it('fails a job past its hard deadline with E_LIMIT', async () => {
    const { EmailParsePool } = await load();
    const pool = EmailParsePool.create({ workers: 1, hardTimeoutMs: 1 })!;
    try {
      await expect(
        pool.prepare(readFileSync(fixture('intel/x-lure-p1.eml')), {}, new WarningList()),
      ).rejects.toMatchObject({
        code: 'E_LIMIT',
        message: 'parsing did not finish within 1 ms',
      });
    } finally {
      await pool.close();
    }
  });

  it('refuses a message at once (E_LOCKED, retry delay) while every worker is busy and the queue is full', async () => {
    const { EmailParsePool, PARSE_QUEUE_RETRY_AFTER_S } = await load();
    const pool = EmailParsePool.create({ workers: 1, maxQueue: 1 })!;
    try {
      const raw = readFileSync(fixture('intel/x-lure-p1.eml'));
      const list = new WarningList();
      // The first goes to the worker and the second waits, synchronously; the third finds no room.
      const first = pool.prepare(raw, {}, list);
      const second = pool.prepare(raw, {}, list);
      expect(pool.stats()).toMatchObject({ workers: 1, busy: 1, queued: 1, maxQueue: 1 });
      expect(() => pool.checkCapacity()).toThrow(
        expect.objectContaining({ code: 'E_LOCKED', retryAfterS: PARSE_QUEUE_RETRY_AFTER_S }),
      );
      await expect(pool.prepare(raw, {}, list)).rejects.toMatchObject({
        code: 'E_LOCKED',
        retryAfterS: PARSE_QUEUE_RETRY_AFTER_S,
        message: `the e-mail parsers are busy (1 message(s) waiting); try again in ${PARSE_QUEUE_RETRY_AFTER_S} s`,
      });
      await Promise.all([first, second]);
      expect(pool.stats()).toEqual({
        workers: 1,
        busy: 0,
        queued: 0,
        maxQueue: 1,
        completed: 2,
        failed: 0,
        refused: 1,
      });
      pool.checkCapacity();
    } finally {
      await pool.close();
    }
  });
});
