import { describe, expect, it } from 'vitest';
import { CatalogBuilder } from '../../src/catalog/build.js';
import { emptyCountSet } from '../../src/counts/count-file.js';
import { checkHour } from '../../src/rank/consistency.js';

const block = (pairs: Array<[number, number]>) => ({ ids: Uint32Array.from(pairs.map((p) => p[0])), sales: Int32Array.from(pairs.map((p) => p[1])) });

function catalog() {
  const b = new CatalogBuilder([{ slug: 'books', name: 'Books' }, { slug: 'toys', name: 'Toys' }]);
  const idx = (s: string) => b.categories.findIndex((c) => c.slug === s);
  b.addProduct(1, [idx('books')]);
  b.addProduct(2, [idx('books'), idx('toys')]);
  return b.build();
}

describe('checkHour', () => {
  it('finds nothing when every category log agrees with the global log', () => {
    const set = emptyCountSet(10, 11);
    set.groups.set('', block([[1, 3], [2, 5], [9, 1]])).set('books', block([[1, 3], [2, 5]])).set('toys', block([[2, 5]])).set('uncategorized', block([[9, 1]]));
    expect(checkHour('h', set, catalog())).toEqual({ found: [], total: 0 });
  });

  it('names the product, category and both figures where a line is missing or extra', () => {
    const set = emptyCountSet(10, 11);
    set.groups.set('', block([[1, 3], [2, 5]])).set('books', block([[1, 4], [2, 5]])).set('uncategorized', block([[7, 2]]));
    const r = checkHour('2026-11-27T05:00:00.000Z', set, catalog());
    expect(r.total).toBe(3);
    expect(r.found).toEqual([
      { hour: '2026-11-27T05:00:00.000Z', productId: 1, category: 'books', global: 3, inCategory: 4 },
      { hour: '2026-11-27T05:00:00.000Z', productId: 7, category: 'uncategorized', global: 0, inCategory: 2 },
      { hour: '2026-11-27T05:00:00.000Z', productId: 2, category: 'toys', global: 5, inCategory: 0 },
    ]);
  });
});
