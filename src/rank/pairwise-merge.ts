// The overall top 100 as a pairwise N-way merge of the category top-100s:
// merge lists two by two, each product once, truncating to 100 after every
// merge, until one list is left (log2(30k) = 15 rounds). Exact as long as the
// category logs agree with the global log: a product in the overall top 100
// is in the top 100 of each of its categories (every product has at least
// one, `uncategorized`), since anything ahead of it there is ahead overall.
import { type Ranked, TOP_N, compareRanked } from './order.js';

export function mergeTwoLists(a: readonly Ranked[], b: readonly Ranked[], k = TOP_N): Ranked[] {
  const out: Ranked[] = [];
  let i = 0;
  let j = 0;
  while (out.length < k && (i < a.length || j < b.length)) {
    const takeA = j >= b.length || (i < a.length && compareRanked(a[i].productId, a[i].sales, b[j].productId, b[j].sales) <= 0);
    const next = takeA ? a[i++] : b[j++];
    // A product in several categories has the same sales in each (when the
    // logs agree), so its copies meet side by side in this order: keep one.
    // Copies with different sales are a disagreement, and stay to be reported.
    const last = out[out.length - 1];
    if (last === undefined || last.productId !== next.productId || last.sales !== next.sales) out.push(next);
  }
  return out;
}

export function pairwiseMerge(lists: readonly (readonly Ranked[])[], k = TOP_N): Ranked[] {
  let level = lists.filter((l) => l.length > 0) as Ranked[][];
  if (level.length === 0) return [];
  while (level.length > 1) {
    const next: Ranked[][] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(mergeTwoLists(level[i], level[i + 1], k));
    if (level.length % 2 === 1) next.push(level[level.length - 1].slice(0, k));
    level = next;
  }
  return level[0].slice(0, k);
}

export interface ListDisagreement {
  rank: number;
  global?: Ranked;
  merged?: Ranked;
}

/** Positions where the merged category lists and the global log's list differ. */
export function compareLists(global: readonly Ranked[], merged: readonly Ranked[]): ListDisagreement[] {
  const out: ListDisagreement[] = [];
  for (let i = 0; i < Math.max(global.length, merged.length); i++) {
    const g = global[i];
    const m = merged[i];
    if (g?.productId !== m?.productId || g?.sales !== m?.sales) out.push({ rank: i + 1, global: g, merged: m });
  }
  return out;
}
