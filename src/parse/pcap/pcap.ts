/**
 * Darknet packet captures: classic pcap (draft-ietf-opsawg-pcap, µs and ns, either byte order)
 * and pcapng (draft-ietf-opsawg-pcapng, any number of sections and interfaces). Each captured IP
 * packet becomes a `darknet` event; non-IP frames and non-first IP fragments are counted skips;
 * truncated or malformed packets are rejections. A pcapng Simple Packet Block has no timestamp:
 * its event takes the previous packet's time and is counted under {@link SPB_TIME_NOTE}. Streamed with bounded memory: a record inside
 * one chunk is decoded in place, only a record spanning chunks is assembled (`_pcap-file.ts`);
 * packet decoding is in `_packet.ts`.
 *
 * A classic pcap record whose length field lies cannot be skipped (the format has no resync
 * marker), nor can a pcapng block whose framing is broken: the record is rejected with its
 * reason, followed by one `corrupt record header: rest of capture unreadable` rejection, and
 * reading stops; every packet before it is kept.
 */
import { isEvent } from '../../core/index.js';
import { type BinaryFormat, emptyBatch, type ParseBatch, type ParseContext } from '../types.js';
import { PacketDecoder } from './_packet.js';
import { CaptureReader, DONE, FATAL, NEED_MORE, PACKET, sniffCapture } from './_pcap-file.js';

/** The note counting events whose time is the previous packet's (pcapng Simple Packet Blocks). */
export const SPB_TIME_NOTE = 'simple packet block without timestamp: time of the previous packet used';

/** Packets per yielded batch. */
export const PCAP_BATCH_RECORDS = 4096;

async function* parseCapture(
  input: AsyncIterable<Uint8Array>,
  ctx: ParseContext,
): AsyncGenerator<ParseBatch> {
  const reader = new CaptureReader();
  const decoder = new PacketDecoder(ctx.sensor);
  let batch = emptyBatch();
  let record = 0;
  let yielded = false;
  let stopped = false;
  // Resuming an interrupted import: these records were stored before; decode nothing of them.
  let skip = ctx.skipRecords ?? 0;
  for await (const chunk of input) {
    reader.push(chunk);
    for (;;) {
      const r = reader.next();
      if (r === NEED_MORE) break;
      if (r === DONE) {
        stopped = true;
        break;
      }
      record++;
      batch.records++;
      if (skip > 0) {
        skip--;
      } else if (r === PACKET) {
        const out = decoder.decode(
          reader.pb,
          reader.po,
          reader.caplen,
          reader.linkType,
          reader.timeMs,
          reader.origLen,
          reader.littleEndian,
        );
        if (isEvent(out)) {
          batch.events.push(out);
          if (reader.timeInherited) batch.notes.set(SPB_TIME_NOTE, (batch.notes.get(SPB_TIME_NOTE) ?? 0) + 1);
        } else if (out.outcome === 'rejected') batch.rejections.push({ record, reason: out.reason });
        else batch.skipped.set(out.reason, (batch.skipped.get(out.reason) ?? 0) + 1);
      } else {
        batch.rejections.push({ record, reason: reader.reason });
        if (r === FATAL && reader.stopReason !== null) {
          record++;
          batch.records++;
          batch.rejections.push({ record, reason: reader.stopReason });
        }
      }
      if (batch.records >= PCAP_BATCH_RECORDS) {
        batch.bytesRead = reader.consumed;
        yield batch;
        yielded = true;
        batch = emptyBatch();
      }
    }
    // Stop reading at once: what follows a corrupt header cannot be framed.
    if (stopped) break;
  }
  const truncated = reader.finish();
  if (truncated !== null) {
    record++;
    batch.records++;
    batch.rejections.push({ record, reason: truncated });
  }
  batch.bytesRead = stopped ? reader.consumed : reader.received;
  if (batch.records > 0 || !yielded) yield batch;
}

export const pcapFormat: BinaryFormat = {
  name: 'pcap',
  kind: 'binary',
  sniff: sniffCapture,
  parse: parseCapture,
};
