import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/catalog/catalog.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { CATEGORIES, DATA, memCatalog } from './memfs-catalog.js';

/** Everything a catalog says, as plain data to compare. */
function summary(c: Catalog) {
  return {
    categories: c.categories.map((x) => `${x.slug}=${x.name}`),
    products: Array.from(c.productIds, (id) => [id, Array.from(c.categoriesOf(id), (i) => c.categories[i]!.slug).join('|'), c.productName(id)]),
  };
}

const load = (files: { categories?: string; products?: string }, chunk?: number) => loadCatalog(DATA, { fs: memCatalog(files, chunk).fs });

describe('loadCatalog: parsing', () => {
  it('loads the committed sample catalog', async () => {
    const c = await load({
      categories: readFileSync('data/catalog/categories.csv', 'utf8'),
      products: readFileSync('data/catalog/products.csv', 'utf8'),
    });
    expect(c.categories.length).toBe(12);
    expect(c.productIds.length).toBeGreaterThanOrEqual(60);
    expect(c.categories.find((x) => x.slug === 'tools')?.name).toBe('Tools, Hardware');
    expect(c.productName(1018)).toBe('Ruler, steel, 12"');
    expect(c.productName(1013)).toBe('The "Quiet" Garden');
    expect(Array.from(c.categoriesOf(1057), (i) => c.categories[i]!.slug)).toEqual(['uncategorized']);
    expect(Array.from(c.categoriesOf(1006), (i) => c.categories[i]!.slug)).toEqual(['headphones', 'electronics', 'running']);
  });

  const tricky = {
    categories: '\ufeffslug,name\r\ntoys,Toys\r\n\r\nbooks,"Books, ""rare"" ones"\r\ngarden,Gärten\r\n',
    products:
      '\ufeffproduct_id,categories,name\r\n' +
      '20,toys|books,"Zoë\'s ""big"", red\r\nball"\r\n' +
      '\r\n' +
      '3,,Gift card\r\n' +
      '   \r\n' +
      '7,garden,\r\n' +
      '9,books\r\n' +
      '11,garden|toys,日本の庭 🌸\r\n' +
      '4294967295,toys,Last',
  };
  const expected = {
    categories: ['books=Books, "rare" ones', 'garden=Gärten', 'toys=Toys', 'uncategorized=Uncategorized'],
    products: [
      [3, 'uncategorized', 'Gift card'],
      [7, 'garden', undefined],
      [9, 'books', undefined],
      [11, 'garden|toys', '日本の庭 🌸'],
      [20, 'toys|books', 'Zoë\'s "big", red\r\nball'],
      [4294967295, 'toys', 'Last'],
    ],
  };

  it.each([1, 2, 3, 5, 64 * 1024])('reads BOM, CRLF, blank lines, quoted names and a missing last newline, in chunks of %i bytes', async (chunk) => {
    expect(summary(await load(tricky, chunk))).toEqual(expected);
  });

  it('gives the same catalog whether a line takes the plain path or fast-csv', async () => {
    const plain = 'product_id,categories,name\n5,toys|books,Ball\n6,,Card\n8,garden,\n';
    const quoted = 'product_id,categories,name\n"5","toys|books","Ball"\n"6","","Card"\n"8","garden",""\n';
    const mixed = 'product_id,categories,name\n5,toys|books,"Ball"\n"6",,Card\n8,"garden",\n';
    const results = await Promise.all([plain, quoted, mixed].map(async (products) => summary(await load({ categories: CATEGORIES, products }))));
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
    expect(results[0].products).toEqual([
      [5, 'toys|books', 'Ball'],
      [6, 'uncategorized', 'Card'],
      [8, 'garden', undefined],
    ]);
  });

  it('accepts a products file without the name column', async () => {
    const c = await load({ categories: CATEGORIES, products: 'product_id,categories\n2,toys\n1,\n' });
    expect(summary(c).products).toEqual([
      [1, 'uncategorized', undefined],
      [2, 'toys', undefined],
    ]);
  });

  it('sorts products listed in any order', async () => {
    const c = await load({ categories: CATEGORIES, products: 'product_id,categories,name\n30,toys,c\n10,books,a\n20,,b\n' });
    expect(Array.from(c.productIds)).toEqual([10, 20, 30]);
    expect(c.productName(20)).toBe('b');
  });

  it('lets categories.csv name uncategorized, and products list it', async () => {
    const c = await load({
      categories: 'slug,name\nuncategorized,Everything else\ntoys,Toys\n',
      products: 'product_id,categories,name\n1,uncategorized|toys,Top\n',
    });
    expect(summary(c)).toEqual({
      categories: ['toys=Toys', 'uncategorized=Everything else'],
      products: [[1, 'uncategorized|toys', 'Top']],
    });
  });

  it('accepts a catalog with no categories and no products', async () => {
    const c = await load({ categories: 'slug,name\n', products: 'product_id,categories,name\n' });
    expect(summary(c)).toEqual({ categories: ['uncategorized=Uncategorized'], products: [] });
    expect(Array.from(c.categoriesOf(42))).toEqual([0]);
  });

  it('puts a product missing from the catalog in uncategorized only', async () => {
    const c = await load({ categories: CATEGORIES, products: 'product_id,categories,name\n1,toys,x\n' });
    expect(Array.from(c.categoriesOf(2), (i) => c.categories[i]!.slug)).toEqual(['uncategorized']);
    expect(c.productName(2)).toBeUndefined();
  });

  it('takes a file of 32 categories per product, the most allowed', async () => {
    const slugs = Array.from({ length: 32 }, (_, i) => `c${i}`);
    const c = await load({
      categories: `slug,name\n${slugs.map((s) => `${s},${s.toUpperCase()}`).join('\n')}\n`,
      products: `product_id,categories,name\n1,${slugs.join('|')},All\n`,
    });
    expect(c.categoriesOf(1).length).toBe(32);
  });
});
