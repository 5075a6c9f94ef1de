/**
 * `koban recorder run --out DIR [--center URL --token T]` (poll /proc into a sealed hash chain,
 * each seal's head countersigned by the center), `koban recorder verify DIR` and
 * `koban recorder timeline DIR` (recorder-timeline.ts) — docs/recorder-format.md.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { KobanError } from '../core/index.js';
import {
  fetchCenterKey,
  fetchCountersignatures,
  HeadLink,
  parseCountersignatures,
  publicKeyFromRaw,
  Recorder,
  readChain,
  savePendingHeads,
  takePendingHeads,
  type VerifyReport,
  verifyRecorderDir,
} from '../recorder/index.js';
import { onStopRequest } from './_lifetime.js';
import { printJson } from './_output.js';
import { registerTimeline } from './recorder-timeline.js';

interface RunFlags {
  out: string;
  interval: string;
  maxBytes: string;
  sealEvery: string;
  procRoot: string;
  utmp: string;
  center?: string;
  token?: string;
  headQueue: string;
}

/** How long a stopping recorder waits for the center to countersign its last seal. */
const STOP_FLUSH_MS = 10_000;

/** The center link of `--center`, bound to the recorder once it is open. */
function centerLink(flags: RunFlags): { link: HeadLink; bind(rec: Recorder): void } | null {
  if (flags.center === undefined) return null;
  const token = flags.token ?? process.env.KOBAN_TOKEN;
  if (token === undefined)
    throw new KobanError(
      'E_USAGE',
      '--center needs --token (or KOBAN_TOKEN): an API token of your organisation',
    );
  let rec: Recorder | null = null;
  const link = new HeadLink({
    center: flags.center,
    token,
    maxQueue: positiveInt('head-queue', flags.headQueue),
    onCountersigned: (c) => {
      if (!rec?.appendCountersignature(c))
        console.error(`countersignature of record ${c.headSeq} arrived after the stop: ${JSON.stringify(c)}`);
    },
    onProblem: (m) => console.error(m),
  });
  return { link, bind: (r) => (rec = r) };
}

interface VerifyFlags {
  countersignatures?: string;
  center?: string;
  token?: string;
  centerKey?: string;
  expectKey?: string;
  json?: boolean;
}

function positiveInt(what: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new KobanError('E_USAGE', `--${what} must be a positive integer`);
  return n;
}

async function run(flags: RunFlags): Promise<void> {
  const interval = positiveInt('interval', flags.interval);
  const center = centerLink(flags);
  const rec = Recorder.open({
    ...(center ? { onSeal: (h) => center.link.submit(h) } : {}),
    out: flags.out,
    procRoot: flags.procRoot,
    utmpFile: flags.utmp,
    maxBytes: positiveInt('max-bytes', flags.maxBytes),
    sealEvery: positiveInt('seal-every', flags.sealEvery),
  });
  center?.bind(rec);
  console.error(`recording into ${flags.out} (key ${rec.key.fingerprint}); SIGINT or SIGTERM stops`);
  if (center) {
    // What an earlier run could not send goes first (recorder/pending-heads.ts).
    const left = takePendingHeads(flags.out);
    if (left.problem) console.error(left.problem);
    if (left.heads.length > 0)
      console.error(`sending ${left.heads.length} head(s) an earlier run left unsent`);
    for (const h of left.heads) center.link.submit(h);
  }
  let timer: NodeJS.Timeout | null = null;
  let stopping = false;
  let polling: Promise<void> = Promise.resolve();
  await new Promise<void>((resolve) => {
    const tick = () => {
      polling = rec.poll().then(
        () => undefined,
        (e: unknown) => {
          const why = e instanceof Error ? e.message : String(e);
          console.error(`poll failed: ${why}`);
          // The chain says so too: a hole in the record is itself a record.
          try {
            rec.append({
              kind: 'gap',
              reason: 'poll-failed',
              detail: why,
              droppedThroughSeq: null,
              droppedThroughHash: null,
              segments: [],
              bytes: 0,
            });
          } catch {
            // The segment cannot be written either (disk full): the next poll tries again.
          }
        },
      );
      void polling.then(() => {
        if (!stopping) timer = setTimeout(tick, interval);
      });
    };
    onStopRequest((why) => {
      stopping = true;
      if (timer) clearTimeout(timer);
      // The poll in flight writes its records first, so stop and the seal come last.
      void polling
        .then(() => (center ? rec.finish(why, () => center.link.flush(STOP_FLUSH_MS)) : rec.stop(why)))
        .then(resolve, (e: unknown) => {
          console.error(`stop failed: ${e instanceof Error ? e.message : String(e)}`);
          resolve();
        });
    });
    tick();
  });
  console.error(`stopped at record ${rec.lastSeq}, head ${rec.headHash}`);
  if (center) {
    const s = center.link.stats;
    const unsent = center.link.pending();
    savePendingHeads(flags.out, unsent);
    console.error(
      `center: ${s.countersigned} head(s) countersigned, ${unsent.length} not sent${unsent.length > 0 ? ' (kept: the next run with --center sends them)' : ''}, ${s.dropped} dropped`,
    );
  }
}

