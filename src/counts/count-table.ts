// Net units per product id, for the map jobs' inner loop (tens of millions
// of lines an hour), hand-written because a JS Map<number, number> of
// millions of entries costs far more time and memory. It starts as an
// open-addressing hash table on two typed arrays (product id 0 is never
// valid, so 0 marks an empty slot). Once it holds many products (a peak
// hour sells millions) random probes into a table far bigger than the CPU
// caches would dominate, so it stops growing. Its sums move to an
// append-only list of (id, units) pairs (sequential writes only), and a
// small direct-mapped combiner (MapReduce's term) takes its place: a
// product keeps the slot it was first to claim and sums there, and every
// other line is appended to the list. toBlock sums the list by product in
// a few cache-friendly passes (sumPairs) instead of one cache miss per line.

export interface Block {
  /** Product ids, strictly ascending. */
  readonly ids: Uint32Array;
  /** Net units of ids[i]; never 0. */
  readonly sales: Int32Array;
}

export const EMPTY_BLOCK: Block = Object.freeze({ ids: new Uint32Array(0), sales: new Int32Array(0) });

/** Distinct ids in the hash table that make it turn into a pair list. */
const PAIRS_AFTER = 1 << 17;
/** Slots of the combiner that replaces it: 512 KB, well inside one core's 4 MB L2 here. */
const COMBINER_BITS = 16;
/**
 * The most pairs a bound on the adds sizes the list for at once (2 × 128 MB):
 * a range of a huge log grows its list from there, by copying, rather than
 * reserve gigabytes up front.
 */
const MAX_PRESIZED_PAIRS = 1 << 25;

export class CountTable {
  private keys: Uint32Array;
  private vals: Int32Array;
  private bits: number;
  private used = 0;
  private pairIds: Uint32Array | undefined;
  private pairQty: Int32Array | undefined;
  private pairs = 0;
  private maxPairId = 0;

  /**
   * `expected` distinct ids size the hash table; `addsAtMost`, when known (a
   * range of a log holds at most so many lines), sizes the pair list once,
   * so it never grows by copying. Its pages are touched only as it fills.
   */
  constructor(
    expected = 8,
    private readonly addsAtMost = 0,
  ) {
    this.bits = Math.max(4, Math.ceil(Math.log2(expected * 2)));
    this.keys = new Uint32Array(1 << this.bits);
    this.vals = new Int32Array(1 << this.bits);
  }

  add(id: number, quantity: number): void {
    if (this.pairIds !== undefined) {
      this.combine(id, quantity);
      return;
    }
    const keys = this.keys;
    const mask = keys.length - 1;
    let i = Math.imul(id, 0x9e3779b1) >>> (32 - this.bits);
    for (;;) {
      const k = keys[i];
      if (k === id) {
        this.vals[i] += quantity;
        return;
      }
      if (k === 0) break;
      i = (i + 1) & mask;
    }
    keys[i] = id;
    this.vals[i] = quantity;
    if (++this.used * 2 > keys.length) {
      if (this.used >= PAIRS_AFTER) this.startPairs();
      else this.grow();
    }
  }

  /** Units of one id in the hash table (before it turns into pairs). */
  private get(id: number): number {
    const keys = this.keys;
    const mask = keys.length - 1;
    let i = Math.imul(id, 0x9e3779b1) >>> (32 - this.bits);
    for (;;) {
      const k = keys[i];
      if (k === id) return this.vals[i];
      if (k === 0) return 0;
      i = (i + 1) & mask;
    }
  }

