// The write buffers of every file a writer appends to, in one block of
// memory. Each target (a file) owns a region [base, base + cap) of the arena
// holding its waiting lines; the state of all targets lives in three Int32Arrays.
//
// Why not a Buffer per file: a peak hour spreads lines over ~30k category
// files, and a put into a file's own Buffer chases target → Buffer → backing
// store → DataView, four cache misses before the first byte; here it is the
// target's slot in `base`/`len` and the destination bytes. Measured: 2–3x
// faster puts at 30k targets.
//
// A region that fills is moved to the top of the arena with twice the room.
// When the top reaches the end, `drain` is asked to write the fullest targets
// out until the rest, compacted with room to grow, fills at most half the
// arena; then the regions are slid to the front. So each compaction (one sort
// of the targets, one pass of copies) buys at least half an arena of lines.

const MIN_REGION = 256;
/** Runs up to this many bytes are copied by a loop, longer ones natively. */
const SHORT_RUN = 128;

/** A DataView of the last source buffer given, made again only when the buffer changes. */
export class SourceView {
  private source: Uint8Array = new Uint8Array(0);
  private view: DataView = new DataView(new ArrayBuffer(0));

  of(src: Uint8Array): DataView {
    if (src !== this.source) {
      this.source = src;
      this.view = new DataView(src.buffer, src.byteOffset, src.byteLength);
    }
    return this.view;
  }
}

/**
 * Copies a line as the log holds it into bytes[o..]: src[start..end), `,1`
 * when the quantity was left out, a newline; returns the offset after it.
 * `from` views src and `to` views bytes. Lines are ~45 bytes: DataView words
 * beat a byte loop, and a native copy's call costs more than the copy.
 */
export function copyLine(from: DataView, src: Uint8Array, start: number, end: number, unitQuantity: boolean, to: DataView, bytes: Uint8Array, o: number): number {
  let i = start;
  for (; i + 8 <= end; i += 8, o += 8) {
    to.setUint32(o, from.getUint32(i));
    to.setUint32(o + 4, from.getUint32(i + 4));
  }
  for (; i < end; i++) bytes[o++] = src[i];
  if (unitQuantity) {
    bytes[o++] = 44; // ,
    bytes[o++] = 49; // 1
  }
  bytes[o++] = 10;
  return o;
}

export class LineArena {
  readonly bytes: Buffer;
  private readonly view: DataView;
  private top = 0;
  private base = new Int32Array(64);
  private cap = new Int32Array(64);
  /** Bytes waiting per target: whole lines only. */
  len = new Int32Array(64);
  /** Targets added so far; ids are 0..count-1. */
  count = 0;
  /** Bytes waiting across all targets. */
  buffered = 0;
  /** Targets with bytes waiting. */
  private live = 0;
  private readonly sources = new SourceView();

  /**
   * @param size bytes of memory for all buffers (at least 64 KiB)
   * @param drain writes out (and consumes) targets until `crowded` is false
   */
  constructor(
    size: number,
    private readonly drain: () => void,
  ) {
    this.bytes = Buffer.allocUnsafeSlow(Math.max(size, 1 << 16));
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length);
  }

  addTarget(): number {
    if (this.count === this.base.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.base = grow(this.base);
      this.cap = grow(this.cap);
      this.len = grow(this.len);
    }
    return this.count++;
  }

  /** Where target `t`'s waiting lines start in `bytes` (they run for len[t] bytes). */
  offsetOf(t: number): number {
    return this.base[t];
  }

  /** Appends src[start..end), `,1` when `unitQuantity`, and a newline to target t. */
  put(t: number, src: Uint8Array, start: number, end: number, unitQuantity: boolean): void {
    const n = end - start + (unitQuantity ? 3 : 1);
    if (this.len[t] + n > this.cap[t]) this.regrow(t, n);
    copyLine(this.sources.of(src), src, start, end, unitQuantity, this.view, this.bytes, this.base[t] + this.len[t]);
    if (this.len[t] === 0) this.live++;
    this.len[t] += n;
    this.buffered += n;
  }

  /** Appends whole lines src[start..end), newlines included, to target t. */
  putRun(t: number, src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (this.len[t] + n > this.cap[t]) this.regrow(t, n);
    const o = this.base[t] + this.len[t];
    // Most runs are a line or two: a native copy's call costs more than the bytes.
    if (n <= SHORT_RUN) for (let i = 0; i < n; i++) this.bytes[o + i] = src[start + i];
    else this.bytes.set(src.subarray(start, end), o);
    if (this.len[t] === 0) this.live++;
    this.len[t] += n;
    this.buffered += n;
  }

  /** Marks the first `n` waiting bytes of t as written. */
  consume(t: number, n: number): void {
    const base = this.base[t];
    if (n < this.len[t]) this.bytes.copyWithin(base, base + n, base + this.len[t]);
    this.len[t] -= n;
    this.buffered -= n;
    if (n > 0 && this.len[t] === 0) this.live--;
  }

  /**
   * More room than waiting bytes strictly need, once compacted: each region
   * with lines gets twice its lines (MIN_REGION at least) so it can grow a
   * while before it moves again.
   */
  get crowded(): boolean {
    return 2 * this.buffered + MIN_REGION * this.live > this.bytes.length / 2;
  }

  /** Moves t to a region at the top with room for `n` more bytes. */
  private regrow(t: number, n: number): void {
    if (this.top + Math.max(MIN_REGION, 2 * this.cap[t], this.len[t] + n) > this.bytes.length) {
      // Full: write some targets out if lines crowd the arena, then slide
      // the rest down. Afterwards at least half the arena is free at the top.
      if (this.crowded) this.drain();
      this.compact();
      if (this.len[t] + n <= this.cap[t]) return;
    }
    const need = Math.max(MIN_REGION, 2 * this.cap[t], this.len[t] + n);
    if (this.top + need > this.bytes.length) throw new Error(`line arena of ${this.bytes.length} bytes cannot hold ${need} more`);
    this.bytes.copyWithin(this.top, this.base[t], this.base[t] + this.len[t]);
    this.base[t] = this.top;
    this.cap[t] = need;
    this.top += need;
  }

  /**
   * Lays the regions with lines out from the front, in their order, each
   * with twice its lines for room; empty ones give theirs back. A region may
   * move down or (given more room) up: down-movers are copied first, in
   * ascending order, then up-movers in descending order, so no copy lands on
   * lines that have not moved yet.
   */
  private compact(): void {
    const live: number[] = [];
    for (let t = 0; t < this.count; t++) {
      if (this.len[t] > 0) live.push(t);
      else this.cap[t] = 0;
    }
    live.sort((a, b) => this.base[a] - this.base[b]);
    const to = new Int32Array(live.length);
    let top = 0;
    for (let i = 0; i < live.length; i++) {
      to[i] = top;
      this.cap[live[i]] = Math.max(MIN_REGION, 2 * this.len[live[i]]);
      top += this.cap[live[i]];
    }
    const move = (i: number) => {
      const t = live[i];
      this.bytes.copyWithin(to[i], this.base[t], this.base[t] + this.len[t]);
      this.base[t] = to[i];
    };
    for (let i = 0; i < live.length; i++) if (to[i] < this.base[live[i]]) move(i);
    for (let i = live.length - 1; i >= 0; i--) if (to[i] > this.base[live[i]]) move(i);
    this.top = top;
  }
}
