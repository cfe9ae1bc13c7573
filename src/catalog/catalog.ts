// The catalog as the pipeline holds it: 10M products and 30k categories in a
// few typed arrays (ids, a CSR list of category indexes, names in one string
// table) instead of a Map of arrays, so it loads in seconds, fits in a few
// hundred MB, and can be handed to worker threads without a copy per object.

export interface CategoryInfo {
  readonly slug: string;
  readonly name: string;
}

export interface Catalog {
  /** Sorted by slug; always contains `uncategorized`. Index = category index. */
  readonly categories: readonly CategoryInfo[];
  /** Product ids ascending. Index = product index. */
  readonly productIds: Uint32Array;
  /** CSR: the categories of product index i are categoryIndexes[offsets[i] .. offsets[i+1]). */
  readonly categoryOffsets: Uint32Array;
  readonly categoryIndexes: Uint32Array;
  /** Index of a slug in `categories`, or -1. */
  categoryIndex(slug: string): number;
  /** Index of a product id in `productIds`, or -1. */
  productIndex(productId: number): number;
  /**
   * Category indexes of a product: its catalog categories, or only
   * `uncategorized` when it has none or is missing from the catalog.
   */
  categoriesOf(productId: number): ArrayLike<number>;
  /** The product's name when the catalog has one. */
  productName(productId: number): string | undefined;
  /** Names as stored: UTF-8 bytes of product index i at nameOffsets[i] .. nameOffsets[i+1] (empty: no name). */
  readonly nameOffsets: Uint32Array;
  readonly nameBytes: Buffer;
}
