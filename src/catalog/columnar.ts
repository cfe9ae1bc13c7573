// The one implementation of the Catalog interface: lookups over the typed
// arrays that CatalogBuilder produces and the binary cache maps back in. It
// owns no parsing and no I/O, so the builder, the cache and the tests all meet
// on the same columns.
import type { Catalog, CategoryInfo, ProductWalk, Span } from './catalog.js';
import type { SharedProducts } from './shared.js';
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
  readonly uncategorizedOnly: Uint32Array;

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

  walk(): ProductWalk {
    return new ColumnWalk(this);
  }

  /** The columns as they are: shared memory (a built catalog's, build.ts) is not copied to another thread. */
  share(): SharedProducts {
    const { productIds, categoryOffsets, categoryIndexes, nameOffsets, nameBytes } = this;
    return { kind: 'columns', productIds, categoryOffsets, categoryIndexes, nameOffsets, nameBytes, uncategorized: this.uncategorizedIndex };
  }

  close(): void {}

  /** Decoded on demand: holding 10M JS strings would triple the catalog's memory. */
  productName(productId: number): string | undefined {
    const i = this.productIndex(productId);
    if (i < 0) return undefined;
    const start = this.nameOffsets[i]!;
    const end = this.nameOffsets[i + 1]!;
    return start === end ? undefined : this.nameBytes.toString('utf8', start, end);
  }
}

/** What a walk over columns reads: the columns, and the one-element array of `uncategorized`'s index. */
export type WalkedColumns = Omit<CatalogColumns, 'categories' | 'nameBytes'> & { readonly nameBytes: Uint8Array; readonly uncategorizedOnly: Uint32Array };

/** A walk over the columns in memory: a galloping search from where the last one stopped. */
export class ColumnWalk implements ProductWalk {
  private at = 0;
  private found = false;
  private readonly cats: Span<Uint32Array>;
  private readonly nameSpan: Span<Uint8Array>;

  constructor(private readonly c: WalkedColumns) {
    this.cats = { array: c.categoryIndexes, start: 0, end: 0 };
    this.nameSpan = { array: c.nameBytes, start: 0, end: 0 };
  }

  seek(id: number): boolean {
    this.at = firstAtLeast(this.c.productIds, this.at, id);
    return (this.found = this.at < this.c.productIds.length && this.c.productIds[this.at] === id);
  }

  categories(): Span<Uint32Array> {
    const offsets = this.c.categoryOffsets;
    return this.found ? spanOf(this.cats, this.c.categoryIndexes, offsets[this.at]!, offsets[this.at + 1]!) : spanOf(this.cats, this.c.uncategorizedOnly, 0, 1);
  }

  name(): Span<Uint8Array> {
    const offsets = this.c.nameOffsets;
    return this.found ? spanOf(this.nameSpan, this.c.nameBytes, offsets[this.at]!, offsets[this.at + 1]!) : spanOf(this.nameSpan, this.c.nameBytes, 0, 0);
  }
}

/** `span`, set to array[start..end). */
export function spanOf<T extends Uint8Array | Uint32Array>(span: Span<T>, array: T, start: number, end: number): Span<T> {
  span.array = array;
  span.start = start;
  span.end = end;
  return span;
}

/** The first index from `from` on whose id is at least `id` (ids ascending), by galloping: the ids sought are far apart when few are. */
function firstAtLeast(known: Uint32Array, from: number, id: number): number {
  if (from >= known.length || known[from]! >= id) return from;
  let lo = from;
  let step = 1;
  while (lo + step < known.length && known[lo + step]! < id) {
    lo += step;
    step *= 2;
  }
  let hi = Math.min(lo + step, known.length);
  // known[lo] < id, and hi is past the end or known[hi] >= id.
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (known[mid]! < id) lo = mid;
    else hi = mid;
  }
  return hi;
}