  /** The non-zero entries, sorted by product id. */
  toBlock(): Block {
    if (this.pairIds !== undefined) {
      // The combiner's sums join the pairs, and it empties: a later add or toBlock stays exact.
      this.flushCombiner();
      return sumPairs(this.pairIds, this.pairQty!, this.pairs, this.maxPairId);
    }
    const ids = new Uint32Array(this.used);
    let n = 0;
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== 0 && this.vals[i] !== 0) ids[n++] = this.keys[i];
    const sorted = ids.subarray(0, n).sort();
    const sales = new Int32Array(n);
    for (let i = 0; i < n; i++) sales[i] = this.get(sorted[i]);
    return { ids: sorted.slice(), sales };
  }

  private startPairs(): void {
    // Every add makes at most one pair: addsAtMost pairs never need to grow.
    const size = Math.max(Math.min(this.addsAtMost, MAX_PRESIZED_PAIRS), this.used * 4);
    this.pairIds = new Uint32Array(size);
    this.pairQty = new Int32Array(size);
    this.flushCombiner();
    this.bits = COMBINER_BITS;
    this.keys = new Uint32Array(1 << COMBINER_BITS);
    this.vals = new Int32Array(1 << COMBINER_BITS);
  }

  /** One probe: the product's own slot, an empty slot it claims, or the pair list. */
  private combine(id: number, quantity: number): void {
    const i = Math.imul(id, 0x9e3779b1) >>> (32 - COMBINER_BITS);
    const k = this.keys[i];
    if (k === id) this.vals[i] += quantity;
    else if (k === 0) {
      this.keys[i] = id;
      this.vals[i] = quantity;
    } else this.addPair(id, quantity);
  }

  private flushCombiner(): void {
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== 0) this.addPair(this.keys[i], this.vals[i]);
    this.keys.fill(0);
  }

  private addPair(id: number, quantity: number): void {
    if (this.pairs === this.pairIds!.length) this.growPairs();
    this.pairIds![this.pairs] = id;
    this.pairQty![this.pairs++] = quantity;
    if (id > this.maxPairId) this.maxPairId = id;
  }

  private growPairs(): void {
    const ids = new Uint32Array(this.pairIds!.length * 2);
    ids.set(this.pairIds!);
    const qty = new Int32Array(ids.length);
    qty.set(this.pairQty!);
    this.pairIds = ids;
    this.pairQty = qty;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    this.bits++;
    this.keys = new Uint32Array(1 << this.bits);
    this.vals = new Int32Array(1 << this.bits);
    this.used = 0;
    for (let i = 0; i < oldKeys.length; i++) if (oldKeys[i] !== 0) this.add(oldKeys[i], oldVals[i]);
  }
}

/**
 * LSD radix sort of n (id, value) pairs by id, stable: 12-bit digits, a pass
 * skipped when every id shares its digit (ids below 2^24 take two passes).
 * May return the inputs themselves, or sort into new arrays.
 */
export function radixSortPairs(ids: Uint32Array, qty: Int32Array, n: number): [Uint32Array, Int32Array, number] {
  let srcI: Uint32Array = ids;
  let srcQ: Int32Array = qty;
  let dstI: Uint32Array = new Uint32Array(n);
  let dstQ: Int32Array = new Int32Array(n);
  const counts = new Uint32Array(4096);
  for (let shift = 0; shift < 32; shift += 12) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(srcI[i] >>> shift) & 4095]++;
    if (counts[(srcI[0] >>> shift) & 4095] === n) continue;
    let sum = 0;
    for (let d = 0; d < 4096; d++) {
      const c = counts[d];
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const at = counts[(srcI[i] >>> shift) & 4095]++;
      dstI[at] = srcI[i];
      dstQ[at] = srcQ[i];
    }
    [srcI, dstI] = [dstI, srcI];
    [srcQ, dstQ] = [dstQ, srcQ];
  }
  return [srcI, srcQ, n];
}

/** Sums runs of equal ids in sorted pairs into a block, dropping zero nets. */
function sumSortedRuns(ids: Uint32Array, qty: Int32Array, n: number): Block {
  const outIds = new Uint32Array(n);
  const outSales = new Int32Array(n);
  let m = 0;
  for (let i = 0; i < n; ) {
    const id = ids[i];
    let total = 0;
    while (i < n && ids[i] === id) total += qty[i++];
    if (total !== 0) {
      outIds[m] = id;
      outSales[m++] = total;
    }
  }
  return { ids: outIds.slice(0, m), sales: outSales.slice(0, m) };
}

/** Product ids one partition of sumPairs spans: 1 MB of sums, inside one core's L2. */
const SPAN_BITS = 18;
const SPAN_MASK = (1 << SPAN_BITS) - 1;

/**
 * Sums n unsorted (id, units) pairs by id into a block, dropping zero nets.
 * When the ids are dense (maxId under 16 per pair, as a catalog's ids are
 * for a peak hour's millions of lines), one pass scatters the pairs into
 * partitions of 2^18 ids and a second adds each partition into an array of
 * sums indexed by id, read back in order: two passes where the radix sort
 * needs three for ids past 2^24, and no sort at all. 2.1M pairs of random
 * ids below 18.75M: 48–60 ms here, against 86–114 ms for the radix sort
 * and sum. Sparse ids (few pairs across the 32-bit range) take the radix
 * sort.
 */
