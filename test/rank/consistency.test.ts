import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CatalogBuilder } from '../../src/catalog/build.js';
import type { Catalog } from '../../src/catalog/catalog.js';
import { ColumnarCatalog } from '../../src/catalog/columnar.js';
import { GLOBAL, type CountSet, emptyCountSet } from '../../src/counts/count-file.js';
import { type Block, EMPTY_BLOCK } from '../../src/counts/count-table.js';
import { type Mismatch, checkHour } from '../../src/rank/consistency.js';

const block = (pairs: Array<[number, number]>) => ({ ids: Uint32Array.from(pairs.map((p) => p[0])), sales: Int32Array.from(pairs.map((p) => p[1])) });

function catalog() {
  const b = new CatalogBuilder([{ slug: 'books', name: 'Books' }, { slug: 'toys', name: 'Toys' }]);
  const idx = (s: string) => b.categories.findIndex((c) => c.slug === s);
  b.addProduct(1, [idx('books')]);
  b.addProduct(2, [idx('books'), idx('toys')]);
  return b.build();
}

/**
 * The check as first written, entry by entry with a binary search each: the
 * category logs against the global log, then the global log against each
 * product's catalog categories.
 */
function naiveCheckHour(hourIso: string, set: CountSet, catalog: Catalog, limit: number): { found: Mismatch[]; total: number } {
  const salesOf = (b: Block, id: number) => {
    const i = b.ids.indexOf(id);
    return i < 0 ? 0 : b.sales[i];
  };
  const global = set.groups.get(GLOBAL) ?? EMPTY_BLOCK;
  const found: Mismatch[] = [];
  let total = 0;
  const report = (productId: number, category: string, g: number, c: number) => {
    total++;
    if (found.length < limit) found.push({ hour: hourIso, productId, category, global: g, inCategory: c });
  };
  for (const [slug, b] of set.groups) {
    if (slug === GLOBAL) continue;
    b.ids.forEach((id, i) => {
      const g = salesOf(global, id);
      if (g !== b.sales[i]) report(id, slug, g, b.sales[i]);
    });
  }
  global.ids.forEach((id, i) => {
    const p = catalog.productIndex(id);
    const cats = p >= 0 ? catalog.categoryIndexes.subarray(catalog.categoryOffsets[p], catalog.categoryOffsets[p + 1]) : catalog.categoriesOf(id);
    for (const k of Array.from(cats)) {
      const b = set.groups.get(catalog.categories[k].slug);
      if (!b || salesOf(b, id) === 0) report(id, catalog.categories[k].slug, global.sales[i], 0);
    }
  });
  return { found, total };
}

const SLUGS = ['books', 'games', 'toys', 'uncategorized'];
/** Category logs the catalog has no category for. */
const UNKNOWN_SLUGS = ['gone', 'zz-new'];
// Mostly low ids, so that the catalog, the global log and the category logs
// share products; a few near 2^32 (unsigned ids).
const productId = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 40 }) }, { weight: 1, arbitrary: fc.integer({ min: 4_294_967_280, max: 4_294_967_295 }) });
// Never 0 in a block, but the check must not care.
const units = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 9 }) }, { weight: 1, arbitrary: fc.integer({ min: -3, max: 0 }) });

const hourCase = fc.record({
  // A product's categories as indexes into SLUGS, distinct. None makes an
  // empty CSR range, which only a catalog built from columns has: for it
  // categoriesOf answers `uncategorized`, a walk of the CSR arrays nothing.
  products: fc.uniqueArray(fc.tuple(productId, fc.uniqueArray(fc.nat(SLUGS.length - 1), { maxLength: 3 })), { selector: (p) => p[0], maxLength: 30 }),
  // The global log: some products missing from the catalog.
  global: fc.uniqueArray(fc.tuple(productId, units), { selector: (e) => e[0], maxLength: 30 }),
  // Writes to the category logs after they were made to agree: units set
  // (differing quantities, products not in that catalog category or not in
  // the global log), or lines dropped (null).
  edits: fc.array(fc.tuple(fc.constantFrom(...SLUGS, ...UNKNOWN_SLUGS), productId, fc.option(units, { freq: 3 })), { maxLength: 12 }),
  droppedBlocks: fc.subarray(SLUGS),
  seed: fc.nat(),
  limit: fc.nat(12),
});
type HourCase = typeof hourCase extends fc.Arbitrary<infer T> ? T : never;

/** The catalog, built from columns, and the hour's count set: each category log agreeing with the global log but for the edits. */
function hourOf(c: HourCase): { catalog: Catalog; set: CountSet } {
  const products = [...c.products].sort((a, b) => a[0] - b[0]);
  const offsets = [0];
  const indexes: number[] = [];
  for (const [, cats] of products) offsets.push(indexes.push(...cats));
  const catalog = new ColumnarCatalog({
    categories: SLUGS.map((slug) => ({ slug, name: slug })),
    productIds: Uint32Array.from(products.map((p) => p[0])),
    categoryOffsets: Uint32Array.from(offsets),
    categoryIndexes: Uint32Array.from(indexes),
    nameOffsets: new Uint32Array(products.length + 1),
    nameBytes: Buffer.alloc(0),
  });
  const logs = new Map<string, Map<number, number>>([...SLUGS, ...UNKNOWN_SLUGS].map((s) => [s, new Map()]));
  for (const [id, n] of c.global) for (const k of Array.from(catalog.categoriesOf(id))) logs.get(SLUGS[k])!.set(id, n);
  for (const [slug, id, n] of c.edits) {
    if (n === null) logs.get(slug)!.delete(id);
    else logs.get(slug)!.set(id, n);
  }
  for (const slug of c.droppedBlocks) logs.delete(slug);
  logs.set(GLOBAL, new Map(c.global));
  const toBlock = (m: Map<number, number>): Block => block([...m].sort((a, b) => a[0] - b[0]));
  // The groups in a shuffled order: the check must follow the set's own.
  const names = [...logs.keys()];
  let seed = c.seed;
  for (let i = names.length - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const j = seed % (i + 1);
    [names[i], names[j]] = [names[j], names[i]];
  }
  const set = emptyCountSet(10, 11);
  for (const name of names) set.groups.set(name, toBlock(logs.get(name)!));
  return { catalog, set };
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

  it('reports what a lookup per line reports, in the same order, however the logs disagree', () => {
    fc.assert(
      fc.property(hourCase, (c) => {
        const { catalog, set } = hourOf(c);
        expect(checkHour('h', set, catalog, c.limit)).toEqual(naiveCheckHour('h', set, catalog, c.limit));
      }),
      { numRuns: 1000 },
    );
  });
});
