/**
 * `koban recorder run --out DIR` (poll /proc into a sealed hash chain) and
 * `koban recorder verify DIR` (docs/recorder-format.md).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { KobanError } from '../core/index.js';
import {
  parseCountersignatures,
  publicKeyFromRaw,
  Recorder,
  type VerifyReport,
  verifyRecorderDir,
} from '../recorder/index.js';
import { onStopRequest } from './_lifetime.js';
import { printJson } from './_output.js';

interface RunFlags {
  out: string;
  interval: string;
  maxBytes: string;
  sealEvery: string;
  procRoot: string;
  utmp: string;
}

interface VerifyFlags {
  countersignatures?: string;
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
  const rec = Recorder.open({
    out: flags.out,
    procRoot: flags.procRoot,
    utmpFile: flags.utmp,
    maxBytes: positiveInt('max-bytes', flags.maxBytes),
    sealEvery: positiveInt('seal-every', flags.sealEvery),
  });
  console.error(`recording into ${flags.out} (key ${rec.key.fingerprint}); SIGINT or SIGTERM stops`);
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
      void polling.then(() => {
        rec.stop(why);
        resolve();
      });
    });
    tick();
  });
  console.error(`stopped at record ${rec.lastSeq}, head ${rec.headHash}`);
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

function verify(dir: string, flags: VerifyFlags): void {
  let countersignatures: ReturnType<typeof parseCountersignatures> | undefined;
  if (flags.countersignatures) {
    countersignatures = parseCountersignatures(readFileSync(flags.countersignatures, 'utf8'));
  }
  const centerKey = flags.centerKey
    ? publicKeyFromRaw(readFileSync(flags.centerKey, 'utf8').trim())
    : undefined;
  const r = verifyRecorderDir(dir, {
    centerKey,
    countersignatures: countersignatures?.sigs,
    expectFingerprint: flags.expectKey,
  });
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
    .action(run);
  cmd
    .command('verify <dir>')
    .description('check the chain, gaps, seals and countersignatures; exit status 1 on any problem')
    .option('--countersignatures <file>', "the center's countersignatures, one JSON object a line")
    .option('--center-key <file>', "the center's Ed25519 public key (32 bytes, base64url)")
    .option('--expect-key <fingerprint>', 'the machine key fingerprint the chain must carry')
    .option('--json', 'the report as JSON')
    .action(verify);
}
