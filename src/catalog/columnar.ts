// The one implementation of the Catalog interface: lookups over the typed
// arrays that CatalogBuilder produces and the binary cache maps back in. It
// owns no parsing and no I/O, so the builder, the cache and the tests all meet
// on the same columns.
import type { Catalog, CategoryInfo } from './catalog.js';
import { UNCATEGORIZED } from '../layout.js';

/** Everything a catalog is made of; the cache stores exactly these. */
export interface CatalogColumns {
  /** Sorted by slug, containing `uncategorized`. */
  readonly categories: readonly CategoryInfo[];
  /** Strictly ascending. */
  readonly productIds: Uint32Array;
  /** Length productIds.length + 1. */
  readonly categoryOffsets: Uint32Array;
  readonly categoryIndexes: Uint32Array;
  /** Length productIds.length + 1; an empty range means "no name". */
  readonly nameOffsets: Uint32Array;
  /** Every name, UTF-8, back to back. */
  readonly nameBytes: Buffer;
}

export class ColumnarCatalog implements Catalog, CatalogColumns {
  readonly categories: readonly CategoryInfo[];
  readonly productIds: Uint32Array;
  readonly categoryOffsets: Uint32Array;
  readonly categoryIndexes: Uint32Array;
  readonly nameOffsets: Uint32Array;
  readonly nameBytes: Buffer;
  readonly uncategorizedIndex: number;
  private readonly slugIndex: Map<string, number>;
  /**
   * Returned for every product that is missing or has no category: one shared
   * array instead of an allocation per lookup. Callers must not write to it.
   */
  private readonly uncategorizedOnly: Uint32Array;

  constructor(columns: CatalogColumns) {
    const n = columns.productIds.length;
    if (columns.categoryOffsets.length !== n + 1 || columns.nameOffsets.length !== n + 1) {
      throw new Error(`catalog columns disagree: ${n} products, ${columns.categoryOffsets.length} category offsets, ${columns.nameOffsets.length} name offsets`);
    }
    this.categories = columns.categories;
    this.productIds = columns.productIds;
    this.categoryOffsets = columns.categoryOffsets;
    this.categoryIndexes = columns.categoryIndexes;
    this.nameOffsets = columns.nameOffsets;
    this.nameBytes = columns.nameBytes;
    this.slugIndex = new Map(columns.categories.map((c, i) => [c.slug, i]));
    const uncategorized = this.slugIndex.get(UNCATEGORIZED);
    if (uncategorized === undefined) throw new Error(`catalog has no "${UNCATEGORIZED}" category`);
    this.uncategorizedIndex = uncategorized;
    this.uncategorizedOnly = Uint32Array.of(uncategorized);
  }

  categoryIndex(slug: string): number {
    return this.slugIndex.get(slug) ?? -1;
  }

  /** Binary search: the ids are sorted, and a Map of 10M numbers would cost ~500 MB. */
  productIndex(productId: number): number {
    const ids = this.productIds;
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid]! < productId) lo = mid + 1;
      else hi = mid;
    }
    return lo < ids.length && ids[lo] === productId ? lo : -1;
  }

  categoriesOf(productId: number): ArrayLike<number> {
    const i = this.productIndex(productId);
    if (i < 0) return this.uncategorizedOnly;
    const start = this.categoryOffsets[i]!;
    const end = this.categoryOffsets[i + 1]!;
    return start === end ? this.uncategorizedOnly : this.categoryIndexes.subarray(start, end);
  }

  /** Decoded on demand: holding 10M JS strings would triple the catalog's memory. */
  productName(productId: number): string | undefined {
    const i = this.productIndex(productId);
    if (i < 0) return undefined;
    const start = this.nameOffsets[i]!;
    const end = this.nameOffsets[i + 1]!;
    return start === end ? undefined : this.nameBytes.toString('utf8', start, end);
  }
}