export function sumPairs(ids: Uint32Array, qty: Int32Array, n: number, maxId: number): Block {
  if (maxId >= 16 * n || maxId >= 2 ** 30) return sumSortedRuns(...radixSortPairs(ids, qty, n));
  const parts = (maxId >>> SPAN_BITS) + 1;
  const starts = new Uint32Array(parts + 1);
  for (let i = 0; i < n; i++) starts[(ids[i] >>> SPAN_BITS) + 1]++;
  for (let p = 0; p < parts; p++) starts[p + 1] += starts[p];
  let byPartId = ids;
  let byPartQty = qty;
  if (parts > 1) {
    const at = starts.slice(0, parts);
    byPartId = new Uint32Array(n);
    byPartQty = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const id = ids[i];
      const k = at[id >>> SPAN_BITS]++;
      byPartId[k] = id;
      byPartQty[k] = qty[i];
    }
  }
  const sums = new Int32Array(Math.min(1 << SPAN_BITS, maxId + 1));
  // One bit per id summed: the read back visits those, not the whole span
  // (a tenth of it holds a sum in a peak hour, at random).
  const touched = new Int32Array((sums.length + 31) >>> 5);
  // The sums of partitions 0..p take no more entries than their pairs, and
  // partition p is read whole before its sums are written: they can go over
  // the scattered pairs, our own copy. Unscattered, the pairs are the caller's.
  const outIds = parts > 1 ? byPartId : new Uint32Array(n);
  const outSales = parts > 1 ? byPartQty : new Int32Array(n);
  let m = 0;
  for (let p = 0; p < parts; p++) {
    for (let i = starts[p]; i < starts[p + 1]; i++) {
      const j = byPartId[i] & SPAN_MASK;
      sums[j] += byPartQty[i];
      touched[j >>> 5] |= 1 << (j & 31);
    }
    const base = p << SPAN_BITS;
    for (let w = 0; w < touched.length; w++) {
      let bits = touched[w];
      if (bits === 0) continue;
      touched[w] = 0;
      do {
        const low = bits & -bits;
        bits ^= low;
        const j = (w << 5) | (31 - Math.clz32(low));
        const v = sums[j];
        if (v !== 0) {
          outIds[m] = base + j;
          outSales[m++] = v;
          sums[j] = 0;
        }
      } while (bits !== 0);
    }
  }
  // Views, not copies to the exact size: a block is soon merged into new arrays, or written out.
  return { ids: outIds.subarray(0, m), sales: outSales.subarray(0, m) };
}

/**
 * Room for many blocks in two arrays: each block merged into it takes the
 * entries it needs, as views, and the next one starts right after. Moving
 * the window merges 30k groups: one allocation instead of two per group,
 * and a block that lost entries (products whose only sales left the
 * window) needs no copy to its final size. With the hour's sums made the
 * same way (window.ts) and short runs copied by hand (below), moving a
 * 10.7M-entry week by a normal hour went from 617–815 to 417–513 ms of CPU.
 */
export class BlockBuffer {
  readonly ids: Uint32Array;
  readonly sales: Int32Array;
  used = 0;

  constructor(size: number) {
    this.ids = new Uint32Array(size);
    this.sales = new Int32Array(size);
  }
}

/**
 * a + sign·b for two sorted blocks; entries netting to zero are dropped.
 * Moving the window merges one hour (b, small) into a week (a, large) for
 * each of 30k groups: then the runs of `a` between b's ids are found by
 * galloping search and copied whole (memcpy), not element by element.
 * With `into`, the result is views of its next free entries.
 */
export function mergeTwo(a: Block, b: Block, sign = 1, into?: BlockBuffer): Block {
  const size = a.ids.length + b.ids.length;
  const out = into ?? new BlockBuffer(size);
  const at = out.used;
  if (at + size > out.ids.length) throw new Error(`block buffer of ${out.ids.length} entries cannot hold ${size} more`);
  // Galloping pays when b is much smaller than a; blocks of like size merge element by element.
  const n = b.ids.length * 8 < a.ids.length ? mergeGalloping(a, b, sign, out, at) : mergeRunsInto(wholeRun(a), wholeRun(b), sign, out, at);
  if (!into) return n === size ? out : { ids: out.ids.slice(0, n), sales: out.sales.slice(0, n) };
  into.used = at + n;
  return n === 0 ? EMPTY_BLOCK : { ids: into.ids.subarray(at, at + n), sales: into.sales.subarray(at, at + n) };
}

