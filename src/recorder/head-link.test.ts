/**
 * The recorder's link to the center: recording never waits for it; a center that is down keeps
 * the heads in a bounded queue retried on the back-off rule (scheduled through an injected timer,
 * run by hand: no sleeping), a refusal drops the head and says so, and answers that are not a
 * countersignature of the head sent are not taken for one.
 */
import { describe, expect, it } from 'vitest';
import { countersignHead } from './countersign.js';
import type { Countersignature } from './format.js';
import { type FetchLike, type Head, HeadLink } from './head-link.js';
import { generateSigningKey } from './keys.js';

const center = generateSigningKey().key;
const machine = generateSigningKey().key;
const head = (seq: number): Head => ({
  keyFingerprint: machine.fingerprint,
  publicKey: machine.publicKey,
  headSeq: seq,
  head: seq.toString(16).padStart(64, '0'),
});

/** A center whose answers the test scripts: `down` throws as fetch does when nothing listens. */
function world() {
  const w = {
    down: true,
    status: 201,
    sent: [] as number[],
    timers: [] as { run: () => void; ms: number }[],
    got: [] as Countersignature[],
    problems: [] as string[],
  };
  const fetchFn: FetchLike = async (_url, init) => {
    const body = JSON.parse(String(init.body)) as Head;
    w.sent.push(body.headSeq);
    if (w.down) throw new TypeError('fetch failed');
    const { keyFingerprint, headSeq, head } = body;
    const c = countersignHead(center, { keyFingerprint, headSeq, head }, Date.UTC(2026, 11, 7, 12));
    return new Response(
      JSON.stringify(w.status < 300 ? c : { error: { code: 'E_CONFLICT', message: 'held' } }),
      {
        status: w.status,
      },
    );
  };
  const link = new HeadLink({
    center: 'http://127.0.0.1:9',
    token: 't',
    maxQueue: 3,
    fetch: fetchFn,
    backoff: { baseMs: 1000, maxMs: 8000 },
    schedule: (run, ms) => {
      const t = { run, ms };
      w.timers.push(t);
      return { cancel: () => w.timers.splice(w.timers.indexOf(t), 1) };
    },
    onCountersigned: (c) => w.got.push(c),
    onProblem: (m) => w.problems.push(m),
  });
  return { w, link };
}

describe('HeadLink', () => {
  it('keeps heads while the center is down, backs off, and sends them in order once it is up', async () => {
    const { w, link } = world();
    link.submit(head(1));
    await link.pump();
    link.submit(head(2));
    await link.pump();
    expect(w.sent).toEqual([1]);
    expect(w.timers.map((t) => t.ms)).toEqual([1000]);
    expect(link.pending().map((h) => h.headSeq)).toEqual([1, 2]);
    w.timers.shift()!.run();
    await link.pump();
    expect(w.timers.map((t) => t.ms)).toEqual([2000]);
    w.down = false;
    w.timers.shift()!.run();
    await link.pump();
    expect(w.got.map((c) => c.headSeq)).toEqual([1, 2]);
    expect(link.pending()).toEqual([]);
    expect(link.stats).toMatchObject({ countersigned: 2, dropped: 0, failedTries: 2 });
  });

  it('forgets the oldest heads beyond its bound, and says so', async () => {
    const { w, link } = world();
    for (const s of [1, 2, 3, 4, 5]) link.submit(head(s));
    await link.pump();
    expect(link.pending().map((h) => h.headSeq)).toEqual([3, 4, 5]);
    expect(link.stats.dropped).toBe(2);
    expect(w.problems.filter((p) => p.startsWith('head queue full'))).toEqual([
      "head queue full: record 1's head will not be countersigned",
      "head queue full: record 2's head will not be countersigned",
    ]);
  });

  it('drops a head the center refuses (409) and goes on with the next', async () => {
    const { w, link } = world();
    w.down = false;
    w.status = 409;
    link.submit(head(7));
    await link.pump();
    expect(w.problems).toEqual(["the center refused record 7's head: HTTP 409: held"]);
    expect(w.timers).toEqual([]);
    w.status = 201;
    link.submit(head(8));
    await link.pump();
    expect(w.got.map((c) => c.headSeq)).toEqual([8]);
  });

  it('does not take a countersignature of another head for this one', async () => {
    const { w, link } = world();
    w.down = false;
    const lying: FetchLike = async () =>
      new Response(
        JSON.stringify(
          countersignHead(
            center,
            { keyFingerprint: machine.fingerprint, headSeq: 9, head: 'f'.repeat(64) },
            0,
          ),
        ),
        { status: 201 },
      );
    const l2 = new HeadLink({
      center: 'http://127.0.0.1:9',
      token: 't',
      fetch: lying,
      onCountersigned: (c) => w.got.push(c),
      onProblem: (m) => w.problems.push(m),
    });
    l2.submit(head(9));
    await l2.pump();
    expect(w.got).toEqual([]);
    expect(w.problems).toEqual([
      "the center refused record 9's head: HTTP 201 without a countersignature of this head",
    ]);
    void link;
  });
});
