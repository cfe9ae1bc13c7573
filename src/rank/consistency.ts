// Do the category logs agree with the global log? Every purchase is
// appended to both, so in each hour a product's units in each of its
// categories equal its units overall. A writer that died between the two
// appends breaks that; the global log defines the overall list (CONTRACT.md
// §3), so the run publishes anyway and reports where the logs part: the hour,
// the product, the category, and both figures. Checked per hour, for the
// hours a run recounts, against the catalog's categories of each product (a
// product whose seller changed its categories mid-week shows up too).
//
// A peak hour has ~2M products in the global log and ~4M category lines. A
// binary search per line into arrays that large costs a cache miss per probe
// (~1.7 s an hour), so instead the global log is spread over the catalog
// categories of its products with a counting sort (the lines each category
// log should hold, ids ascending), and each category log is merged with its
// list in one sequential pass. Only a line no list has (a product outside
// that catalog category, or a category the catalog lacks) is looked up by
// binary search; there are few.
import type { CatalogView } from '../catalog/catalog.js';
import { GLOBAL, type CountSet } from '../counts/count-file.js';
import { type Block, EMPTY_BLOCK } from '../counts/count-table.js';

export interface Mismatch {
  hour: string;
  productId: number;
  category: string;
  global: number;
  inCategory: number;
}

/** Mismatches kept per hour: enough to find the writer, bounded for the manifest. */
export const MISMATCHES_PER_HOUR = 20;

function salesOf(block: Block, id: number): number {
  let lo = 0;
  let hi = block.ids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = block.ids[mid];
    if (v === id) return block.sales[mid];
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

/**
 * The lines each category log should hold: each global line once for every
 * catalog category of its product (listed once each: CatalogBuilder checks).
 * Category c's are entries starts[c] .. starts[c + 1] of ids and sales, ids
 * ascending; `order` is the category's place among the product's.
 */
interface ExpectedLines {
  readonly starts: Uint32Array;
  readonly ids: Uint32Array;
  readonly sales: Int32Array;
  readonly order: Uint8Array;
}

/** What the check needs of the catalog: the categories' slugs by index, and a walk of the products. */
export type CheckedCatalog = Pick<CatalogView, 'categoryIndex' | 'walk'> & { readonly categories: ReadonlyArray<{ readonly slug: string }> };

function expectedLines(global: Block, catalog: CheckedCatalog): ExpectedLines {
  const n = global.ids.length;
  // Global ids ascend, so each product's categories are found by one walk
  // along the catalog, and kept here (a CSR over the hour's products).
  const first = new Uint32Array(n + 1);
  let cats = new Uint32Array(2 * n + 32);
  const starts = new Uint32Array(catalog.categories.length + 1);
  const walk = catalog.walk();
  for (let i = 0; i < n; i++) {
    walk.seek(global.ids[i]);
    const { array, start, end } = walk.categories();
    const at = first[i];
    if (at + end - start > cats.length) {
      const grown = new Uint32Array(2 * (at + end - start));
      grown.set(cats);
      cats = grown;
    }
    for (let k = start; k < end; k++) {
      cats[at + k - start] = array[k];
      starts[array[k] + 1]++;
    }
    first[i + 1] = at + end - start;
  }
  for (let c = 1; c < starts.length; c++) starts[c] += starts[c - 1];
  const size = starts[starts.length - 1];
  const ids = new Uint32Array(size);
  const sales = new Int32Array(size);
  const order = new Uint8Array(size);
  const next = starts.slice(0, -1);
  for (let i = 0; i < n; i++) {
    for (let k = first[i]; k < first[i + 1]; k++) {
      const j = next[cats[k]]++;
      ids[j] = global.ids[i];
      sales[j] = global.sales[i];
      order[j] = k - first[i];
    }
  }
  return { starts, ids, sales, order };
}

/** The mismatches of one hour (at most `limit`), and how many there are in all. */
export function checkHour(hourIso: string, set: CountSet, catalog: CheckedCatalog, limit = MISMATCHES_PER_HOUR): { found: Mismatch[]; total: number } {
  const global = set.groups.get(GLOBAL) ?? EMPTY_BLOCK;
  const found: Mismatch[] = [];
  let total = 0;
  const mismatch = (productId: number, category: string, g: number, c: number): Mismatch => ({ hour: hourIso, productId, category, global: g, inCategory: c });
  const report = (productId: number, category: string, g: number, c: number) => {
    total++;
    if (found.length < limit) found.push(mismatch(productId, category, g, c));
  };
  const expected = expectedLines(global, catalog);
  const { starts } = expected;
  // Global lines missing from a category log come after the lines that
  // differ, by product id and then in the product's catalog order of
  // categories, which the category-by-category merges do not follow: they are
  // kept (as entries of `expected`) and sorted at the end. Within a category
  // they come by id, so only its first `limit` are kept.
  const missing: { at: number; category: number }[] = [];
  let missingInCategory = 0;
  const miss = (at: number, category: number) => {
    total++;
    if (missingInCategory++ < limit) missing.push({ at, category });
  };
  const hasLog = new Uint8Array(catalog.categories.length);
  for (const [slug, block] of set.groups) {
    if (slug === GLOBAL) continue;
    // A category the catalog lacks expects no lines.
    const c = catalog.categoryIndex(slug);
    let j = c < 0 ? 0 : starts[c];
    const end = c < 0 ? 0 : starts[c + 1];
    if (c >= 0) hasLog[c] = 1;
    missingInCategory = 0;
    for (let b = 0; b < block.ids.length; b++) {
      const id = block.ids[b];
      while (j < end && expected.ids[j] < id) miss(j++, c);
      const isExpected = j < end && expected.ids[j] === id;
      // A category's line the global log lacks (or a different quantity).
      const g = isExpected ? expected.sales[j] : salesOf(global, id);
      if (g !== block.sales[b]) report(id, slug, g, block.sales[b]);
      if (isExpected) {
        // A line of 0 units counts as missing, as a lookup answering 0 would.
        if (block.sales[b] === 0) miss(j, c);
        j++;
      }
    }
    while (j < end) miss(j++, c);
  }
  for (let c = 0; c < hasLog.length; c++) {
    if (hasLog[c]) continue;
    missingInCategory = 0;
    for (let j = starts[c]; j < starts[c + 1]; j++) miss(j, c);
  }
  // A global line missing from one of the product's category logs, in the
  // catalog's order of the product's categories.
  missing.sort((a, b) => expected.ids[a.at] - expected.ids[b.at] || expected.order[a.at] - expected.order[b.at]);
  for (let k = 0; k < missing.length && found.length < limit; k++) {
    const { at, category } = missing[k];
    found.push(mismatch(expected.ids[at], catalog.categories[category].slug, expected.sales[at], 0));
  }
  return { found, total };
}
