/**
 * A read window over a byte stream that arrives in chunks of any size. The parser asks for the
 * first `n` bytes of the unit it is reading (`ensure`) and ends the unit (`consume`); the bytes
 * are a view of the current chunk when the unit lies inside it — the common case, no copy — and
 * otherwise are assembled in a carry buffer that holds at most one unit. `skip` passes over bytes
 * without holding them at all.
 */

export class ChunkWindow {
  /** Bytes of input fully consumed (whole units and skipped bytes). */
  consumed = 0;
  /** Bytes of input pushed so far. */
  received = 0;

  // Where the last successful ensure() found its bytes: `b[o …]`.
  protected b: Uint8Array = new Uint8Array(0);
  protected o = 0;

  private chunk: Uint8Array = this.b;
  private pos = 0;
  private end = 0;
  // Assembly buffer for a unit that spans chunks; carryLen > 0 while one is being assembled.
  private carry: Uint8Array = new Uint8Array(0);
  private carryLen = 0;
  private readonly maxUnit: number;

  /** `maxUnit`: the largest unit ever asked for, to bound how far the carry buffer grows ahead. */
  constructor(maxUnit: number) {
    this.maxUnit = maxUnit;
  }

  /** Bytes the carry buffer holds room for (tests check the memory bound with it). */
  get carryCapacity(): number {
    return this.carry.length;
  }

  /** True while part of a unit waits in the carry buffer for the next chunk. */
  protected get assembling(): boolean {
    return this.carryLen > 0;
  }

  /** Hands over the next chunk; every byte of the previous one has been consumed, carried or skipped. */
  push(chunk: Uint8Array): void {
    this.chunk = chunk;
    this.pos = 0;
    this.end = chunk.length;
    this.received += chunk.length;
  }

  /**
   * Makes the first `n` bytes of the current unit (since the last consume) readable at
   * `this.b[this.o …]`. False when the chunk ran out first: what there was is carried, filled only
   * up to `n`, so a later, larger request for the same unit continues where this one stopped.
   */
  protected ensure(n: number): boolean {
    if (this.carryLen === 0) {
      if (this.end - this.pos >= n) {
        this.b = this.chunk;
        this.o = this.pos;
        return true;
      }
      this.grow(n);
      this.carry.set(this.chunk.subarray(this.pos, this.end), 0);
      this.carryLen = this.end - this.pos;
      this.pos = this.end;
      return false;
    }
    if (this.carryLen < n) {
      this.grow(n);
      const take = Math.min(n - this.carryLen, this.end - this.pos);
      this.carry.set(this.chunk.subarray(this.pos, this.pos + take), this.carryLen);
      this.carryLen += take;
      this.pos += take;
      if (this.carryLen < n) return false;
    }
    this.b = this.carry;
    this.o = 0;
    return true;
  }

  /** Ends the current unit after its first `n` bytes. */
  protected consume(n: number): void {
    this.consumed += n;
    if (this.carryLen === 0) {
      this.pos += n;
    } else if (this.carryLen > n) {
      this.carry.copyWithin(0, n, this.carryLen);
      this.carryLen -= n;
    } else {
      this.carryLen = 0;
    }
  }

  /** Passes over up to `n` bytes of the current chunk (call between units); returns how many. */
  protected skip(n: number): number {
    const take = Math.min(n, this.end - this.pos);
    this.pos += take;
    this.consumed += take;
    return take;
  }

  private grow(n: number): void {
    if (this.carry.length >= n) return;
    const next = new Uint8Array(Math.max(n, Math.min(this.carry.length * 2, this.maxUnit)));
    next.set(this.carry.subarray(0, this.carryLen), 0);
    this.carry = next;
  }
}
