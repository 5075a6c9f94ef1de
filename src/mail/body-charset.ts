/**
 * Character-set decoding of text bodies, done by this project rather than by mailparser's own
 * decoder, so that bodies and headers read a label the same way (charset.ts: the WHATWG decoders
 * plus the aliases real mail needs, GB2312 read as GB18030, UTF-7 per RFC 2152) and so that what
 * had to be guessed is reported. mailparser hands every text part whose charset is not ASCII or
 * UTF-8 to the `Iconv` class it is given; `bodyDecoder` builds one.
 *
 * mailparser never passes a part labelled UTF-7 to that class (a renderer must not decode it, as
 * `+ADw-script+AD4-` is `<script>`); the pre-scan (mime-scan.ts) relabels such parts
 * `UTF7_RELABEL`, which this decoder reads as UTF-7. The text it yields is data, shown escaped.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { IconvConstructor } from 'mailparser';
import { decodeDeclared } from './charset.js';

/** The label the pre-scan gives a UTF-7 part so that mailparser hands it to `bodyDecoder`. */
export const UTF7_RELABEL = 'x-koban-utf-7';

export interface BodyDecoding {
  /** The charset as the part declared it (UTF-7 under its own name). */
  readonly declared: string;
  /** The charset used instead of the declared one, or null when the declared one decoded cleanly. */
  readonly guessed: string | null;
  /** The declared label was unknown or garbled, or the bytes were not valid in it. */
  readonly repaired: boolean;
}

/** An `Iconv`-compatible class that decodes whole parts and reports each decoding to `report`. */
export function bodyDecoder(report: (d: BodyDecoding) => void): IconvConstructor {
  return class BodyDecoder extends Transform {
    private readonly chunks: Buffer[] = [];
    private readonly declared: string;

    constructor(fromCharset: string, _toCharset: string) {
      super();
      const cs = fromCharset.trim();
      this.declared = cs.toLowerCase() === UTF7_RELABEL ? 'utf-7' : cs;
    }

    override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
      this.chunks.push(chunk);
      done();
    }

    // Whole parts, not chunks: a stateful charset (ISO-2022-JP, UTF-7) or a character split between
    // chunks decodes correctly only from the start, and the fallback guess needs all the bytes.
    override _flush(done: TransformCallback): void {
      const bytes = Buffer.concat(this.chunks);
      const d = decodeDeclared(this.declared, bytes);
      report({ declared: this.declared, guessed: d.guessed, repaired: d.repaired });
      this.push(Buffer.from(d.text, 'utf8'));
      done();
    }
  };
}
