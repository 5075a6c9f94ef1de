/**
 * Many literal strings found in one pass (Aho & Corasick, "Efficient string matching", CACM 18(6),
 * 1975), case-insensitively. The shareable view replaces every private value in every string it
 * keeps; a message can name thousands of recipients, and one regular expression alternating
 * thousands of needles is tried needle by needle at every position of a 4 MB body. This is
 * linear in the text whatever the number of needles.
 */

/** A needle, what replaces it, and which of its occurrences count (word boundaries). */
export interface Needle {
  readonly text: string;
  readonly replacement: string;
  /** Whether the occurrence at [start, end) of `s` is one to replace; every one when absent. */
  readonly accept?: (s: string, start: number, end: number) => boolean;
}

const foldCache = new Map<number, number>();

/** Lower case per UTF-16 code unit, keeping lengths equal (a fold that would change a length is skipped). */
function fold(c: number): number {
  if (c < 0x80) return c >= 0x41 && c <= 0x5a ? c + 32 : c;
  let f = foldCache.get(c);
  if (f === undefined) {
    const l = String.fromCharCode(c).toLowerCase();
    f = l.length === 1 ? l.charCodeAt(0) : c;
    foldCache.set(c, f);
  }
  return f;
}

export class NeedleSet {
  private readonly next: Map<number, number>[] = [new Map()];
  private readonly fail: number[] = [0];
  /** Needle ending at each state (index into `needles`), or -1. */
  private readonly terminal: number[] = [-1];
  /** Nearest state down the failure chain that ends a needle (the dictionary suffix link), or -1. */
  private readonly dict: number[] = [-1];
  private readonly needles: Needle[] = [];

  constructor(needles: Iterable<Needle>) {
    for (const n of needles) if (n.text !== '') this.insert(n);
    this.link();
  }

  get size(): number {
    return this.needles.length;
  }

  private insert(n: Needle): void {
    let state = 0;
    for (let i = 0; i < n.text.length; i++) {
      const c = fold(n.text.charCodeAt(i));
      let to = this.next[state]!.get(c);
      if (to === undefined) {
        to = this.next.length;
        this.next.push(new Map());
        this.fail.push(0);
        this.terminal.push(-1);
        this.dict.push(-1);
        this.next[state]!.set(c, to);
      }
      state = to;
    }
    // The first needle of a text wins (callers list the stronger replacement first).
    if (this.terminal[state] === -1) {
      this.terminal[state] = this.needles.length;
      this.needles.push(n);
    }
  }

  private link(): void {
    const queue: number[] = [];
    for (const to of this.next[0]!.values()) queue.push(to);
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q]!;
      for (const [c, to] of this.next[s]!) {
        let f = this.fail[s]!;
        while (f !== 0 && !this.next[f]!.has(c)) f = this.fail[f]!;
        const g = this.next[f]!.get(c);
        this.fail[to] = g !== undefined && g !== to ? g : 0;
        const ft = this.fail[to]!;
        this.dict[to] = this.terminal[ft] !== -1 ? ft : this.dict[ft]!;
        queue.push(to);
      }
    }
  }

  /** Replaces the accepted occurrences, leftmost first and the longest at each start, without overlaps. */
  replace(s: string): string {
    if (this.needles.length === 0 || s === '') return s;
    // The longest accepted needle beginning at each position: two arrays, not a map, so that a
    // body matching at every position costs 8 bytes a character and no more.
    let bestEnd: Int32Array | null = null;
    let bestNeedle: Int32Array | null = null;
    let state = 0;
    for (let i = 0; i < s.length; i++) {
      const c = fold(s.charCodeAt(i));
      let to = this.next[state]!.get(c);
      while (to === undefined && state !== 0) {
        state = this.fail[state]!;
        to = this.next[state]!.get(c);
      }
      state = to ?? 0;
      let walked = 0;
      for (let t = this.terminal[state] !== -1 ? state : this.dict[state]!; t !== -1; t = this.dict[t]!) {
        // Needles nested as suffixes of one another, many deep, only in a hostile message: bounded.
        if (++walked > MAX_NESTED) break;
        const k = this.terminal[t]!;
        const n = this.needles[k]!;
        const start = i + 1 - n.text.length;
        if (n.accept && !n.accept(s, start, i + 1)) continue;
        bestEnd ??= new Int32Array(s.length);
        bestNeedle ??= new Int32Array(s.length);
        if (i + 1 > bestEnd[start]!) {
          bestEnd[start] = i + 1;
          bestNeedle[start] = k;
        }
      }
    }
    if (bestEnd === null || bestNeedle === null) return s;
    const out: string[] = [];
    let at = 0;
    for (let start = 0; start < s.length; start++) {
      const end = bestEnd[start]!;
      if (end === 0 || start < at) continue;
      out.push(s.slice(at, start), this.needles[bestNeedle[start]!]!.replacement);
      at = end;
    }
    out.push(s.slice(at));
    return out.join('');
  }
}

const MAX_NESTED = 32;
