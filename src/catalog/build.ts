// Assembles a Catalog from categories and products given in any order: the
// one way the loader, `generate` and the tests make a catalog. Products go
// straight into growable typed arrays (no object per product), and build()
// sorts them by id with a radix sort: 10M products take ~350 MB, and build()
// takes 0.3 s when they came in id order (the usual export order).
// The columns live in SharedArrayBuffers, so that a run's workers walk them
// without a copy (shared.ts).
import type { CategoryInfo } from './catalog.js';
import { ColumnarCatalog } from './columnar.js';
import { SLUG_RE, UNCATEGORIZED } from '../layout.js';

/** CONTRACT §2: a product lists 1..32 categories. */
export const MAX_CATEGORIES_PER_PRODUCT = 32;
export const MAX_PRODUCT_ID = 0xffff_ffff;
/** Thrown by build(); the loader catches it to find the two lines that hold the id. */
export class DuplicateProductIdError extends Error {
  constructor(readonly productId: number) {
    super(`duplicate product id ${productId}`);
    this.name = 'DuplicateProductIdError';
  }
}

const UNCATEGORIZED_INFO: CategoryInfo = Object.freeze({ slug: UNCATEGORIZED, name: 'Uncategorized' });

export class CatalogBuilder {
  /** Sorted by slug; an index here is the category index products refer to. */
  readonly categories: readonly CategoryInfo[];
  private readonly slugIndex: Map<string, number>;
  private readonly uncategorizedIndex: number;
  private readonly ids = new GrowableU32();
  private readonly catOffsets = new GrowableU32();
  private readonly catIndexes = new GrowableU32();
  private readonly nameOffsets = new GrowableU32();
  private names = sharedBytes(1 << 16);

  /** `categories` come validated by the loader; a bad or repeated slug here is a bug and throws. */
  constructor(categories: readonly CategoryInfo[]) {
    const all = categories.some((c) => c.slug === UNCATEGORIZED) ? [...categories] : [...categories, UNCATEGORIZED_INFO];
    all.sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
    this.categories = Object.freeze(all.map((c) => Object.freeze({ slug: c.slug, name: c.name })));
    this.slugIndex = new Map();
    for (const [i, c] of this.categories.entries()) {
      if (!SLUG_RE.test(c.slug)) throw new Error(`invalid category slug ${JSON.stringify(c.slug)}`);
      if (this.slugIndex.has(c.slug)) throw new Error(`duplicate category slug "${c.slug}"`);
      this.slugIndex.set(c.slug, i);
    }
    this.uncategorizedIndex = this.slugIndex.get(UNCATEGORIZED)!;
    this.catOffsets.push(0);
    this.nameOffsets.push(0);
  }

  /** Index of a slug in `categories`, or -1. */
  categoryIndex(slug: string): number {
    return this.slugIndex.get(slug) ?? -1;
  }

  get productCount(): number {
    return this.ids.length;
  }

  /**
   * Adds one product. No categories means `uncategorized`, stored as such so
   * that code walking the CSR arrays directly sees the same thing as
   * categoriesOf(). An empty or missing name means "no name".
   */
  addProduct(productId: number, categoryIndexes: ArrayLike<number>, name?: string): void {
    if (!Number.isInteger(productId) || productId < 1 || productId > MAX_PRODUCT_ID) {
      throw new Error(`product id ${productId} is not an integer in 1..${MAX_PRODUCT_ID}`);
    }
    const k = categoryIndexes.length;
    if (k > MAX_CATEGORIES_PER_PRODUCT) throw new Error(`product ${productId} has ${k} categories, more than ${MAX_CATEGORIES_PER_PRODUCT}`);
    // Checked in full before anything is stored, so a throw leaves the builder as it was.
    for (let j = 0; j < k; j++) {
      const c = categoryIndexes[j]!;
      if (!Number.isInteger(c) || c < 0 || c >= this.categories.length) throw new Error(`product ${productId}: no category index ${c}`);
      for (let m = 0; m < j; m++) if (categoryIndexes[m] === c) throw new Error(`product ${productId} lists category index ${c} twice`);
    }
    for (let j = 0; j < k; j++) this.catIndexes.push(categoryIndexes[j]!);
    if (k === 0) this.catIndexes.push(this.uncategorizedIndex);
    this.ids.push(productId);
    this.catOffsets.push(this.catIndexes.length);
    this.appendName(name ?? '');
  }

