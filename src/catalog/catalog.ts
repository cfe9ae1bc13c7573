// The catalog as the pipeline holds it: 10M products and 30k categories in a
// few typed arrays (ids, a CSR list of category indexes, names in one string
// table) instead of a Map of arrays, so it loads in seconds, fits in a few
// hundred MB, and can be handed to worker threads without a copy per object.
import type { FileStamp } from './catalog-fs.js';
import type { SharedProducts } from './shared.js';

export interface CategoryInfo {
  readonly slug: string;
  readonly name: string;
}

/**
 * What a run needs of the catalog: the categories, and the products walked
 * in ascending id order (the consistency check and the lists' names both
 * walk sorted ids). A run reads the products from the cache file as it
 * walks them rather than into memory of its own (cache-file.ts).
 */
export interface CatalogView {
  /** Sorted by slug; always contains `uncategorized`. Index = category index. */
  readonly categories: readonly CategoryInfo[];
  /** Index of a slug in `categories`, or -1. */
  categoryIndex(slug: string): number;
  /** A new walk from the first product. */
  walk(): ProductWalk;
  /** The products, for a walk on another thread of this process (shared.ts). */
  share(): SharedProducts;
  /** Lets go of the file the products are read from; nothing for a catalog in memory. */
  close(): void;
  /** A cache file found sound and made durable: the note that spares its next open the check (cache.ts, openCatalogCache). */
  readonly checked?: CheckedCache;
}

/** A cache file as it was found sound: its stamp when opened, and its checksum. */
export interface CheckedCache extends FileStamp {
  readonly crc: number;
}

/** Whether two notes name the same file with the same checksum (or are both absent). */
export const sameCheckedCache = (a: CheckedCache | undefined, b: CheckedCache | undefined): boolean =>
  a?.ino === b?.ino && a?.size === b?.size && a?.mtimeMs === b?.mtimeMs && a?.crc === b?.crc;

/** A run of bytes or of category indexes, valid until the walk moves on. */
export interface Span<T extends Uint8Array | Uint32Array> {
  array: T;
  start: number;
  end: number;
}

/** Products visited in ascending id order (see CatalogView.walk). */
export interface ProductWalk {
  /**
   * Moves to the product `id`, which must not be below an id sought before;
   * false when the catalog lacks it.
   */
  seek(id: number): boolean;
  /**
   * The category indexes of the product sought last: its catalog ones, or
   * `uncategorized` alone when the catalog lacks it. (A built catalog lists
   * `uncategorized` for a product without any; only one made from columns
   * can have none, and then this gives none where categoriesOf gives
   * `uncategorized`.)
   */
  categories(): Span<Uint32Array>;
  /** The UTF-8 bytes of its name; empty when it has none or the catalog lacks it. */
  name(): Span<Uint8Array>;
}

export interface Catalog extends CatalogView {
  /** Product ids ascending. Index = product index. */
  readonly productIds: Uint32Array;
  /** CSR: the categories of product index i are categoryIndexes[offsets[i] .. offsets[i+1]). */
  readonly categoryOffsets: Uint32Array;
  readonly categoryIndexes: Uint32Array;
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