/**
 * Runs shorter than this are copied element by element: a native copy
 * needs two subarray views, whose allocation costs more than the copy.
 */
const SHORT_RUN = 64;

/** mergeRunsInto for a small b: returns the entries written from `at`. */
function mergeGalloping(a: Block, b: Block, sign: number, out: Block, at: number): number {
  const aIds = a.ids;
  const aSales = a.sales;
  const bIds = b.ids;
  const bSales = b.sales;
  const an = aIds.length;
  const bn = bIds.length;
  const { ids, sales } = out;
  let i = 0;
  let n = at;
  for (let j = 0; j < bn; j++) {
    const y = bIds[j];
    const end = firstAtLeast(aIds, y, i);
    if (end - i >= SHORT_RUN) {
      ids.set(aIds.subarray(i, end), n);
      sales.set(aSales.subarray(i, end), n);
      n += end - i;
      i = end;
    } else {
      for (; i < end; i++, n++) {
        ids[n] = aIds[i];
        sales[n] = aSales[i];
      }
    }
    if (i < an && aIds[i] === y) {
      const total = aSales[i++] + sign * bSales[j];
      if (total !== 0) {
        ids[n] = y;
        sales[n++] = total;
      }
    } else {
      ids[n] = y;
      sales[n++] = sign * bSales[j];
    }
  }
  if (i < an) {
    ids.set(aIds.subarray(i), n);
    sales.set(aSales.subarray(i), n);
    n += an - i;
  }
  return n - at;
}

/** A sorted run of a block: entries [from, to) of ids/sales. */
export interface Run {
  ids: Uint32Array;
  sales: Int32Array;
  from: number;
  to: number;
}

const wholeRun = (b: Block): Run => ({ ids: b.ids, sales: b.sales, from: 0, to: b.ids.length });

/**
 * a + sign·b for two sorted runs, element by element, into out from `at`
 * (entries netting to zero dropped); returns the entries written.
 */
export function mergeRunsInto(a: Run, b: Run, sign: number, out: Block, at: number): number {
  const { ids: aIds, sales: aSales, to: aEnd } = a;
  const { ids: bIds, sales: bSales, to: bEnd } = b;
  const { ids, sales } = out;
  let i = a.from;
  let j = b.from;
  let n = at;
  while (i < aEnd && j < bEnd) {
    const x = aIds[i];
    const y = bIds[j];
    if (x < y) {
      ids[n] = x;
      sales[n++] = aSales[i++];
    } else if (y < x) {
      ids[n] = y;
      sales[n++] = sign * bSales[j++];
    } else {
      const total = aSales[i++] + sign * bSales[j++];
      if (total !== 0) {
        ids[n] = x;
        sales[n++] = total;
      }
    }
  }
  if (i < aEnd) {
    ids.set(aIds.subarray(i, aEnd), n);
    sales.set(aSales.subarray(i, aEnd), n);
    n += aEnd - i;
  }
  for (; j < bEnd; j++) {
    ids[n] = bIds[j];
    sales[n++] = sign * bSales[j];
  }
  return n - at;
}

/** The first index at or after `from` whose id is >= y (galloping, then binary search). */
function firstAtLeast(idsArr: Uint32Array, y: number, from: number): number {
  const n = idsArr.length;
  if (from >= n || idsArr[from] >= y) return from;
  let step = 1;
  let lo = from;
  let hi = from + 1;
  while (hi < n && idsArr[hi] < y) {
    lo = hi;
    step *= 2;
    hi = from + step;
  }
  if (hi > n) hi = n;
  // idsArr[lo] < y, and idsArr[hi] >= y or hi === n
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (idsArr[mid] < y) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * Sum of sorted blocks, each with a sign (+1 entering, -1 leaving), by
 * pairwise two-way merges: O(n log k) with a tight inner loop.
 */
export function sumBlocks(blocks: readonly Block[], signs?: readonly number[]): Block {
  let level: Block[] = [];
  for (let i = 0; i < blocks.length; i++) {
    if (blocks[i].ids.length === 0) continue;
    level.push((signs?.[i] ?? 1) === 1 ? blocks[i] : mergeTwo(EMPTY_BLOCK, blocks[i], -1));
  }
  if (level.length === 0) return EMPTY_BLOCK;
  while (level.length > 1) {
    const next: Block[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(mergeTwo(level[i], level[i + 1]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}
