// An open-addressing hash table productId → net units, on two typed arrays.
// Map jobs add one entry per log line (tens of millions an hour), so this is
// hand-written: a JS Map<number, number> costs about 4x the time and 5x the
// memory at that size. Product id 0 is never valid, so 0 marks an empty slot.

export interface Block {
  /** Product ids, strictly ascending. */
  readonly ids: Uint32Array;
  /** Net units of ids[i]; never 0. */
  readonly sales: Int32Array;
}

export const EMPTY_BLOCK: Block = Object.freeze({ ids: new Uint32Array(0), sales: new Int32Array(0) });

export class CountTable {
  private keys: Uint32Array;
  private vals: Int32Array;
  private bits: number;
  private used = 0;

  constructor(expected = 8) {
    this.bits = Math.max(4, Math.ceil(Math.log2(expected * 2)));
    this.keys = new Uint32Array(1 << this.bits);
    this.vals = new Int32Array(1 << this.bits);
  }

  get size(): number {
    return this.used;
  }

  add(id: number, quantity: number): void {
    const keys = this.keys;
    const mask = keys.length - 1;
    let i = Math.imul(id, 0x9e3779b1) >>> (32 - this.bits);
    for (;;) {
      const k = keys[i];
      if (k === id) {
        this.vals[i] += quantity;
        return;
      }
      if (k === 0) {
        keys[i] = id;
        this.vals[i] = quantity;
        if (++this.used * 2 > keys.length) this.grow();
        return;
      }
      i = (i + 1) & mask;
    }
  }

  get(id: number): number {
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
    const ids = new Uint32Array(this.used);
    let n = 0;
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== 0 && this.vals[i] !== 0) ids[n++] = this.keys[i];
    const sorted = ids.subarray(0, n).sort();
    const sales = new Int32Array(n);
    for (let i = 0; i < n; i++) sales[i] = this.get(sorted[i]);
    return { ids: sorted.slice(), sales };
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

/** a + sign·b for two sorted blocks, in one pass; entries netting to zero are dropped. */
export function mergeTwo(a: Block, b: Block, sign = 1): Block {
  const an = a.ids.length;
  const bn = b.ids.length;
  const ids = new Uint32Array(an + bn);
  const sales = new Int32Array(an + bn);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < an && j < bn) {
    const x = a.ids[i];
    const y = b.ids[j];
    if (x < y) {
      ids[n] = x;
      sales[n++] = a.sales[i++];
    } else if (y < x) {
      ids[n] = y;
      sales[n++] = sign * b.sales[j++];
    } else {
      const total = a.sales[i++] + sign * b.sales[j++];
      if (total !== 0) {
        ids[n] = x;
        sales[n++] = total;
      }
    }
  }
  while (i < an) {
    ids[n] = a.ids[i];
    sales[n++] = a.sales[i++];
  }
  while (j < bn) {
    ids[n] = b.ids[j];
    sales[n++] = sign * b.sales[j++];
  }
  return n === an + bn ? { ids, sales } : { ids: ids.slice(0, n), sales: sales.slice(0, n) };
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
