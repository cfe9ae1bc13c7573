// ProductRoutes answers what Catalog.categoriesOf answers, faster: checked
// against it for dense ids (the table), spread and clustered ids (buckets,
// including crowded ones), ids near 2^32, and ids missing from the catalog.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CatalogBuilder } from '../../src/catalog/build.js';
import type { Catalog } from '../../src/catalog/catalog.js';
import { ProductRoutes } from '../../src/log/product-routes.js';

function catalogOf(ids: number[], cats: (id: number) => number[]): Catalog {
  const b = new CatalogBuilder(Array.from({ length: 6 }, (_, i) => ({ slug: `c${i}`, name: `C${i}` })));
  for (const id of ids) b.addProduct(id, cats(id).map((k) => b.categoryIndex(`c${k}`)));
  return b.build();
}

/** The categories route() names, as categoriesOf() would list them. */
function viaRoutes(routes: ProductRoutes, catalog: Catalog, id: number): number[] {
  const r = routes.route(id);
  if (r >= 0) return [r];
  const p = -r - 1;
  return Array.from(catalog.categoryIndexes.subarray(catalog.categoryOffsets[p], catalog.categoryOffsets[p + 1]));
}

const someCategories = (id: number) => [[], [id % 6], [id % 6, (id + 1) % 6], [1, 3, 5]][id % 4];

describe('ProductRoutes', () => {
  const spreads: [string, fc.Arbitrary<number>][] = [
    ['dense ids', fc.integer({ min: 1, max: 3000 })],
    ['ids spread up to 2^32-1', fc.integer({ min: 1, max: 0xffff_ffff })],
    ['ids clustered at both ends (crowded buckets)', fc.oneof(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 0xffff_ff00, max: 0xffff_ffff }))],
  ];
  for (const [name, id] of spreads) {
    it(`agrees with categoriesOf for ${name}, present or not`, () => {
      fc.assert(
        fc.property(fc.uniqueArray(id, { minLength: 1, maxLength: 1500 }), fc.array(id, { maxLength: 300 }), (ids, probes) => {
          const catalog = catalogOf(ids, someCategories);
          const routes = new ProductRoutes(catalog);
          for (const q of [...ids, ...probes, 1, 0xffff_ffff]) expect(viaRoutes(routes, catalog, q)).toEqual(Array.from(catalog.categoriesOf(q)));
        }),
        { numRuns: 40 },
      );
    });
  }

  it('sends everything to uncategorized for an empty catalog', () => {
    const catalog = catalogOf([], someCategories);
    expect(new ProductRoutes(catalog).route(42)).toBe(catalog.categoryIndex('uncategorized'));
  });
});
