import { describe, expect, it } from 'vitest';
import { CatalogBuilder, DuplicateProductIdError } from '../../src/catalog/build.js';

const categories = [
  { slug: 'toys', name: 'Toys' },
  { slug: 'books', name: 'Books' },
  { slug: 'garden', name: 'Garden' },
];
const slugsOf = (b: { categories: readonly { slug: string }[] }, indexes: ArrayLike<number>) => Array.from(indexes, (i) => b.categories[i]!.slug);

describe('CatalogBuilder', () => {
  it('sorts categories by slug and adds uncategorized when it is missing', () => {
    const b = new CatalogBuilder(categories);
    expect(b.categories.map((c) => c.slug)).toEqual(['books', 'garden', 'toys', 'uncategorized']);
    expect(b.categories[3]).toEqual({ slug: 'uncategorized', name: 'Uncategorized' });
    expect(b.categoryIndex('toys')).toBe(2);
    expect(b.categoryIndex('nope')).toBe(-1);
  });

  it('keeps the name given to uncategorized in the input', () => {
    const b = new CatalogBuilder([{ slug: 'uncategorized', name: 'Other' }]);
    expect(b.categories).toEqual([{ slug: 'uncategorized', name: 'Other' }]);
  });

  /** Every product of a catalog as [id, slugs, name]. */
  const dump = (c: ReturnType<CatalogBuilder['build']>) => Array.from(c.productIds, (id) => [id, Array.from(c.categoriesOf(id)), c.productName(id)]);

  it('builds the same catalog after reserveScaled, and keeps it when products are added afterwards', () => {
    const add = (b: CatalogBuilder, from: number, to: number) => {
      for (let id = from; id < to; id++) b.addProduct(id, id % 5 === 0 ? [] : [id % 3, (id + 1) % 3], `name ${id}`);
    };
    const plain = new CatalogBuilder(categories);
    add(plain, 1, 2991);
    const reserved = new CatalogBuilder(categories);
    add(reserved, 1, 1001);
    reserved.reserveScaled(3);
    add(reserved, 1001, 2991);
    const first = reserved.build();
    expect(dump(first)).toEqual(dump(plain.build()));
    // Room for 3000 ids, 2990 used: they are handed out as a view of the builder's storage, whose rest later products fill.
    expect(first.productIds.buffer.byteLength).toBeGreaterThan(first.productIds.byteLength);
    const before = dump(first);
    add(reserved, 2991, 3101);
    expect(reserved.build().productIds.length).toBe(3100);
    expect(dump(first)).toEqual(before);
  });

  it('looks products up by id whatever order they were added in', () => {
    const b = new CatalogBuilder(categories);
    const [books, garden, toys] = ['books', 'garden', 'toys'].map((s) => b.categoryIndex(s)) as [number, number, number];
    b.addProduct(4_294_967_295, [toys], 'Max id');
    b.addProduct(70_000, [garden, books], 'Spade');
    b.addProduct(1, [books]);
    b.addProduct(65_536, [], 'Gift card');
    const c = b.build();
    expect(Array.from(c.productIds)).toEqual([1, 65_536, 70_000, 4_294_967_295]);
    expect(slugsOf(b, c.categoriesOf(70_000))).toEqual(['garden', 'books']);
    expect(slugsOf(b, c.categoriesOf(4_294_967_295))).toEqual(['toys']);
    expect(c.productName(70_000)).toBe('Spade');
    expect(c.productName(4_294_967_295)).toBe('Max id');
    expect(c.productName(1)).toBeUndefined();
    expect(c.productIndex(65_536)).toBe(1);
  });

  it('gives products without categories, and unknown products, only uncategorized', () => {
    const b = new CatalogBuilder(categories);
    b.addProduct(5, [], 'Gift card');
    b.addProduct(9, [b.categoryIndex('toys')]);
    const c = b.build();
    const uncategorized = c.categoryIndex('uncategorized');
    expect(Array.from(c.categoriesOf(5))).toEqual([uncategorized]);
    expect(Array.from(c.categoriesOf(6))).toEqual([uncategorized]);
    expect(Array.from(c.categoriesOf(0))).toEqual([uncategorized]);
    expect(Array.from(c.categoriesOf(2 ** 40))).toEqual([uncategorized]);
    expect(c.productIndex(6)).toBe(-1);
    expect(c.productName(6)).toBeUndefined();
    // The CSR arrays say the same as categoriesOf for a product without categories.
    const i = c.productIndex(5);
    expect(Array.from(c.categoryIndexes.subarray(c.categoryOffsets[i]!, c.categoryOffsets[i + 1]!))).toEqual([uncategorized]);
  });

  it('returns one shared array for every unknown product instead of allocating', () => {
    const c = new CatalogBuilder(categories).build();
    expect(c.categoriesOf(1)).toBe(c.categoriesOf(2));
  });

  it('keeps non-ASCII names intact, including astral characters', () => {
    const b = new CatalogBuilder(categories);
    const names = ['Zoë’s “garden”', '日本語の本', 'Emoji 🎲 dice', 'Ünïcödé, with comma', 'x'.repeat(40_000)];
    // Added in reverse so that build() has to move the name bytes.
    names.forEach((name, i) => b.addProduct(100 - i, [0], name));
    const c = b.build();
    names.forEach((name, i) => expect(c.productName(100 - i)).toBe(name));
  });

  it('sorts a large shuffled set of products with their categories and names', () => {
    const b = new CatalogBuilder(categories);
    const ids = Array.from({ length: 20_000 }, (_, i) => (i * 2_654_435_761) % 4_294_967_291 || 7);
    for (const id of ids) b.addProduct(id, [id % 3, (id % 3) + 1].filter((x) => x < 4), `p${id}`);
    const c = b.build();
    const sorted = [...new Set(ids)].sort((x, y) => x - y);
    expect(Array.from(c.productIds)).toEqual(sorted);
    for (const id of sorted.slice(0, 500)) {
      expect(c.productName(id)).toBe(`p${id}`);
      expect(Array.from(c.categoriesOf(id))).toEqual([id % 3, (id % 3) + 1]);
    }
  });

  it('throws on a duplicate product id, carrying the id for the loader', () => {
    const b = new CatalogBuilder(categories);
    b.addProduct(8, [0]);
    b.addProduct(3, [1]);
    b.addProduct(8, [2]);
    expect(() => b.build()).toThrow(DuplicateProductIdError);
    expect(() => b.build()).toThrow(expect.objectContaining({ productId: 8 }));
  });

  it('rejects what the loader should never pass', () => {
    expect(() => new CatalogBuilder([{ slug: 'Bad Slug', name: 'x' }])).toThrow(/invalid category slug/);
    expect(() => new CatalogBuilder([categories[0]!, categories[0]!])).toThrow(/duplicate category slug/);
    const b = new CatalogBuilder(categories);
    expect(() => b.addProduct(0, [])).toThrow(/1\.\.4294967295/);
    expect(() => b.addProduct(2 ** 32, [])).toThrow(/1\.\.4294967295/);
    expect(() => b.addProduct(1.5, [])).toThrow(/1\.\.4294967295/);
    expect(() => b.addProduct(1, [4])).toThrow(/no category index 4/);
    expect(() => b.addProduct(1, [1, 1])).toThrow(/twice/);
    expect(() => b.addProduct(1, new Array(33).fill(0))).toThrow(/more than 32/);
    expect(b.productCount).toBe(0);
    // A rejected product leaves nothing behind that would shift the next one's categories.
    b.addProduct(1, [2], 'ok');
    expect(slugsOf(b, b.build().categoriesOf(1))).toEqual(['toys']);
  });
});
