// Product id → the categories its lines go to, for the router, at a million
// lookups a second. At that rate the cost is cache misses, not instructions:
// Catalog.productIndex is a binary search (~23 dependent probes over 10M ids,
// 150–400 ns), and its answer then needs categoryOffsets and categoryIndexes,
// two more misses. Most products have one category, so each product gets a
// route word: that category's index, or −(p + 1) (p its catalog index) when
// it has several. Lookup, by how the ids are spread:
//  - dense ids (the largest below 4 per product): a table from id to route
//    word, one read (4 bytes an id: 76 MB for 10M products with ids to 19M);
//  - any ids: the id space cut into buckets of ~4 products (a prefix of the
//    id's bits) with each bucket's first product stored, and each id next to
//    its route word, so one read of `starts` and a scan of one cache line
//    (binary search if a bucket is crowded); 9 bytes a product.
// (A cache of recent answers did not pay: Zipf over 10M products still
// spreads a peak hour over ~800k distinct products.)
import type { Catalog } from '../catalog/catalog.js';
import { UNCATEGORIZED } from '../layout.js';

/** A table indexed by id when it costs at most this many slots per product. */
const DENSE_SLOTS_PER_PRODUCT = 4;
/** Products per bucket, on average. */
const BUCKET_TARGET = 4;
const SCAN_LIMIT = 16;

interface Buckets {
  readonly shift: number;
  readonly count: number;
  /** starts[b] = first product index whose id falls in bucket b; length count + 1. */
  readonly starts: Uint32Array;
  /** [id, route word] per product, in catalog order. */
  readonly pairs: Int32Array;
}

export class ProductRoutes {
  private readonly uncategorized: number;
  /** id → route word, when ids are dense enough; else `buckets`. */
  private readonly dense: Int32Array | undefined;
  private readonly buckets: Buckets | undefined;

  constructor(catalog: Catalog) {
    const ids = catalog.productIds;
    const offsets = catalog.categoryOffsets;
    const n = ids.length;
    const uncategorized = catalog.categoryIndex(UNCATEGORIZED);
    this.uncategorized = uncategorized;
    const word = (p: number) => {
      const count = offsets[p + 1] - offsets[p];
      return count === 0 ? uncategorized : count === 1 ? catalog.categoryIndexes[offsets[p]] : -(p + 1);
    };
    const maxId = n === 0 ? 0 : ids[n - 1];
    if (maxId < DENSE_SLOTS_PER_PRODUCT * n + 1024) {
      const dense = new Int32Array(maxId + 1).fill(uncategorized);
      for (let p = 0; p < n; p++) dense[ids[p]] = word(p);
      this.dense = dense;
      return;
    }
    let shift = 0;
    while (shift < 32 && Math.floor(maxId / 2 ** shift) + 1 > Math.max(1, n / BUCKET_TARGET)) shift++;
    const count = Math.floor(maxId / 2 ** shift) + 1;
    const starts = new Uint32Array(count + 1);
    for (let b = 0, p = 0; b <= count; b++) {
      while (p < n && Math.floor(ids[p] / 2 ** shift) < b) p++;
      starts[b] = p;
    }
    const pairs = new Int32Array(2 * n);
    for (let p = 0; p < n; p++) {
      pairs[2 * p] = ids[p] | 0;
      pairs[2 * p + 1] = word(p);
    }
    this.buckets = { shift, count, starts, pairs };
  }

  /**
   * The one category a product's lines go to (`uncategorized` when it has
   * none or is not in the catalog), or −(p + 1) when it has several: they are
   * categoryIndexes[categoryOffsets[p] .. categoryOffsets[p + 1]).
   */
  route(productId: number): number {
    const dense = this.dense;
    if (dense !== undefined) return productId < dense.length ? dense[productId] : this.uncategorized;
    const { shift, count, starts, pairs } = this.buckets!;
    // >>> works on uint32 ids; a shift of 32 means a single bucket.
    const b = shift >= 32 ? 0 : productId >>> shift;
    if (b >= count) return this.uncategorized;
    // Ids are stored as int32: compare in the same form.
    const key = productId | 0;
    let lo = starts[b];
    let hi = starts[b + 1];
    if (hi - lo <= SCAN_LIMIT) {
      for (; lo < hi; lo++) if (pairs[2 * lo] === key) return pairs[2 * lo + 1];
      return this.uncategorized;
    }
    const end = hi;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pairs[2 * mid] >>> 0 < productId) lo = mid + 1;
      else hi = mid;
    }
    return lo < end && pairs[2 * lo] === key ? pairs[2 * lo + 1] : this.uncategorized;
  }
}