  /**
   * addProduct for the CSV loader's fast path, which has checked everything
   * addProduct checks: `productId` is in range and the first `count` of
   * `categoryIndexes` are 0..32 distinct indexes into `categories`. The name is
   * the UTF-8 bytes[nameStart, nameEnd), copied as they are.
   */
  addCheckedProduct(productId: number, categoryIndexes: Uint32Array, count: number, bytes: Uint8Array, nameStart: number, nameEnd: number): void {
    for (let j = 0; j < count; j++) this.catIndexes.push(categoryIndexes[j]!);
    if (count === 0) this.catIndexes.push(this.uncategorizedIndex);
    this.ids.push(productId);
    this.catOffsets.push(this.catIndexes.length);
    const at = this.nameOffsets.get(this.nameOffsets.length - 1);
    this.reserveNames(at + nameEnd - nameStart);
    // A loop, not set(subarray()) or copy(): names are short, and a view per name costs more than the bytes.
    const names = this.names;
    for (let i = nameStart, to = at; i < nameEnd; i++, to++) names[to] = bytes[i]!;
    this.pushNameEnd(at + nameEnd - nameStart);
  }

  /**
   * addCheckedProduct for n rows at once, as columns (products-kernel.ts):
   * ids[0, n); each row's category indexes end at catEnds[i] in `cats` (a row
   * without any holds the uncategorized index), its name at nameEnds[i] in
   * `names` (ends count from 0).
   */
  addCheckedRows(n: number, ids: Uint32Array, catEnds: Uint32Array, cats: Uint32Array, nameEnds: Uint32Array, names: Uint8Array): void {
    const catBase = this.catIndexes.length;
    const nameBase = this.nameOffsets.get(this.nameOffsets.length - 1);
    checkNamesEnd(nameBase + names.length);
    this.reserveNames(nameBase + names.length);
    this.names.set(names, nameBase);
    this.catIndexes.append(cats, cats.length, 0);
    this.ids.append(ids, n, 0);
    this.catOffsets.append(catEnds, n, catBase);
    this.nameOffsets.append(nameEnds, n, nameBase);
  }

  /**
   * Makes room for `factor` times the products added so far, with as many
   * category references and name bytes per product. A loader that can
   * estimate the total so spares the builder its doubling copies, and build()
   * its trimming ones.
   */
  reserveScaled(factor: number): void {
    for (const column of [this.ids, this.catOffsets, this.nameOffsets, this.catIndexes]) column.reserve(Math.ceil(column.length * factor));
    const names = Math.ceil(this.nameOffsets.get(this.nameOffsets.length - 1) * factor);
    if (names > this.names.length) this.growNames(names);
  }

  /** Sorts the products by id and freezes them into a Catalog; throws on a duplicate id. */
  build(): ColumnarCatalog {
    const ids = this.ids.trimmed();
    const catOffsets = this.catOffsets.trimmed();
    const catIndexes = this.catIndexes.trimmed();
    const nameOffsets = this.nameOffsets.trimmed();
    const nameEnd = nameOffsets[ids.length]!;
    const nameBytes = fills(this.names.length, nameEnd) ? this.names.subarray(0, nameEnd) : copyOf(this.names, nameEnd, sharedBytes);
    const sorted = isAscending(ids)
      ? { productIds: ids, categoryOffsets: catOffsets, categoryIndexes: catIndexes, nameOffsets, nameBytes }
      : permute(radixOrder(ids), ids, catOffsets, catIndexes, nameOffsets, nameBytes);
    for (let i = 1; i < sorted.productIds.length; i++) {
      if (sorted.productIds[i] === sorted.productIds[i - 1]) throw new DuplicateProductIdError(sorted.productIds[i]!);
    }
    return new ColumnarCatalog({ categories: this.categories, ...sorted });
  }

  private appendName(name: string): void {
    const at = this.nameOffsets.get(this.nameOffsets.length - 1);
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    this.reserveNames(at + name.length * 3);
    this.pushNameEnd(at + (name.length === 0 ? 0 : this.names.write(name, at, 'utf8')));
  }

  private pushNameEnd(end: number): void {
    checkNamesEnd(end);
    this.nameOffsets.push(end);
  }

  /** Makes room for names up to byte `end`. */
  private reserveNames(end: number): void {
    if (end > this.names.length) this.growNames(Math.max(this.names.length * 2, end));
  }

  private growNames(capacity: number): void {
    const grown = sharedBytes(capacity);
    this.names.copy(grown, 0, 0, this.nameOffsets.get(this.nameOffsets.length - 1));
    this.names = grown;
  }
}

/** Name offsets are u32s: the names end within 4 GiB. */
function checkNamesEnd(end: number): void {
  if (end > MAX_PRODUCT_ID) throw new Error('product names exceed 4 GiB in total');
}

