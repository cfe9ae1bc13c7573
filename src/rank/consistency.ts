// Do the category logs agree with the global log? Every purchase is
// appended to both, so in each hour a product's units in each of its
// categories equal its units overall. A writer that died between the two
// appends breaks that; the global log defines the overall list (CONTRACT.md
// §3), so the run publishes anyway and reports where the logs part: the hour,
// the product, the category, and both figures. Checked per hour, for the
// hours a run recounts, against the catalog's categories of each product (a
// product whose seller changed its categories mid-week shows up too).
import type { Catalog } from '../catalog/catalog.js';
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

/** The mismatches of one hour (at most `limit`), and how many there are in all. */
export function checkHour(hourIso: string, set: CountSet, catalog: Catalog, limit = MISMATCHES_PER_HOUR): { found: Mismatch[]; total: number } {
  const global = set.groups.get(GLOBAL) ?? EMPTY_BLOCK;
  const found: Mismatch[] = [];
  let total = 0;
  const report = (productId: number, category: string, g: number, c: number) => {
    total++;
    if (found.length < limit) found.push({ hour: hourIso, productId, category, global: g, inCategory: c });
  };
  // A category's line the global log lacks (or a different quantity).
  for (const [slug, block] of set.groups) {
    if (slug === GLOBAL) continue;
    for (let i = 0; i < block.ids.length; i++) {
      const g = salesOf(global, block.ids[i]);
      if (g !== block.sales[i]) report(block.ids[i], slug, g, block.sales[i]);
    }
  }
  // A global line missing from one of the product's category logs. Global ids
  // and catalog ids both ascend, so the product's catalog index is found by
  // walking along, and each category's block is looked up by index, not slug.
  const blocks = catalog.categories.map((c) => set.groups.get(c.slug));
  const { productIds, categoryOffsets, categoryIndexes } = catalog;
  let p = 0;
  for (let i = 0; i < global.ids.length; i++) {
    const id = global.ids[i];
    while (p < productIds.length && productIds[p] < id) p++;
    const known = p < productIds.length && productIds[p] === id;
    const cats = known ? categoryIndexes.subarray(categoryOffsets[p], categoryOffsets[p + 1]) : catalog.categoriesOf(id);
    for (let k = 0; k < cats.length; k++) {
      const block = blocks[cats[k]];
      if (!block || salesOf(block, id) === 0) report(id, catalog.categories[cats[k]].slug, global.sales[i], 0);
    }
  }
  return { found, total };
}
