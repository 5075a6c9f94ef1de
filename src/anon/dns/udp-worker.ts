/**
 * A worker thread of the DNSBL's UDP side (udp-threads.ts). It reads and answers datagrams on the
 * server's own socket — the same file descriptor, bound by the main thread, which the kernel hands
 * to whichever thread reads first — from the index the main thread shares (lookup.ts `IndexShare`:
 * the rows are not copied). A new index arrives as one message and replaces the old between two
 * datagrams, never during an answer.
 */
import { createSocket } from 'node:dgram';
import { parentPort, workerData } from 'node:worker_threads';
import { AnonymizerIndex } from '../lookup.js';
import { safeAnswer } from './answer.js';
import type { DnsblShare, DnsblSource } from './verdict.js';

export interface UdpWorkerData {
  /** Marks the data as this module's: it runs only in a thread started for it. */
  readonly kind: 'dnsbl-udp';
  readonly fd: number;
  readonly family: 'udp4' | 'udp6';
  readonly zone: string;
  readonly share: DnsblShare;
}

export type ToUdpWorker =
  | { readonly type: 'index'; readonly seq: number; readonly share: DnsblShare }
  | { readonly type: 'probe'; readonly seq: number; readonly query: Uint8Array };

export type FromUdpWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'ack'; readonly seq: number }
  | { readonly type: 'probe'; readonly seq: number; readonly answer: Uint8Array | null }
  | { readonly type: 'error'; readonly message: string };

/**
 * The source a worker answers from: `AnonymizerService.listing` over the shared index, "now" read
 * from the system clock (a service's injected clock stays on its own thread).
 */
function sharedSource(first: DnsblShare): { src: DnsblSource; replace(s: DnsblShare): void } {
  let index = AnonymizerIndex.fromShare(first.index);
  let staleHours = first.staleHours;
  return {
    src: {
      listing: (ip, opts) => index.listingAt(ip, opts.atMs ?? Date.now(), staleHours, opts.port ?? null),
      serialMs: () => index.newestMs,
    },
    replace(s) {
      // One assignment each, in one message handler: no datagram is answered in between.
      index = AnonymizerIndex.fromShare(s.index);
      staleHours = s.staleHours;
    },
  };
}

function run(port: NonNullable<typeof parentPort>, data: UdpWorkerData): void {
  const post = (m: FromUdpWorker) => port.postMessage(m);
  const onError = (e: unknown) => post({ type: 'error', message: (e as Error).message ?? String(e) });
  const source = sharedSource(data.share);
  port.on('message', (m: ToUdpWorker) => {
    if (m.type === 'index') {
      source.replace(m.share);
      post({ type: 'ack', seq: m.seq });
    } else {
      const answer = safeAnswer(Buffer.from(m.query), data.zone, source.src, onError);
      post({ type: 'probe', seq: m.seq, answer });
    }
  });
  const udp = createSocket(data.family);
  udp.on('message', (msg, rinfo) => {
    const out = safeAnswer(msg, data.zone, source.src, onError);
    if (out !== null) udp.send(out, rinfo.port, rinfo.address);
  });
  udp.on('error', onError);
  udp.bind({ fd: data.fd }, () => post({ type: 'ready' }));
}

const data = workerData as Partial<UdpWorkerData> | null;
if (parentPort !== null && data?.kind === 'dnsbl-udp') run(parentPort, data as UdpWorkerData);