function printReport(r: VerifyReport): void {
  console.log(
    `${r.ok ? 'OK' : 'FAILED'}: ${r.records} records in ${r.segments} segments (seq ${r.firstSeq ?? '–'}…${r.lastSeq ?? '–'}), ${r.seals} seals, ${r.countersignatures} countersignatures checked`,
  );
  if (r.keyFingerprint) console.log(`machine key ${r.keyFingerprint}`);
  if (r.head) console.log(`head ${r.head}`);
  for (const g of r.gaps) console.log(`gap: ${g}`);
  for (const w of r.warnings) console.log(`warning: ${w}`);
  for (const p of r.problems) console.log(`problem: ${p}`);
}

/** The machine key the chain declares (its first recorder-start or seal), for asking the center. */
function chainFingerprint(dir: string): string | null {
  for (const r of readChain(dir).records)
    if (r.kind === 'recorder-start' || r.kind === 'seal') return r.keyFingerprint;
  return null;
}

/** `--center`: the center's key (unless pinned) and, with a token, its copies of the countersignatures. */
async function fromCenter(dir: string, flags: VerifyFlags, notes: string[]) {
  if (flags.center === undefined) return { key: undefined, sigs: [] };
  const access = { center: flags.center, token: flags.token ?? process.env.KOBAN_TOKEN };
  let key: string | undefined;
  if (flags.centerKey === undefined) {
    key = await fetchCenterKey(access);
    notes.push(`center key ${key} fetched from ${flags.center}: pin it with --center-key`);
  }
  const fp = flags.expectKey ?? chainFingerprint(dir);
  if (access.token === undefined || fp === null) return { key, sigs: [] };
  return { key, sigs: await fetchCountersignatures(access, fp) };
}

async function verify(dir: string, flags: VerifyFlags): Promise<void> {
  let countersignatures: ReturnType<typeof parseCountersignatures> | undefined;
  if (flags.countersignatures) {
    countersignatures = parseCountersignatures(readFileSync(flags.countersignatures, 'utf8'));
  }
  const notes: string[] = [];
  const center = await fromCenter(dir, flags, notes);
  const keyText = flags.centerKey ? readFileSync(flags.centerKey, 'utf8').trim() : center.key;
  const centerKey = keyText === undefined ? undefined : publicKeyFromRaw(keyText);
  const r = verifyRecorderDir(dir, {
    centerKey,
    countersignatures: [...(countersignatures?.sigs ?? []), ...center.sigs],
    expectFingerprint: flags.expectKey,
  });
  r.warnings.push(...notes);
  if (countersignatures && countersignatures.rejected > 0) {
    r.problems.push(
      `${flags.countersignatures}: ${countersignatures.rejected} malformed countersignature lines`,
    );
    r.ok = false;
  }
  if (flags.json) printJson(r);
  else printReport(r);
  if (!r.ok) process.exitCode = 1;
}

export function registerRecorder(program: Command): void {
  const cmd = program
    .command('recorder')
    .description("the activity recorder: this machine's processes and connections as a sealed hash chain");
  cmd
    .command('run')
    .description('poll /proc and record process starts and ends and connections until SIGINT or SIGTERM')
    .requiredOption('--out <dir>', 'the recorder directory (created; holds the key and the segments)')
    .option('--interval <ms>', 'milliseconds between polls', '5000')
    .option(
      '--max-bytes <n>',
      'disk budget of all segments; the oldest are dropped beyond it (a gap record says so)',
      String(256 * 1024 * 1024),
    )
    .option('--seal-every <n>', 'sign the chain head after this many records (and always at stop)', '1000')
    .option('--proc-root <dir>', 'where procfs is mounted (a fake tree for tests)', '/proc')
    .option('--utmp <file>', 'the utmp file for logins and logouts', '/var/run/utmp')
    .option(
      '--center <url>',
      "send each seal's head to this center for a countersignature (kept in the chain)",
    )
    .option('--token <token>', 'an API token of your organisation (with --center; or KOBAN_TOKEN)')
    .option('--head-queue <n>', 'heads kept while the center is unreachable (the oldest are dropped)', '64')
    .action(run);
  cmd
    .command('verify <dir>')
    .description('check the chain, gaps, seals and countersignatures; exit status 1 on any problem')
    .option('--countersignatures <file>', "the center's countersignatures, one JSON object a line")
    .option(
      '--center <url>',
      "fetch the center's key (unless --center-key) and, with --token, its copies of the countersignatures",
    )
    .option('--token <token>', 'an API token of the organisation the machine belongs to (or KOBAN_TOKEN)')
    .option('--center-key <file>', "the center's Ed25519 public key (32 bytes, base64url)")
    .option('--expect-key <fingerprint>', 'the machine key fingerprint the chain must carry')
    .option('--json', 'the report as JSON')
    .action(verify);
  registerTimeline(cmd);
}
