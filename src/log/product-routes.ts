// Product id → the categories its lines go to, for the router, at a million
// lookups a second. At that rate the cost is cache misses, not instructions:
// Catalog.productIndex is a binary search (~23 dependent probes over 10M ids,
// 150–250 ns), and its answer then needs categoryOffsets and categoryIndexes,
// two more misses. Here:
//  - the id space is cut into buckets of ~4 products (a prefix of the id's
//    bits) with the first product of each bucket stored, so finding a product
//    is one read of `starts` and a short scan (binary search if crowded);
//  - each id sits next to a route word in `pairs`, so the scan's cache line
//    already holds the answer for the ~60% of products with one category
//    (and for those with none: `uncategorized`). Others fall back to CSR.
// Memory: 9 bytes a product (90 MB for 10M), built in one pass; any ids work.
// (A cache of recent answers did not pay: Zipf over 10M products still
// spreads a peak hour over ~800k distinct products.)
import type { Catalog } from '../catalog/catalog.js';
import { UNCATEGORIZED } from '../layout.js';

/** Products per bucket, on average. */
const BUCKET_TARGET = 4;
const SCAN_LIMIT = 16;
/** Route word of a product with several categories: look them up in the CSR arrays. */
const SEVERAL = 0xffff_ffff;

export class ProductRoutes {
  private readonly shift: number;
  private readonly buckets: number;
  /** starts[b] = first product index whose id falls in bucket b; length buckets + 1. */
  private readonly starts: Uint32Array;
  /** [id, route word] per product, in catalog order. */
  private readonly pairs: Uint32Array;
  private readonly uncategorized: number;

  constructor(catalog: Catalog) {
    const ids = catalog.productIds;
    const offsets = catalog.categoryOffsets;
    const n = ids.length;
    this.uncategorized = catalog.categoryIndex(UNCATEGORIZED);
    this.pairs = new Uint32Array(2 * n);
    for (let p = 0; p < n; p++) {
      const count = offsets[p + 1] - offsets[p];
      this.pairs[2 * p] = ids[p];
      this.pairs[2 * p + 1] = count === 0 ? this.uncategorized : count === 1 ? catalog.categoryIndexes[offsets[p]] : SEVERAL;
    }
    const maxId = n === 0 ? 0 : ids[n - 1];
    let shift = 0;
    while (shift < 32 && Math.floor(maxId / 2 ** shift) + 1 > Math.max(1, n / BUCKET_TARGET)) shift++;
    this.shift = shift;
    this.buckets = Math.floor(maxId / 2 ** shift) + 1;
    this.starts = new Uint32Array(this.buckets + 1);
    for (let b = 0, p = 0; b <= this.buckets; b++) {
      while (p < n && Math.floor(ids[p] / 2 ** shift) < b) p++;
      this.starts[b] = p;
    }
  }

  /**
   * The one category a product's lines go to (`uncategorized` when it has
   * none or is not in the catalog), or −(p + 1) when it has several: they are
   * categoryIndexes[categoryOffsets[p] .. categoryOffsets[p + 1]).
   */
  route(productId: number): number {
    const p = this.indexOf(productId);
    if (p < 0) return this.uncategorized;
    const word = this.pairs[2 * p + 1];
    return word === SEVERAL ? -(p + 1) : word;
  }

  /** The product's index in the catalog, or -1. */
  indexOf(productId: number): number {
    // >>> works on uint32 ids; a shift of 32 means a single bucket.
    const b = this.shift >= 32 ? 0 : productId >>> this.shift;
    if (b >= this.buckets) return -1;
    const pairs = this.pairs;
    let lo = this.starts[b];
    let hi = this.starts[b + 1];
    if (hi - lo <= SCAN_LIMIT) {
      for (; lo < hi; lo++) if (pairs[2 * lo] === productId) return lo;
      return -1;
    }
    const end = hi;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pairs[2 * mid] < productId) lo = mid + 1;
      else hi = mid;
    }
    return lo < end && pairs[2 * lo] === productId ? lo : -1;
  }
}