/**
 * Whether a column's first `length` elements are handed out as a view of its
 * storage rather than copied out: when they fill nearly all of it, so that
 * no copy is made and at most an eighth of it is kept alive unused.
 */
const fills = (capacity: number, length: number) => length >= capacity - (capacity >>> 3);

/** n zeroed bytes in shared memory. */
const sharedBytes = (n: number) => Buffer.from(new SharedArrayBuffer(n));
/** n zeroed uint32s in shared memory. */
const sharedU32 = (n: number) => new Uint32Array(new SharedArrayBuffer(4 * n));

/** The first n elements of `a` in new memory from `make`. */
function copyOf<T extends Uint8Array | Uint32Array>(a: T, n: number, make: (n: number) => T): T {
  const copy = make(n);
  copy.set(a.subarray(0, n));
  return copy;
}

/** A Uint32Array that doubles as it fills, unless reserved for more first. */
class GrowableU32 {
  private data = sharedU32(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) this.reserve(this.data.length * 2);
    this.data[this.length++] = value;
  }

  /** Pushes the first n of `values`, each plus `add`. */
  append(values: Uint32Array, n: number, add: number): void {
    if (this.length + n > this.data.length) this.reserve(Math.max(this.data.length * 2, this.length + n));
    const data = this.data;
    if (add === 0) data.set(n === values.length ? values : values.subarray(0, n), this.length);
    else for (let i = 0, to = this.length; i < n; i++, to++) data[to] = values[i]! + add;
    this.length += n;
  }

  reserve(capacity: number): void {
    if (capacity <= this.data.length) return;
    this.data = copyOf(this.data, this.length, () => sharedU32(capacity));
  }

  get(i: number): number {
    return this.data[i]!;
  }

  /** What was pushed. */
  trimmed(): Uint32Array {
    return fills(this.data.length, this.length) ? this.data.subarray(0, this.length) : copyOf(this.data, this.length, sharedU32);
  }
}

function isAscending(ids: Uint32Array): boolean {
  for (let i = 1; i < ids.length; i++) if (ids[i]! < ids[i - 1]!) return false;
  return true;
}

/** Stable LSD radix sort on two 16-bit digits: the order of positions that sorts `keys`. */
function radixOrder(keys: Uint32Array): Uint32Array {
  const n = keys.length;
  let order = new Uint32Array(n);
  let next = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (const shift of [0, 16]) {
    const starts = new Uint32Array(65537);
    for (let i = 0; i < n; i++) starts[((keys[i]! >>> shift) & 0xffff) + 1]!++;
    for (let d = 0; d < 65536; d++) starts[d + 1]! += starts[d]!;
    for (let i = 0; i < n; i++) {
      const pos = order[i]!;
      next[starts[(keys[pos]! >>> shift) & 0xffff]!++] = pos;
    }
    [order, next] = [next, order];
  }
  return order;
}

/**
 * Gathers every column into the order `order` names. Each product is read
 * from a random place, so this is bound by memory latency: ~10 s for a fully
 * shuffled 10M-product catalog on a busy 2-core machine, against 0.3 s for
 * the whole build() of one already in id order. Category indexes are copied
 * by a loop (2.1 s, against 5.5 s for set(subarray()) per product), names by
 * Buffer.copy (5.9 s, against 8.2 s for a byte loop).
 */
function permute(order: Uint32Array, ids: Uint32Array, catOffsets: Uint32Array, catIndexes: Uint32Array, nameOffsets: Uint32Array, nameBytes: Buffer) {
  const n = ids.length;
  const productIds = sharedU32(n);
  const categoryOffsets = sharedU32(n + 1);
  const categoryIndexes = sharedU32(catIndexes.length);
  const newNameOffsets = sharedU32(n + 1);
  const newNameBytes = sharedBytes(nameBytes.length);
  let c = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    const from = order[i]!;
    productIds[i] = ids[from]!;
    for (let j = catOffsets[from]!, stop = catOffsets[from + 1]!; j < stop; j++) categoryIndexes[c++] = catIndexes[j]!;
    categoryOffsets[i + 1] = c;
    const n0 = nameOffsets[from]!;
    const n1 = nameOffsets[from + 1]!;
    nameBytes.copy(newNameBytes, b, n0, n1);
    b += n1 - n0;
    newNameOffsets[i + 1] = b;
  }
  return { productIds, categoryOffsets, categoryIndexes, nameOffsets: newNameOffsets, nameBytes: newNameBytes };
}
